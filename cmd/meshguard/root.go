package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// Exit codes scripts rely on.
const (
	exitOK       = 0 // no deny-level finding
	exitFindings = 1 // one or more deny-level findings
	exitUsage    = 2 // usage error, unreadable or unparsable input
)

// exitError carries an exit code up to run; its message, if any, is printed.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func usageErr(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// streams are the command's standard streams, injected for tests.
type streams struct {
	in       io.Reader
	out, err io.Writer
}

func newRootCommand(s streams) *cobra.Command {
	root := &cobra.Command{
		Use:   "meshguard",
		Short: "Admission and policy checks for the osm-edge service mesh",
		Long: `meshguard checks osm-edge MeshConfig and Egress policies with one set of Rego
rules: offline in CI (meshguard validate) and in the API server as an
admission webhook (meshguard serve).`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(s.in)
	root.SetOut(s.out)
	root.SetErr(s.err)
	root.AddCommand(newValidateCommand(s), newServeCommand(s), newInjectCommand(s), newRulesCommand(s), newVersionCommand(s))
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &exitError{code: exitUsage, err: fmt.Errorf("%w (see %s --help)", err, c.CommandPath())}
	})
	return root
}

// run executes the command line and returns the exit code.
func run(ctx context.Context, args []string, in io.Reader, out, errOut io.Writer) int {
	root := newRootCommand(streams{in: in, out: out, err: errOut})
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(errOut, "meshguard: %v\n", ee.err)
		}
		return ee.code
	}
	// Cobra's own argument errors (unknown command, bad args) are usage errors.
	fmt.Fprintf(errOut, "meshguard: %v\n", err)
	return exitUsage
}

func newVersionCommand(s streams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print meshguard's version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintf(s.out, "meshguard %s\n", version)
			return err
		},
	}
}
