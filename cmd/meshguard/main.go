// Command meshguard is the admission and policy layer for the osm-edge service
// mesh: `meshguard validate` checks manifests, patches and runbooks offline with
// the same Rego rules the admission webhook enforces.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
