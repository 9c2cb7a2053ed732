package webhook

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/meshguard/meshguard/policies"
)

// MaxWarning is the longest warning meshguard returns, in characters, so that
// kubectl prints it on one line, whole.
const MaxWarning = 120

// MaxWarnings is how many characters of warnings meshguard returns in one
// response. The API server keeps 4096 characters of warnings per request,
// its own and every webhook's together; past that it cuts each warning to
// 256 characters and drops the ones after (k8s.io/apiserver
// pkg/endpoints/filters/warning.go, truncateAtTotalRunes). The rest is left
// to the API server's own warnings (an unknown field) and other webhooks.
const MaxWarnings = 3 * 1024

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
// (Verdict renders a response's findings with Warnings, which also keeps
// their lines apart.)
func WarningLines(f policies.Finding) []string {
	return wrap(f, "", false)
}

// Warnings renders the warn findings of one response as its warnings:
// WarningLines of each, every line different from every other. The API
// server drops a warning whose text an earlier one of the same request had
// (k8s.io/apiserver pkg/endpoints/filters/warning.go, recorder.AddWarning),
// so two findings of a rule whose wrapped lines end alike ("…them)
// (metadata.annotations[...])") would lose the second's end. A finding
// whose lines would repeat one is numbered among its rule's findings on
// each of its lines ("[MG0004] #2 ..."), after the code, which stays as
// every line has it; one whose own lines repeat each other (a long value
// split into equal parts) numbers its parts too ("[MG0004] #1.2 …"). The same finding twice is said once. Findings past
// MaxWarnings characters are not shown, one last warning saying how many.
func Warnings(findings []policies.Finding) []string {
	seen := map[string]bool{}
	said := map[string]bool{}
	nth := map[string]int{}
	var out []string
	total := 0
	// Room is kept for the line that says what is left out, and for the
	// API server's own warnings in the same 4 KiB: one per field it does
	// not know (`unknown field "spec.x"`), which MG1001 and MG2001 name.
	budget := MaxWarnings - MaxWarning
	for _, f := range findings {
		if unknownFieldRules[f.Rule] && f.Path != "" {
			budget -= len(`unknown field ""`) + utf8.RuneCountInString(f.Path)
		}
	}
	for i, f := range findings {
		if said[Line(f)] {
			continue
		}
		lines := distinct(f, nth[f.Rule]+1, seen)
		n := 0
		for _, l := range lines {
			n += utf8.RuneCountInString(l)
		}
		// Room is kept for the line that says what is left out.
		if total+n > budget {
			left := map[string]bool{}
			for _, g := range findings[i:] {
				if !said[Line(g)] {
					left[Line(g)] = true
				}
			}
			return append(out, fmt.Sprintf("[meshguard] %d more findings not shown: the API server passes on about 4 KiB of warnings; meshguard validate lists them", len(left)))
		}
		said[Line(f)] = true
		nth[f.Rule]++
		total += n
		for _, l := range lines {
			seen[l] = true
		}
		out = append(out, lines...)
	}
	return out
}

// unknownFieldRules are the rules that name a field the API server does
// not know, which it warns of itself (fieldValidation Warn).
var unknownFieldRules = map[string]bool{"MG1001": true, "MG2001": true}

// distinct renders f, the nth finding of its rule in the response, so that
// none of its lines is in seen nor repeats another: as WarningLines does if
// that does, else numbered (the first number from n on that does).
func distinct(f policies.Finding, n int, seen map[string]bool) []string {
	fresh := func(lines []string) bool {
		own := map[string]bool{}
		for _, l := range lines {
			if seen[l] || own[l] {
				return false
			}
			own[l] = true
		}
		return true
	}
	if lines := wrap(f, "", false); fresh(lines) {
		return lines
	}
	// Some number is free: seen holds finitely many lines, and a part
	// numbered line is unique within its finding.
	for k := n; ; k++ {
		tag := "#" + strconv.Itoa(k)
		if lines := wrap(f, tag, false); fresh(lines) {
			return lines
		}
		if lines := wrap(f, tag, true); fresh(lines) {
			return lines
		}
	}
}

// wrap is WarningLines with tag ("#2") after the rule code of every line
// and, with parts, each line after the first numbered ("#2.2", "#2.3", ...).
func wrap(f policies.Finding, tag string, parts bool) []string {
	code := "[" + f.Rule + "] "
	first := code
	if tag != "" {
		first += tag + " "
	}
	if s := first + f.Message; f.Path == "" && utf8.RuneCountInString(s) <= MaxWarning {
		return []string{s}
	} else if s += " (" + f.Path + ")"; f.Path != "" && utf8.RuneCountInString(s) <= MaxWarning {
		return []string{s}
	}
	var lines []string
	// The next line's start: the code, tag and part, then "…" after the first.
	head := func() string {
		switch {
		case len(lines) == 0:
			return first
		case parts:
			return code + tag + "." + strconv.Itoa(len(lines)+1) + " …"
		}
		return first + "…"
	}
	// The longest head a line gets, so that a long word's parts fit after it.
	widest := utf8.RuneCountInString(first + "…")
	if parts {
		widest += len(".999")
	}
	words := strings.Fields(f.Message)
	if f.Path != "" {
		words = append(words, "("+f.Path+")")
	}
	start := head()
	line := start
	for _, w := range words {
		// A word longer than a whole line is split; it has no better place.
		for utf8.RuneCountInString(w) > MaxWarning-widest-len(" ") {
			if line != start {
				lines = append(lines, line)
				start = head()
				line = start
			}
			r := []rune(w)
			n := MaxWarning - utf8.RuneCountInString(line)
			lines = append(lines, line+string(r[:n]))
			w = string(r[n:])
			start = head()
			line = start
		}
		sep := " "
		if line == start {
			sep = ""
		}
		if utf8.RuneCountInString(line+sep+w) > MaxWarning {
			lines = append(lines, line)
			start = head()
			line, sep = start, ""
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
	var denies []string
	var warns []policies.Finding
	for _, f := range sorted(findings) {
		switch f.Severity {
		case policies.Deny:
			denies = append(denies, Line(f))
		case policies.Warn:
			warns = append(warns, f)
		}
	}
	warnings := Warnings(warns)
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
		return policies.PathLess(out[i].Path, out[j].Path)
	})
	return out
}
