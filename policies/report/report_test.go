package report

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshguard/meshguard/policies"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// catalog holds the rules the fixture cites plus one it does not (MG2003), so
// the SARIF golden shows that driver.rules lists the whole catalog.
var catalog = policies.Catalog{
	{
		Code: "MG1001", Title: "MeshConfig field is not in the schema", Severity: policies.Deny,
		Description: "The MeshConfig CRD preserves no unknown fields, so the API server prunes a misspelled field.",
		Fix:         "Rename the field to the one suggested, or move it to the path shown.",
		Docs:        "docs/rules.md#mg1001", Group: "meshconfig", Name: "unknown-field",
	},
	{
		Code: "MG2001", Title: "Policy field is not in the schema", Severity: policies.Deny,
		Description: "The Egress CRD preserves no unknown fields under spec, so the API server prunes a misspelled field.",
		Fix:         "Rename the field to the one suggested, or move it to the path shown.",
		Docs:        "docs/rules.md#mg2001", Group: "egress", Name: "unknown-field",
	},
	{
		Code: "MG2002", Title: "Policy value does not match the CRD schema", Severity: policies.Deny,
		Description: "A wrong type, a value outside an enum or range, or a missing required field.",
		Fix:         "Change the value to the type, one of the values, or the range the message names.",
		Docs:        "docs/rules.md#mg2002", Group: "egress", Name: "schema-violation",
	},
	{
		Code: "MG2003", Title: "Egress port protocol is not one osm-edge knows", Severity: policies.Deny,
		Description: "osm-edge compiles an Egress port only for http, https, tcp and tcp-server-first.",
		Fix:         "Set the protocol to http, https, tcp or tcp-server-first (use tcp or https for gRPC).",
		Docs:        "docs/rules.md#mg2003", Group: "egress", Name: "unknown-protocol",
	},
	{
		Code: "MG2004", Title: "TCP egress match without ipAddresses opens the whole port", Severity: policies.Warn,
		Description: "With no ipAddresses, a tcp match lets the pod reach any host on that port.",
		Fix:         "List the destination CIDRs in spec.ipAddresses.",
		Docs:        "docs/rules.md#mg2004", Group: "egress", Name: "tcp-match-without-ip",
	},
	{
		Code: "MG4001", Title: "Pod opts out of sidecar injection", Severity: policies.Info,
		Description: "The pod template sets the sidecar injection annotation to disabled.",
		Fix:         "Remove the annotation unless the workload must stay outside the mesh.",
		Docs:        "docs/rules.md#mg4001", Group: "pods", Name: "injection-disabled",
	},
}

// entry builds a located finding from the catalog's metadata for code.
func entry(code, file string, line int, kind, ns, name, path, msg string) Entry {
	r, ok := catalog.Lookup(code)
	if !ok {
		panic("fixture cites unknown rule " + code)
	}
	return Entry{
		Finding: policies.Finding{
			Rule: r.Code, Severity: r.Severity, Title: r.Title, Message: msg,
			Path: path, Fix: r.Fix, Docs: r.Docs,
		},
		File: file, Line: line, Kind: kind, Namespace: ns, Name: name,
	}
}

