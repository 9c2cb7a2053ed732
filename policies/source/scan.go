package source

import (
	"errors"
	"fmt"
	"hash/crc32"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Scanner reads scripts and runbooks.
type Scanner struct {
	Bases Bases
	// Emit receives each document found.
	Emit func(*Document) error
	// Ref receives each file or folder a kubectl command reads with -f.
	Ref func(Ref)
	// Delete receives each kubectl delete of Egress policies or namespaces.
	Delete func(Deletion)
	// Relabel receives each command that changes namespaces' labels or
	// annotations.
	Relabel func(NamespaceChange)
	// Judged reports whether meshguard judges objects of an apiVersion and
	// kind. In Markdown, a manifest that does not parse is an error only when
	// it names such an object: documentation is full of snippets meshguard
	// has no business with. Nil judges everything.
	Judged func(apiVersion, kind string) bool
	// vars are the variables the blocks of one runbook assign (Script.vars).
	vars map[string]string
	// written are the files the blocks of one runbook write (Script.written).
	written map[string]*writtenFile
}

// Shell scans a shell script.
func (sc *Scanner) Shell(file string, src []byte) error {
	sc.vars, sc.written = map[string]string{}, map[string]*writtenFile{}
	s := &Script{File: file, Dir: filepath.Dir(file), Bases: sc.Bases, Emit: sc.Emit, Ref: sc.Ref, Delete: sc.Delete, Relabel: sc.Relabel, vars: sc.vars, written: sc.written,
		Aliases: expandsAliases(src)}
	return s.Scan(src)
}

// Markdown scans the fenced code blocks of a Markdown file: YAML blocks as
// manifests, shell blocks as scripts. Markdown holds snippets, not programs, so
// a shell block that does not parse as a whole is scanned line by line, and a
// YAML block that does not parse is an error only when it looks like a manifest
// (apiVersion and kind at the top level).
func (sc *Scanner) Markdown(file string, src []byte) error {
	sc.vars, sc.written = map[string]string{}, map[string]*writtenFile{}
	// Documentation's <placeholders> are values for the reader to fill in,
	// in YAML blocks and here-documents alike.
	emit := sc.Emit
	defer func() { sc.Emit = emit }()
	sc.Emit = func(d *Document) error {
		markPlaceholders(d)
		return emit(d)
	}
	// An input error in one block leaves the others to be read: it is
	// returned with the rest, after them.
	var problems ParseErrors
	keep := problems.keep
	for _, b := range CodeBlocks(src) {
		switch {
		case b.Inline:
			// A command quoted in a sentence or a table: an example to
			// check, not a step of the runbook (Script.aside). One that is
			// not a shell command (prose) is passed over.
			s := &Script{File: file, Dir: filepath.Dir(file), LineOffset: b.Line - 1, Bases: sc.Bases, Emit: sc.Emit, broken: sc.names, vars: sc.vars, aside: true, Aliases: true}
			err := s.Scan(Placeholders(b.Body))
			var pe *ParseError
			if errors.As(err, &pe) && pe.Shell {
				continue
			}
			if err := keep(err); err != nil {
				return err
			}
		case b.IsYAML():
			err := DecodeYAMLBytes(file, b.Body, b.Line-1, func(d *Document) error {
				if d.Object["kind"] == nil {
					return nil
				}
				return sc.Emit(d)
			})
			var pe *ParseError
			if errors.As(err, &pe) && !(looksLikeManifest(b.Body) && sc.names(b.Body)) {
				continue
			}
			if err := keep(err); err != nil {
				return err
			}
		case b.IsShell():
			body := Placeholders(Commands(b.Body))
			s := &Script{File: file, Dir: filepath.Dir(file), LineOffset: b.Line - 1, Bases: sc.Bases, Emit: sc.Emit, Ref: sc.Ref, Delete: sc.Delete, Relabel: sc.Relabel, broken: sc.names, vars: sc.vars, written: sc.written, Aliases: true}
			err := s.Scan(body)
			var pe *ParseError
			if !errors.As(err, &pe) || !pe.Shell {
				if err := keep(err); err != nil {
					return err
				}
				continue
			}
			if err := keep(sc.lineByLine(file, b.Line-1, body)); err != nil {
				return err
			}
		}
	}
	return problems.orNil()
}

// names reports whether YAML that does not parse names an object meshguard
// judges: an apiVersion and kind pair of one of its documents, read line by
// line since the YAML cannot be.
func (sc *Scanner) names(body []byte) bool {
	if sc.Judged == nil {
		return true
	}
	for _, doc := range strings.Split("\n"+string(body), "\n---") {
		apiVersion, kind := "", ""
		for _, l := range strings.Split(doc, "\n") {
			t := strings.TrimLeft(l, " \t-")
			if v, ok := strings.CutPrefix(t, "apiVersion:"); ok && apiVersion == "" {
				apiVersion = strings.Trim(strings.TrimSpace(v), `"'`)
			}
			if v, ok := strings.CutPrefix(t, "kind:"); ok && kind == "" {
				kind = strings.Trim(strings.TrimSpace(v), `"'`)
			}
		}
		if (apiVersion != "" || kind != "") && sc.Judged(apiVersion, kind) {
			return true
		}
	}
	return false
}

// lineByLine scans each command of a block that is not a valid script on its
// own (a continuation joins lines); commands that still do not parse are
// skipped, since prose and output are not commands.
func (sc *Scanner) lineByLine(file string, offset int, body []byte) error {
	var problems ParseErrors
	lines := strings.Split(string(body), "\n")
	for i := 0; i < len(lines); i++ {
		start := i
		cmd := lines[i]
		for strings.HasSuffix(cmd, "\\") && i+1 < len(lines) {
			i++
			cmd += "\n" + lines[i]
		}
		if !mentionsKubectl(cmd) {
			continue
		}
		s := &Script{File: file, Dir: filepath.Dir(file), LineOffset: offset + start, Bases: sc.Bases, Emit: sc.Emit, Ref: sc.Ref, Delete: sc.Delete, Relabel: sc.Relabel, broken: sc.names, vars: sc.vars, written: sc.written, Aliases: true}
		err := s.Scan([]byte(cmd))
		var pe *ParseError
		var pes ParseErrors
		switch {
		case errors.As(err, &pes):
			problems = append(problems, pes...)
		case errors.As(err, &pe) && pe.Shell:
		case errors.As(err, &pe):
			problems = append(problems, pe)
		case err != nil:
			return err
		}
	}
	return problems.orNil()
}

// expandsAliases reports whether the shell a script's first line names
// expands aliases in a script: sh (dash, ash), zsh and ksh do; bash, and a
// script without that line (run with bash), do not until shopt -s
// expand_aliases (Script.noteAlias).
func expandsAliases(src []byte) bool {
	line, _, _ := strings.Cut(string(src), "\n")
	if !strings.HasPrefix(line, "#!") {
		return false
	}
	fields := strings.Fields(strings.TrimPrefix(line, "#!"))
	if len(fields) == 0 {
		return false
	}
	shell := filepath.Base(fields[0])
	if shell == "env" && len(fields) > 1 {
		shell = filepath.Base(fields[len(fields)-1])
	}
	switch shell {
	case "sh", "dash", "ash", "zsh", "ksh", "mksh":
		return true
	}
	return false
}

// docPlaceholder is a value documentation leaves for its reader to fill
// in: <app pod's service account name>, <osm-namespace>.
var docPlaceholder = regexp.MustCompile(`^<[^<>\n]+>$`)

// markPlaceholders takes the <placeholder> values of a runbook's YAML for
// values meshguard does not know, as the shell expansions of a script's
// here-documents are: nothing is said of them, and a message that shows
// one shows it as written.
func markPlaceholders(d *Document) {
	n := 0
	var walk func(v any) any
	walk = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			// In key order: the tokens must be the same each time the
			// document is read.
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				x[k] = walk(x[k])
			}
		case []any:
			for i, e := range x {
				x[i] = walk(e)
			}
		case string:
			if docPlaceholder.MatchString(x) {
				token := fmt.Sprintf("%s_%08x_%d_%d_", Placeholder, crc32.ChecksumIEEE([]byte(d.File)), d.Line, n)
				n++
				if d.Unknown == nil {
					d.Unknown = map[string]string{}
				}
				d.Unknown[token] = x
				return token
			}
		}
		return v
	}
	walk(d.Object)
}
