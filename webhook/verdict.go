package webhook

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/meshguard/meshguard/policies"
)

// MaxWarning is the longest warning meshguard returns, in characters, so that
// kubectl prints it on one line, whole.
const MaxWarning = 120

// Line renders a finding as the webhook shows it: "[MG2003] message (path)".
func Line(f policies.Finding) string {
	s := "[" + f.Rule + "] " + f.Message
	if f.Path != "" {
		s += " (" + f.Path + ")"
	}
	return s
}

// WarningLines renders a finding as kubectl warnings of at most MaxWarning
// characters each. A message that does not fit is wrapped at word boundaries
// over several warnings, each starting with the rule code so that none is
// ambiguous on its own, the next ones with "…"; the field path ends the last.
// Nothing is cut: kubectl prints each warning whole, on its own line.
func WarningLines(f policies.Finding) []string {
	s := Line(f)
	if utf8.RuneCountInString(s) <= MaxWarning {
		return []string{s}
	}
	head := "[" + f.Rule + "] "
	words := strings.Fields(f.Message)
	if f.Path != "" {
		words = append(words, "("+f.Path+")")
	}
	var lines []string
	line := head
	for _, w := range words {
		// A word longer than a whole line is split; it has no better place.
		for utf8.RuneCountInString(w) > MaxWarning-utf8.RuneCountInString(head+"… ") {
			if line != head && line != head+"…" {
				lines = append(lines, line)
				line = head + "…"
			}
			r := []rune(w)
			n := MaxWarning - utf8.RuneCountInString(line)
			lines = append(lines, line+string(r[:n]))
			line, w = head+"…", string(r[n:])
		}
		sep := " "
		if line == head || line == head+"…" {
			sep = ""
		}
		if utf8.RuneCountInString(line+sep+w) > MaxWarning {
			lines = append(lines, line)
			line, sep = head+"…", ""
		}
		line += sep + w
	}
	return append(lines, line)
}

// Verdict turns findings into an admission response: allowed unless a finding
// is deny-level; one denial lists every deny finding, warn findings become
// warnings. Info findings are not shown to the user: they are counted in the
// metrics and logged.
func Verdict(findings []policies.Finding) admission.Response {
	var denies, warnings []string
	for _, f := range sorted(findings) {
		switch f.Severity {
		case policies.Deny:
			denies = append(denies, Line(f))
		case policies.Warn:
			warnings = append(warnings, WarningLines(f)...)
		}
	}
	if len(denies) > 0 {
		msg := denies[0]
		if len(denies) > 1 {
			msg = fmt.Sprintf("%d problems:\n%s", len(denies), strings.Join(denies, "\n"))
		}
		return admission.Denied(msg).WithWarnings(warnings...)
	}
	return admission.Allowed("").WithWarnings(warnings...)
}

func sorted(in []policies.Finding) []policies.Finding {
	out := append([]policies.Finding(nil), in...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Rule != out[j].Rule {
			return out[i].Rule < out[j].Rule
		}
		return out[i].Path < out[j].Path
	})
	return out
}