// fixture is the one Result every golden file renders: deny, warn and info
// findings in two files (stdin among them), two denials on one object, a
// finding with no line and no path, an input error, a skipped template and a
// clean file.
func fixture() Result {
	return Result{
		Findings: []Entry{
			entry("MG4001", "-", 0, "Deployment", "bookstore", "bookbuyer", "",
				`Deployment bookstore/bookbuyer: annotation openservicemesh.io/sidecar-injection is "disabled"`),
			entry("MG2001", "deploy/egress.yaml", 9, "Egress", "team-a", "db", "spec.ipAdresses",
				`Egress team-a/db: spec.ipAdresses is not a field; did you mean spec.ipAddresses?`),
			entry("MG2002", "deploy/egress.yaml", 14, "Egress", "team-a", "db", "spec.ports[0].number",
				`Egress team-a/db: spec.ports[0].number 70000 is not a port (1-65535)`),
			entry("MG2004", "deploy/egress.yaml", 31, "Egress", "team-a", "cache", "spec.matches[0]",
				`Egress team-a/cache: tcp match on port 6379 without spec.ipAddresses reaches any host`),
		},
		Errors: []InputError{
			{File: "deploy/broken.yaml", Line: 3, Message: "yaml: line 3: mapping values are not allowed in this context"},
		},
		Skipped: []Skipped{
			{File: "chart/templates/egress.yaml", Message: "a template of the Helm chart chart, not a manifest; check what the chart makes with: helm template chart | meshguard validate -"},
		},
		Summary: Summary{Files: 5, Documents: 6, Findings: 4, Deny: 2, Warn: 1, Info: 1, Errors: 1, Skipped: 1},
		Files:   []string{"-", "chart/templates/egress.yaml", "deploy/broken.yaml", "deploy/clean.yaml", "deploy/egress.yaml"},
	}
}

func clean() Result {
	return Result{
		Summary: Summary{Files: 2, Documents: 3},
		Files:   []string{"deploy/egress.yaml", "deploy/mesh.yaml"},
	}
}

// fixtureOptions fixes the working directory, so the SARIF golden files do not
// depend on where the tests run.
var fixtureOptions = Options{Catalog: catalog, Version: "v0.1.0", WorkDir: "/src/repo"}

func TestGolden(t *testing.T) {
	colour := fixtureOptions
	colour.Color = true
	tests := []struct {
		name   string
		format string
		res    Result
		opts   Options
		golden string
	}{
		{"text lists findings, errors and a summary", "text", fixture(), fixtureOptions, "fixture.txt"},
		{"text with colour wraps codes in severity escapes", "text", fixture(), colour, "fixture-color.txt"},
		{"text of a clean run says no findings", "text", clean(), fixtureOptions, "clean.txt"},
		{"json has findings, errors and summary", "json", fixture(), fixtureOptions, "fixture.json"},
		{"json of a clean run has empty arrays", "json", clean(), fixtureOptions, "clean.json"},
		{"sarif lists the catalog and one result per finding", "sarif", fixture(), fixtureOptions, "fixture.sarif"},
		{"sarif of a clean run has no results and a successful invocation", "sarif", clean(), fixtureOptions, "clean.sarif"},
		{"junit has a suite per file and a testcase per object", "junit", fixture(), fixtureOptions, "fixture.junit.xml"},
		{"junit of a clean run passes one testcase per file", "junit", clean(), fixtureOptions, "clean.junit.xml"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := Write(&b, tc.format, tc.res, tc.opts); err != nil {
				t.Fatalf("Write(%s): %v", tc.format, err)
			}
			checkGolden(t, filepath.Join("testdata", tc.golden), b.Bytes())
		})
	}
}

// checkGolden compares got with the golden file, or rewrites the file under
// -update. A mismatch prints a line diff (-want +got).
func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatalf("update golden: %v", err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatalf("update golden: %v", err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run go test ./policies/report -update to create it): %v", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs (-want +got); run go test ./policies/report -update if the change is intended:\n%s",
			path, cmp.Diff(strings.Split(string(want), "\n"), strings.Split(string(got), "\n")))
	}
}

func TestWriteRejectsUnknownFormat(t *testing.T) {
	err := Write(&bytes.Buffer{}, "yaml", fixture(), fixtureOptions)
	if err == nil || !strings.Contains(err.Error(), `"yaml"`) {
		t.Fatalf("Write(yaml) error = %v, want one naming the format", err)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWritersReturnWriteErrors(t *testing.T) {
	for _, format := range Formats {
		t.Run(format+" returns the writer's error", func(t *testing.T) {
			if err := Write(failingWriter{}, format, fixture(), fixtureOptions); err == nil {
				t.Fatal("Write to a failing writer returned nil")
			}
		})
	}
}
