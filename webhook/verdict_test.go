package webhook

import (
	"fmt"
	"sort"
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

// ignoreEntry is MG0004 as the rule words it for one unknown code in
// meshguard.io/ignore: two such findings wrap into lines that end alike.
func ignoreEntry(code string) policies.Finding {
	return policies.Finding{Rule: "MG0004", Severity: policies.Warn,
		Message: `meshguard.io/ignore entry "` + code + `" is no rule meshguard has, so it suppresses nothing (meshguard rules lists them)`,
		Path:    `metadata.annotations["meshguard.io/ignore"]`}
}

// The API server keeps one warning of a text per request, so every line of a
// response must differ from the others, or a finding loses its end. Each
// finding must still be readable whole from the lines of its code and tag.
func TestWarningsAreUniqueWithinAResponse(t *testing.T) {
	long := strings.Repeat("the same long words again and again, ", 4)
	cases := []struct {
		name     string
		findings []policies.Finding
	}{{
		name:     "two unknown codes in meshguard.io/ignore keep their ends",
		findings: []policies.Finding{ignoreEntry("MG9998"), ignoreEntry("MG9999")},
	}, {
		name:     "four findings of one rule",
		findings: []policies.Finding{ignoreEntry("MG9996"), ignoreEntry("MG9997"), ignoreEntry("MG9998"), ignoreEntry("MG9999")},
	}, {
		name: "findings that start alike and differ only in their path",
		findings: []policies.Finding{
			{Rule: "MG2004", Severity: policies.Warn, Message: long + "port open", Path: "spec.ports[0]"},
			{Rule: "MG2004", Severity: policies.Warn, Message: long + "port open", Path: "spec.ports[1]"},
		},
	}, {
		name: "a long value split into equal parts",
		findings: []policies.Finding{
			{Rule: "MG3001", Severity: policies.Warn, Message: "value " + strings.Repeat("x", 400), Path: "spec.hosts[0]"},
		},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			lines := Verdict(tc.findings).Warnings
			seen := map[string]bool{}
			total := 0
			for _, l := range lines {
				if seen[l] {
					t.Errorf("warning %q is given twice: the API server drops the second", l)
				}
				seen[l] = true
				if n := utf8.RuneCountInString(l); n > MaxWarning {
					t.Errorf("warning of %d characters: %q", n, l)
				}
				total += utf8.RuneCountInString(l)
			}
			// Each finding is whole: its lines, by the code and tag they
			// start with, give back all its words.
			var found [][]string
			latest := map[string]int{} // code and tag: its last finding's index in found
			for _, l := range lines {
				code, rest, _ := strings.Cut(l, "] ")
				key := code
				if tag, after, ok := strings.Cut(rest, " "); ok && strings.HasPrefix(tag, "#") {
					tag, _, _ = strings.Cut(tag, ".") // a part: "#1.2"
					key, rest = code+tag, after
				}
				if rest, ok := strings.CutPrefix(rest, "…"); ok {
					i := latest[key]
					found[i] = append(found[i], rest)
					continue
				}
				latest[key] = len(found)
				found = append(found, []string{rest})
			}
			var got []string
			for _, words := range found {
				got = append(got, strings.ReplaceAll(strings.Join(words, " "), " ", ""))
			}
			var want []string
			for _, f := range tc.findings {
				want = append(want, strings.ReplaceAll(f.Message+" ("+f.Path+")", " ", ""))
			}
			sort.Strings(got)
			sort.Strings(want)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("findings not whole:\n%s\ngot back\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// The repro: the second MG0004's last line used to be the first's, so the
// API server dropped it. The first finding reads as before; the second is
// numbered on each of its lines.
func TestWarningsNumberTheSecondFindingOfARule(t *testing.T) {
	got := Verdict([]policies.Finding{ignoreEntry("MG9998"), ignoreEntry("MG9999")}).Warnings
	want := []string{
		`[MG0004] meshguard.io/ignore entry "MG9998" is no rule meshguard has, so it suppresses nothing (meshguard rules lists`,
		`[MG0004] …them) (metadata.annotations["meshguard.io/ignore"])`,
		`[MG0004] #2 meshguard.io/ignore entry "MG9999" is no rule meshguard has, so it suppresses nothing (meshguard rules lists`,
		`[MG0004] #2 …them) (metadata.annotations["meshguard.io/ignore"])`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The same finding twice is said once, as the API server would.
	if got := Verdict([]policies.Finding{ignoreEntry("MG9998"), ignoreEntry("MG9998")}).Warnings; len(got) != 2 {
		t.Errorf("the same finding twice gave %q", got)
	}
}

// Past 4096 characters of warnings the API server cuts each to 256 and drops
// the ones after: meshguard stops at MaxWarnings, between findings, and says
// how many it left out.
func TestWarningsStayWithinTheAPIServersLimit(t *testing.T) {
	var fs []policies.Finding
	for i := range 60 {
		fs = append(fs, ignoreEntry(fmt.Sprintf("MG9%03d", i)))
	}
	lines := Verdict(fs).Warnings
	total := 0
	for _, l := range lines {
		total += utf8.RuneCountInString(l)
		if n := utf8.RuneCountInString(l); n > MaxWarning {
			t.Errorf("warning of %d characters: %q", n, l)
		}
	}
	if total > MaxWarnings || MaxWarnings > 4096 {
		t.Errorf("%d characters of warnings, want at most %d (and that under the API server's 4096)", total, MaxWarnings)
	}
	last := lines[len(lines)-1]
	shown := (len(lines) - 1) / 2
	if want := fmt.Sprintf("[meshguard] %d more findings not shown", len(fs)-shown); !strings.HasPrefix(last, want) {
		t.Errorf("last warning %q, want it to start %q", last, want)
	}
	if (len(lines)-1)%2 != 0 {
		t.Errorf("a finding is shown in part: %d lines before the last", len(lines)-1)
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

// TestWarningsLeaveRoomForTheAPIServers: the API server's own warnings
// (one per unknown field, under fieldValidation Warn) share its 4096
// characters with meshguard's; with 45 of them, the 3 KiB budget pushed
// the total past the limit, and the API server dropped the end of a
// finding and the line saying how many were left out.
func TestWarningsLeaveRoomForTheAPIServers(t *testing.T) {
	var fs []policies.Finding
	apiServer := 0
	for i := range 45 {
		path := fmt.Sprintf("spec.unknownField%02d", i)
		fs = append(fs, policies.Finding{Rule: "MG2001", Severity: policies.Warn, Message: fmt.Sprintf("unknown field %q is dropped by the API server", path), Path: path})
		apiServer += utf8.RuneCountInString(fmt.Sprintf("unknown field %q", path))
	}
	for i := range 40 {
		fs = append(fs, policies.Finding{Rule: "MG2004", Severity: policies.Warn, Path: fmt.Sprintf("spec.ports[%d].protocol", i),
			Message: fmt.Sprintf(`Egress curl/many allows "tcp" port %d to any destination: spec.ipAddresses is empty, so osm-edge matches by port alone`, 1000+i)})
	}
	lines := Verdict(fs).Warnings
	total := apiServer
	for _, l := range lines {
		total += utf8.RuneCountInString(l)
	}
	if total > 4096 {
		t.Errorf("%d characters with the API server's %d, over its 4096", total, apiServer)
	}
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "[meshguard] ") {
		t.Errorf("last warning %q, want the count of findings left out", last)
	}
}
