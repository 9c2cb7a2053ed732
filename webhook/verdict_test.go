package webhook

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/meshguard/meshguard/policies"
)

func TestWarningLinesShort(t *testing.T) {
	f := policies.Finding{Rule: "MG2004", Severity: policies.Warn, Message: "port 5432 is open to any destination", Path: "spec.ports[0]"}
	got := WarningLines(f)
	if len(got) != 1 || got[0] != "[MG2004] port 5432 is open to any destination (spec.ports[0])" {
		t.Fatalf("got %q", got)
	}
}

// A long message is wrapped, never cut: every word comes back, in order, each
// line fits, and each line names the rule.
func TestWarningLinesWrapKeepsEveryWord(t *testing.T) {
	msg := strings.Repeat("Egress curl/httpbin-with-a-rather-long-name restricts nothing while passthrough is on; ", 5) +
		strings.Repeat("x", 300)
	f := policies.Finding{Rule: "MG3001", Severity: policies.Warn, Message: msg, Path: "metadata.name"}
	lines := WarningLines(f)
	if len(lines) < 4 {
		t.Fatalf("expected several lines, got %q", lines)
	}
	var rebuilt []string
	for i, l := range lines {
		if n := utf8.RuneCountInString(l); n > MaxWarning {
			t.Errorf("line %d has %d characters: %q", i, n, l)
		}
		rest, ok := strings.CutPrefix(l, "[MG3001] ")
		if !ok {
			t.Fatalf("line %d does not start with the code: %q", i, l)
		}
		if i > 0 {
			if rest, ok = strings.CutPrefix(rest, "…"); !ok {
				t.Fatalf("continuation line %d has no ellipsis: %q", i, l)
			}
		}
		rebuilt = append(rebuilt, rest)
	}
	got := strings.Join(rebuilt, " ")
	want := strings.Join(append(strings.Fields(msg), "(metadata.name)"), " ")
	// The 300-character word is split across lines without a space.
	if strings.ReplaceAll(got, " ", "") != strings.ReplaceAll(want, " ", "") {
		t.Errorf("words lost or reordered:\n got %s\nwant %s", got, want)
	}
	if !strings.HasSuffix(lines[len(lines)-1], "(metadata.name)") {
		t.Errorf("the path does not end the last line: %q", lines[len(lines)-1])
	}
}

func TestVerdict(t *testing.T) {
	deny := policies.Finding{Rule: "MG2003", Severity: policies.Deny, Message: "bad protocol", Path: "spec.ports[0].protocol"}
	deny2 := policies.Finding{Rule: "MG2007", Severity: policies.Deny, Message: "bad cidr", Path: "spec.ipAddresses[0]"}
	warn := policies.Finding{Rule: "MG3001", Severity: policies.Warn, Message: "restricts nothing"}
	info := policies.Finding{Rule: "MG0003", Severity: policies.Info, Message: "fyi"}

	r := Verdict([]policies.Finding{warn, info})
	if !r.Allowed || len(r.Warnings) != 1 || r.Warnings[0] != "[MG3001] restricts nothing" {
		t.Errorf("warn only: %+v", r)
	}
	r = Verdict([]policies.Finding{deny2, warn, deny})
	if r.Allowed || r.Result.Code != 403 {
		t.Fatalf("deny: %+v", r)
	}
	want := "2 problems:\n[MG2003] bad protocol (spec.ports[0].protocol)\n[MG2007] bad cidr (spec.ipAddresses[0])"
	if r.Result.Message != want || len(r.Warnings) != 1 {
		t.Errorf("message %q warnings %q", r.Result.Message, r.Warnings)
	}
	if r = Verdict(nil); !r.Allowed || len(r.Warnings) != 0 {
		t.Errorf("no findings: %+v", r)
	}
}
