// Command load is the client side of the webhook benchmark
// (test/bench/webhook.sh). It has three subcommands:
//
//	load run      -url URL -ca FILE -body FILE -rates 1000,2000 -duration 5s ...
//	load input    -request request.json -cluster objects.json -out body.json
//	load creates  -kubeconfig FILE -namespace curl -n 1000 -rounds 2 ...
//	load report   -dir DIR -machine TEXT -commands FILE > section.md
//	load best     -steps steps.jsonl -target meshguard   # highest passing rate
//	load port     # prints a free TCP port on 127.0.0.1
//
// run sends the same POST at fixed open-loop rates over HTTPS keep-alive and
// reports count, errors, latency percentiles and the achieved rate per rate
// step (see run.go). input writes the {"input": ...} body an OPA server needs
// to evaluate exactly what meshguard evaluates for an AdmissionReview (see
// input.go). creates times Egress creates through a real kube-apiserver with
// and without meshguard's webhook registered (see creates.go). report writes
// the "Webhook" section of docs/benchmarks.md from their results (report.go).
//
// Every loop is bounded in count and time and talks to loopback addresses only.
package main

import (
	"errors"
	"fmt"
	"net"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "run":
		err = runCmd(os.Args[2:])
	case "input":
		err = inputCmd(os.Args[2:])
	case "creates":
		err = createsCmd(os.Args[2:])
	case "report":
		err = reportCmd(os.Args[2:])
	case "best":
		err = bestCmd(os.Args[2:])
	case "port":
		err = portCmd()
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "load %s: %v\n", os.Args[1], err)
		if errors.Is(err, errSaturated) {
			os.Exit(3)
		}
		os.Exit(1)
	}
}

// portCmd prints a TCP port free on loopback, for a server the script starts.
func portCmd() error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer l.Close()
	fmt.Println(l.Addr().(*net.TCPAddr).Port)
	return nil
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: load run|input|creates|report|best|port [flags] (load SUBCOMMAND -h lists the flags)")
	os.Exit(2)
}
