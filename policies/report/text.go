package report

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/meshguard/meshguard/policies"
)

// Plain ANSI SGR sequences: every terminal meshguard targets understands them,
// so a colour library would add a dependency and nothing else.
const (
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
	ansiReset  = "\x1b[0m"
)

// Text writes one line per finding, `file:line: [MGxxxx] message (path)`, one
// line per input error, `file:line: error: message`, and a summary line. The
// findings keep the order of res.Findings. Only opts.Color adds escape codes.
func Text(w io.Writer, res Result, opts Options) error {
	var b bytes.Buffer
	for _, e := range res.Findings {
		code := "[" + e.Rule + "]"
		if opts.Color {
			code = severityColor(e.Severity) + code + ansiReset
		}
		fmt.Fprintf(&b, "%s: %s %s", position(e.File, e.Line), code, printable(e.Message))
		if e.Path != "" {
			fmt.Fprintf(&b, " (%s)", printable(e.Path))
		}
		b.WriteByte('\n')
	}
	for _, ie := range res.Errors {
		label := "error:"
		if opts.Color {
			label = ansiRed + label + ansiReset
		}
		fmt.Fprintf(&b, "%s: %s %s\n", position(ie.File, ie.Line), label, printable(ie.Message))
	}
	for _, sk := range res.Skipped {
		fmt.Fprintf(&b, "%s: skipped: %s\n", position(sk.File, 0), printable(sk.Message))
	}
	b.WriteString(summaryLine(res.Summary))
	b.WriteByte('\n')
	_, err := w.Write(b.Bytes())
	return err
}

// position is `file:line`, or `file` alone when the line is unknown.
func position(file string, line int) string {
	file = printable(file)
	if line > 0 {
		return fmt.Sprintf("%s:%d", file, line)
	}
	return file
}

// printable escapes control characters (as Go would quote them: \n, \x1b,
// \u0085) and replaces invalid UTF-8. Messages quote values from the input, so
// without this a YAML string could break the one-line-per-finding contract,
// send escape sequences to the terminal, or make the JUnit XML unreadable.
func printable(s string) string {
	i := strings.IndexFunc(s, needsEscape)
	if i < 0 && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		s = s[size:]
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
		case needsEscape(r):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// needsEscape reports C0 controls but tab, DEL, C1 controls, and the two
// non-characters XML forbids.
func needsEscape(r rune) bool {
	return r < 0x20 && r != '\t' || r >= 0x7f && r <= 0x9f || r == 0xfffe || r == 0xffff
}

func severityColor(s policies.Severity) string {
	switch s {
	case policies.Deny:
		return ansiRed
	case policies.Warn:
		return ansiYellow
	}
	return ansiCyan
}

// summaryLine is e.g. "3 findings (1 deny, 2 warn, 0 info) in 4 documents of
// 2 files, 1 input error", or "no findings in 4 documents of 2 files".
func summaryLine(s Summary) string {
	var line string
	if s.Findings == 0 {
		line = "no findings"
	} else {
		line = fmt.Sprintf("%s (%d deny, %d warn, %d info)", plural(s.Findings, "finding"), s.Deny, s.Warn, s.Info)
	}
	line += fmt.Sprintf(" in %s of %s", plural(s.Documents, "document"), plural(s.Files, "file"))
	if s.Errors > 0 {
		line += ", " + plural(s.Errors, "input error")
	}
	if s.Skipped > 0 {
		line += ", " + plural(s.Skipped, "file") + " skipped"
	}
	return line
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
