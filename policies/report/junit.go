package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/jstemmer/go-junit-report/v2/junit"

	"github.com/meshguard/meshguard/policies"
)

// junitTime fills the time attributes: they carry no information here, but
// some readers reject an empty one.
const junitTime = "0.000"

// JUnit writes res as JUnit XML: one testsuite per input file, one testcase per
// object with findings (failed when any finding denies, warn and info findings
// as system-out), one errored testcase per input error, one skipped testcase
// per file not checked (a Helm chart template), and one passing
// "meshguard validate" testcase for a file with neither. With no file at all
// it still writes one passing testcase, since some CI readers fail a report
// that holds no tests.
func JUnit(w io.Writer, res Result, _ Options) error {
	type object struct {
		name    string
		entries []Entry
	}
	type file struct {
		objects []*object
		byName  map[string]*object
		errors  []InputError
		skipped []Skipped
	}
	files := map[string]*file{}
	var order []string
	fileOf := func(name string) *file {
		f, ok := files[name]
		if !ok {
			f = &file{byName: map[string]*object{}}
			files[name] = f
			order = append(order, name)
		}
		return f
	}
	for _, name := range res.Files {
		fileOf(name)
	}
	for _, e := range res.Findings {
		f := fileOf(e.File)
		name := objectName(e)
		if name == "" {
			name = "document"
		}
		o, ok := f.byName[name]
		if !ok {
			o = &object{name: name}
			f.byName[name] = o
			f.objects = append(f.objects, o)
		}
		o.entries = append(o.entries, e)
	}
	for _, ie := range res.Errors {
		f := fileOf(ie.File)
		f.errors = append(f.errors, ie)
	}
	for _, sk := range res.Skipped {
		f := fileOf(sk.File)
		f.skipped = append(f.skipped, sk)
	}
	if len(order) == 0 {
		fileOf("meshguard")
	}

	suites := junit.Testsuites{Name: "meshguard", Time: junitTime}
	for id, name := range order {
		f := files[name]
		suite := junit.Testsuite{Name: name, ID: id, Time: junitTime}
		for _, o := range f.objects {
			suite.AddTestcase(objectTestcase(name, o.name, o.entries))
		}
		for _, ie := range f.errors {
			tc := junit.Testcase{Name: "input error", Classname: name, Time: junitTime}
			if ie.Line > 0 {
				tc.Name = fmt.Sprintf("input error (line %d)", ie.Line)
			}
			msg := printable(ie.Message)
			tc.Error = &junit.Result{Message: msg, Type: "input", Data: position(ie.File, ie.Line) + ": " + msg}
			suite.AddTestcase(tc)
		}
		for _, sk := range f.skipped {
			tc := junit.Testcase{Name: "meshguard validate", Classname: name, Time: junitTime}
			tc.Skipped = &junit.Result{Message: printable(sk.Message)}
			suite.AddTestcase(tc)
		}
		if len(suite.Testcases) == 0 {
			suite.AddTestcase(junit.Testcase{Name: "meshguard validate", Classname: name, Time: junitTime})
		}
		suites.AddSuite(suite)
	}
	// WriteXML omits the declaration; some readers want it.
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	return suites.WriteXML(w)
}

// objectTestcase fails when any of the object's findings denies; the failure
// message is the first denial and the body lists them all. Warn and info
// findings go to system-out, so they show without failing the build.
func objectTestcase(file, name string, entries []Entry) junit.Testcase {
	tc := junit.Testcase{Name: name, Classname: file, Time: junitTime}
	var denies, others []string
	var first Entry
	for _, e := range entries {
		if e.Severity == policies.Deny {
			if len(denies) == 0 {
				first = e
			}
			denies = append(denies, junitLine(e, ""))
		} else {
			others = append(others, junitLine(e, string(e.Severity)))
		}
	}
	if len(denies) > 0 {
		msg := "[" + first.Rule + "] " + printable(first.Message)
		if len(denies) > 1 {
			msg += fmt.Sprintf(" (and %d more)", len(denies)-1)
		}
		tc.Failure = &junit.Result{Message: msg, Type: string(policies.Deny), Data: strings.Join(denies, "\n")}
	}
	if len(others) > 0 {
		tc.SystemOut = &junit.Output{Data: strings.Join(others, "\n")}
	}
	return tc
}

// junitLine is `line: [MGxxxx] message (path)`, with the severity before the
// code when given and without `line: ` when the line is unknown.
func junitLine(e Entry, severity string) string {
	var b strings.Builder
	if e.Line > 0 {
		fmt.Fprintf(&b, "%d: ", e.Line)
	}
	if severity != "" {
		b.WriteString(severity + " ")
	}
	fmt.Fprintf(&b, "[%s] %s", e.Rule, printable(e.Message))
	if e.Path != "" {
		fmt.Fprintf(&b, " (%s)", printable(e.Path))
	}
	return b.String()
}

// objectName is "Kind namespace/name" (Istio's resource form), shortened when
// a part is unknown, and empty when all are.
func objectName(e Entry) string {
	id := e.Name
	if e.Namespace != "" && e.Name != "" {
		id = e.Namespace + "/" + e.Name
	}
	return strings.TrimSpace(e.Kind + " " + id)
}
