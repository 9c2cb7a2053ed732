package report

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/jstemmer/go-junit-report/v2/junit"
)

func writeJUnit(t *testing.T, res Result) junit.Testsuites {
	t.Helper()
	var b bytes.Buffer
	if err := JUnit(&b, res, Options{}); err != nil {
		t.Fatal(err)
	}
	var got junit.Testsuites
	if err := xml.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatalf("unmarshal: %v\n%s", err, b.Bytes())
	}
	return got
}

func TestJUnitCountsAreConsistent(t *testing.T) {
	tests := []struct {
		name                      string
		res                       Result
		suites                    []string
		tests, failures, failErrs int
		skipped                   int
	}{
		// stdin: Deployment (info); chart: skipped; broken: input error;
		// clean: passing; egress: Egress team-a/db (2 deny), Egress
		// team-a/cache (warn).
		{"fixture has a suite per file", fixture(), []string{"-", "chart/templates/egress.yaml", "deploy/broken.yaml", "deploy/clean.yaml", "deploy/egress.yaml"}, 6, 1, 1, 1},
		{"clean run passes one testcase per file", clean(), []string{"deploy/egress.yaml", "deploy/mesh.yaml"}, 2, 0, 0, 0},
		{"run with no files still has one passing testcase", Result{}, []string{"meshguard"}, 1, 0, 0, 0},
		{"suites come from findings when Files is empty", Result{Findings: fixture().Findings}, []string{"-", "deploy/egress.yaml"}, 3, 1, 0, 0},
		{"a skipped file has its suite when Files is empty", Result{Skipped: fixture().Skipped}, []string{"chart/templates/egress.yaml"}, 1, 0, 0, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := writeJUnit(t, tc.res)
			var names []string
			var tests, failures, errs, skipped int
			for _, s := range got.Suites {
				names = append(names, s.Name)
				var f, e, sk int
				for _, c := range s.Testcases {
					if c.Skipped != nil {
						sk++
					}
					if c.Classname != s.Name {
						t.Errorf("testcase %q has classname %q, want its file %q", c.Name, c.Classname, s.Name)
					}
					if c.Failure != nil {
						f++
					}
					if c.Error != nil {
						e++
					}
				}
				if s.Skipped != sk {
					t.Errorf("suite %s says skipped=%d, testcases give %d", s.Name, s.Skipped, sk)
				}
				skipped += sk
				if s.Tests != len(s.Testcases) || s.Failures != f || s.Errors != e {
					t.Errorf("suite %s says tests=%d failures=%d errors=%d, testcases give %d, %d, %d",
						s.Name, s.Tests, s.Failures, s.Errors, len(s.Testcases), f, e)
				}
				tests += s.Tests
				failures += s.Failures
				errs += s.Errors
			}
			if strings.Join(names, ",") != strings.Join(tc.suites, ",") {
				t.Errorf("suites = %v, want %v", names, tc.suites)
			}
			if got.Tests != tests || got.Failures != failures || got.Errors != errs {
				t.Errorf("totals tests=%d failures=%d errors=%d, suites add up to %d, %d, %d",
					got.Tests, got.Failures, got.Errors, tests, failures, errs)
			}
			if skipped != tc.skipped || got.Skipped != skipped {
				t.Errorf("skipped=%d (totals say %d), want %d", skipped, got.Skipped, tc.skipped)
			}
			if tests != tc.tests || failures != tc.failures || errs != tc.failErrs {
				t.Errorf("tests=%d failures=%d errors=%d, want %d, %d, %d", tests, failures, errs, tc.tests, tc.failures, tc.failErrs)
			}
		})
	}
}

func TestJUnitObjectTestcase(t *testing.T) {
	got := writeJUnit(t, fixture())
	cases := map[string]junit.Testcase{}
	for _, s := range got.Suites {
		for _, c := range s.Testcases {
			cases[s.Name+" "+c.Name] = c
		}
	}
	tests := []struct {
		name, key    string
		failure      string // failure message; "" for a passing testcase
		body, stdout []string
	}{
		{
			name: "object with two denials fails with both in the body", key: "deploy/egress.yaml Egress team-a/db",
			failure: "[MG2001] Egress team-a/db: spec.ipAdresses is not a field; did you mean spec.ipAddresses? (and 1 more)",
			body:    []string{"9: [MG2001] ", "(spec.ipAdresses)", "\n14: [MG2002] ", "(spec.ports[0].number)"},
		},
		{
			name: "object with only a warning passes and prints it", key: "deploy/egress.yaml Egress team-a/cache",
			stdout: []string{"31: warn [MG2004] ", "(spec.matches[0])"},
		},
		{
			name: "info finding without line or path passes and prints it", key: "- Deployment bookstore/bookbuyer",
			stdout: []string{"info [MG4001] Deployment bookstore/bookbuyer"},
		},
		{name: "file without findings has a passing testcase", key: "deploy/clean.yaml meshguard validate"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, ok := cases[tc.key]
			if !ok {
				t.Fatalf("no testcase %q among %v", tc.key, cases)
			}
			switch {
			case tc.failure == "" && c.Failure != nil:
				t.Errorf("failure = %+v, want a passing testcase", c.Failure)
			case tc.failure != "" && (c.Failure == nil || c.Failure.Message != tc.failure):
				t.Fatalf("failure = %+v, want message %q", c.Failure, tc.failure)
			}
			for _, s := range tc.body {
				if !strings.Contains(c.Failure.Data, s) {
					t.Errorf("failure body %q lacks %q", c.Failure.Data, s)
				}
			}
			for _, s := range tc.stdout {
				if c.SystemOut == nil || !strings.Contains(c.SystemOut.Data, s) {
					t.Errorf("system-out %+v lacks %q", c.SystemOut, s)
				}
			}
		})
	}
}

func TestJUnitEscapesWhatXMLCannotHold(t *testing.T) {
	res := fixture()
	res.Findings[1].Message = "value \"a\x1b\x00b]]>\" is odd"
	res.Errors[0].Message = "control \x07 in the input"
	got := writeJUnit(t, res) // fails the test if the XML does not parse
	for _, s := range got.Suites {
		for _, c := range s.Testcases {
			if c.Failure != nil && !strings.Contains(c.Failure.Data, `value "a\x1b\x00b]]>" is odd`) {
				t.Errorf("failure body %q lacks the escaped message", c.Failure.Data)
			}
			if c.Error != nil && c.Error.Message != `control \a in the input` {
				t.Errorf("error message %q, want the bell escaped", c.Error.Message)
			}
		}
	}
}

func TestJUnitStartsWithXMLDeclaration(t *testing.T) {
	var b bytes.Buffer
	if err := JUnit(&b, clean(), Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), `<?xml version="1.0" encoding="UTF-8"?>`) {
		t.Errorf("output starts %q, want the XML declaration", b.String()[:40])
	}
}
