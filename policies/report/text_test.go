package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/meshguard/meshguard/policies"
)

func TestText(t *testing.T) {
	finding := func(line int, path string) Entry {
		return Entry{
			Finding: policies.Finding{Rule: "MG2002", Severity: policies.Deny, Message: "port 70000 is out of range", Path: path},
			File:    "egress.yaml", Line: line,
		}
	}
	tests := []struct {
		name string
		res  Result
		want string
	}{
		{
			name: "finding with line and path prints both",
			res:  Result{Findings: []Entry{finding(14, "spec.ports[0].number")}, Summary: Summary{Files: 1, Documents: 1, Findings: 1, Deny: 1}},
			want: "egress.yaml:14: [MG2002] port 70000 is out of range (spec.ports[0].number)\n" +
				"1 finding (1 deny, 0 warn, 0 info) in 1 document of 1 file\n",
		},
		{
			name: "finding without line or path omits them",
			res:  Result{Findings: []Entry{finding(0, "")}, Summary: Summary{Files: 1, Documents: 2, Findings: 1, Deny: 1}},
			want: "egress.yaml: [MG2002] port 70000 is out of range\n" +
				"1 finding (1 deny, 0 warn, 0 info) in 2 documents of 1 file\n",
		},
		{
			name: "input errors follow findings and are counted",
			res: Result{
				Errors:  []InputError{{File: "a.yaml", Line: 2, Message: "bad indent"}, {File: "b.yaml", Message: "no such file"}},
				Summary: Summary{Files: 2, Errors: 2},
			},
			want: "a.yaml:2: error: bad indent\nb.yaml: error: no such file\n" +
				"no findings in 0 documents of 2 files, 2 input errors\n",
		},
		{
			name: "control characters from the input are escaped onto one line",
			res: Result{
				Findings: []Entry{{
					Finding: policies.Finding{Rule: "MG2003", Severity: policies.Deny, Message: "protocol \"gr\x1b[2Jpc\nx\" is unknown", Path: "spec.ports[0]\r"},
					File:    "bad\xffname.yaml", Line: 3,
				}},
				Summary: Summary{Files: 1, Documents: 1, Findings: 1, Deny: 1},
			},
			want: "bad\ufffdname.yaml:3: [MG2003] protocol \"gr\\x1b[2Jpc\\nx\" is unknown (spec.ports[0]\\r)\n" +
				"1 finding (1 deny, 0 warn, 0 info) in 1 document of 1 file\n",
		},
		{
			name: "clean run says no findings",
			res:  Result{Summary: Summary{Files: 2, Documents: 4}},
			want: "no findings in 4 documents of 2 files\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := Text(&b, tc.res, Options{}); err != nil {
				t.Fatal(err)
			}
			if got := b.String(); got != tc.want {
				t.Errorf("Text =\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestTextColor(t *testing.T) {
	tests := []struct {
		name     string
		color    bool
		contains []string
	}{
		{"without colour there are no escape bytes", false, nil},
		{"with colour each code takes its severity's colour", true, []string{
			"\x1b[36m[MG4001]\x1b[0m", // info: cyan
			"\x1b[31m[MG2001]\x1b[0m", // deny: red
			"\x1b[33m[MG2004]\x1b[0m", // warn: yellow
			"\x1b[31merror:\x1b[0m",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := Text(&b, fixture(), Options{Color: tc.color}); err != nil {
				t.Fatal(err)
			}
			got := b.String()
			if !tc.color && strings.Contains(got, "\x1b") {
				t.Errorf("Text with Color false contains an escape byte:\n%q", got)
			}
			for _, s := range tc.contains {
				if !strings.Contains(got, s) {
					t.Errorf("Text with Color true lacks %q:\n%q", s, got)
				}
			}
		})
	}
}
