// Command conftest-bench is conftest's `test` command, thinly wrapped: the
// same runner.TestRunner (file walk, parsers, policy.Engine, per-document
// queries of data.main.deny and data.main.warn) and the same output writers,
// built as a Go program at a pinned conftest version so that `make bench` can
// measure it against meshguard over the same files without downloading a
// release binary.
//
//	conftest-bench -p POLICYDIR [-o json] PATH...
//
// The flags mean what conftest test's flags of the same name mean. Besides
// conftest's own output, one line of totals goes to standard error, so the
// benchmark can check that the policies really evaluated.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/open-policy-agent/conftest/output"
	"github.com/open-policy-agent/conftest/runner"
)

func main() {
	var policies, namespaces list
	out := flag.String("o", output.OutputJSON, "output format (conftest's: stdout, json, tap, table, junit, ...)")
	flag.Var(&policies, "p", "policy directory (repeatable; conftest's --policy)")
	flag.Var(&namespaces, "n", "namespace to test (repeatable; default main)")
	flag.Parse()
	if len(policies) == 0 || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: conftest-bench -p POLICYDIR [-o FORMAT] [-n NAMESPACE] PATH...")
		os.Exit(2)
	}
	if len(namespaces) == 0 {
		namespaces = list{"main"}
	}
	// conftest test's defaults: Rego v1, not strict, no data, namespace main.
	t := runner.TestRunner{
		Policy:      policies,
		Namespace:   namespaces,
		RegoVersion: "v1",
		Output:      *out,
	}
	results, err := t.Run(context.Background(), flag.Args())
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error: running test:", err)
		os.Exit(1)
	}
	if err := output.Get(t.Output, output.Options{NoColor: true}).Output(results); err != nil {
		fmt.Fprintln(os.Stderr, "Error: output results:", err)
		os.Exit(1)
	}
	var files, failures, warnings, successes int
	for _, r := range results {
		files++
		failures += len(r.Failures)
		warnings += len(r.Warnings)
		successes += r.Successes
	}
	fmt.Fprintf(os.Stderr, "conftest totals: %d files, %d passed, %d warnings, %d failures\n", files, successes, warnings, failures)
	os.Exit(results.ExitCode())
}

type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }
