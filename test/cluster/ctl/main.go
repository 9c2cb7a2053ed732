// Command ctl starts and stops the local control plane of `make run`:
//
//	go run ./test/cluster/ctl up   -state DIR -bin DIR -meshguard bin/meshguard
//	go run ./test/cluster/ctl down -state DIR
//
// up stops whatever DIR holds first, so running it again restarts cleanly. It
// prints `export KUBECONFIG=<path>` as its last line.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/meshguard/meshguard/test/cluster"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: ctl up|down [flags]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	state := fs.String("state", ".run/cluster", "state directory")
	bin := fs.String("bin", "", "directory holding etcd, kube-apiserver and kubectl")
	meshguard := fs.String("meshguard", "bin/meshguard", "meshguard binary")
	crds := fs.String("crds", "manifests/crds", "CRD directory")
	_ = fs.Parse(os.Args[2:])
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	switch os.Args[1] {
	case "up":
		if *bin == "" {
			fail(fmt.Errorf("-bin is required (test/tools/build.sh prints it)"))
		}
		mg, err := filepath.Abs(*meshguard)
		if err != nil {
			fail(err)
		}
		c, err := cluster.Up(ctx, cluster.Config{StateDir: *state, BinDir: *bin, Meshguard: mg, CRDDir: *crds, Log: os.Stderr})
		if err != nil {
			fail(err)
		}
		fmt.Fprintf(os.Stderr, "logs: %s\n", filepath.Join(c.StateDir, "logs"))
		fmt.Printf("export KUBECONFIG=%s\n", c.Kubeconfig)
	case "down":
		if err := cluster.Down(*state); err != nil {
			fail(err)
		}
	default:
		fail(fmt.Errorf("unknown command %q: up or down", os.Args[1]))
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "ctl: %v\n", err)
	os.Exit(1)
}
