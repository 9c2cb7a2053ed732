// Command meshguard is the admission and policy layer for the osm-edge service
// mesh: `meshguard validate` checks manifests, patches and runbooks offline with
// the same Rego rules the admission webhook enforces.
package main

import (
	"context"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
)

// interrupted is the signal that ended the command's context, 0 until one
// does.
var interrupted atomic.Int32

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := (<-signals).(syscall.Signal)
		interrupted.Store(int32(s))
		cancel()
		// A second signal ends the process at once, as the shell's
		// default would: whatever is still shutting down is given up.
		s = (<-signals).(syscall.Signal)
		os.Exit(128 + int(s))
	}()
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	signal.Stop(signals)
	cancel()
	os.Exit(code)
}

// exitSignalled is the exit code of a command a signal ended: 128 plus
// the signal's number, as the shell reports it (130 for Ctrl-C).
func exitSignalled() int {
	if s := interrupted.Load(); s != 0 {
		return 128 + int(s)
	}
	return 128 + int(syscall.SIGINT)
}
