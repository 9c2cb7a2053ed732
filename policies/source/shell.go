package source

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/syntax"
	"sigs.k8s.io/yaml"
)

// At is where a command stands: its file, line and column, and for one of
// the documents it sends (a here-document's), the document's place among
// them.
type At struct {
	File         string
	Line, Column int
	Seq          int
}

// Before reports whether a comes before b in a file, in the order a shell
// runs them: an earlier line, an earlier command on the same line (kubectl
// patch ... && kubectl patch ...), an earlier document of one command.
func (a At) Before(b At) bool {
	if a.Line != b.Line {
		return a.Line < b.Line
	}
	if a.Column != b.Column {
		return a.Column < b.Column
	}
	return a.Seq < b.Seq
}

// refSeq spaces the -f of one command in At.Seq, leaving room for the
// files of a folder in between.
const refSeq = 1 << 20

// Ref is a kubectl apply, create or replace -f of files or a folder.
type Ref struct {
	Path      string
	At        At
	Verb      string
	Recursive bool // -R: a folder's subfolders too
	DryRun    bool // --dry-run: nothing changes on the cluster
	// FieldValidation is the command's, as on Document.
	FieldValidation string
}

// Bases finds the stored object a kubectl patch in a script applies to: the
// install-default MeshConfig, or an object defined among the inputs.
type Bases interface {
	// Base returns the object of kind r named namespace/name that a command
	// at at patches, or nil; assumed when no input nor command above shows
	// it, and it is a default given that name (Document.AssumedBase).
	Base(at At, r Resource, namespace, name string) (obj map[string]any, assumed bool)
	// Installed returns the MeshConfig osm install leaves in namespace (""
	// for the default) given the chart values it sets, or nil.
	Installed(namespace string, set map[string]any) map[string]any
}

// Script scans shell source for kubectl patch, apply, create and replace
// commands. Each command that touches a MeshConfig or a policy kind becomes a
// document at the command's line: a patch is applied to its base, a manifest
// read from a here-document or a pipe is decoded. Files given with -f are
// reported through ref, resolved against dir. lineOffset is added to every line
// (a script embedded in Markdown).
type Script struct {
	File       string
	Dir        string
	LineOffset int
	Bases      Bases
	// Emit receives each document found.
	Emit func(*Document) error
	// Ref receives each file or folder a command reads with -f.
	Ref func(Ref)
	// Delete receives each kubectl delete of Egress policies or namespaces.
	Delete func(Deletion)
	// Relabel receives each command that changes the labels or annotations
	// of namespaces (relabel.go).
	Relabel func(NamespaceChange)
	// Aliases is true when the shell that runs the script expands aliases:
	// an interactive one (a runbook's reader's), sh, zsh and ksh, bash
	// after shopt -s expand_aliases; bash running a script does not.
	Aliases bool
	// inFunction is true while a command in a function's body is read.
	inFunction bool
	src        []byte
	// cmd is the command being read, for the documents it emits.
	cmd struct {
		at     At
		verb   string
		dryRun bool
		// force is replace --force: delete, then create.
		force bool
		// fieldValidation is what the command asks of the API server for
		// fields it does not know (Document.FieldValidation).
		fieldValidation string
	}
	// broken, when set, decides whether a here-document that is not valid
	// YAML is an error (Scanner.names); unset, it always is.
	broken func(body []byte) bool
	// aside marks a kubectl command quoted in a runbook's prose or table
	// (`kubectl patch meshconfig ...`): only a kubectl patch with a patch
	// is read, and it is judged as a dry run, since such a quote is an
	// example, not a step (a table of them lists alternatives).
	aside bool
	// vars are the literal values the script assigns to variables
	// (KUBECTL=kubectl), shared by the blocks of a runbook, to read a
	// command run through one ($KUBECTL patch ...).
	vars map[string]string
	// written are the files the script has written so far, by fileKey
	// (written.go), shared by the blocks of a runbook as vars are.
	written map[string]*writtenFile
}

// Scan parses src as a shell script. A syntax error is returned as a *ParseError.
func (s *Script) Scan(src []byte) error {
	s.src = src
	f, err := syntax.NewParser(syntax.KeepComments(false), syntax.Variant(syntax.LangBash)).Parse(bytes.NewReader(src), s.File)
	if err != nil {
		line := 0
		if pe, ok := err.(syntax.ParseError); ok {
			line = int(pe.Pos.Line())
		}
		return &ParseError{File: s.File, Line: line + s.LineOffset, Msg: "shell syntax error: " + shellErrorText(err), Shell: true}
	}
	if s.vars == nil {
		s.vars = map[string]string{}
	}
	if s.written == nil {
		s.written = map[string]*writtenFile{}
	}
	// A function's assignments and deletes happen where it is called, if
	// at all: they are not taken for the script's own.
	inFunc := map[syntax.Node]bool{}
	syntax.Walk(f, func(node syntax.Node) bool {
		if fn, ok := node.(*syntax.FuncDecl); ok {
			syntax.Walk(fn, func(n syntax.Node) bool {
				switch n.(type) {
				case *syntax.Assign, *syntax.CallExpr:
					inFunc[n] = true
				}
				return true
			})
			return false
		}
		return true
	})
	var walkErr error
	var problems ParseErrors
	// A command meshguard cannot read (a patch that is not JSON or YAML, a
	// here-document that is not YAML) is an input error at its line, and the
	// commands after it are read all the same, as the shell runs them.
	collect := func(err error) error {
		var pe *ParseError
		if errors.As(err, &pe) && !pe.Shell {
			problems = append(problems, pe)
			return nil
		}
		var pes ParseErrors
		if errors.As(err, &pes) {
			problems = append(problems, pes...)
			return nil
		}
		return err
	}
	syntax.Walk(f, func(node syntax.Node) bool {
		if walkErr != nil {
			return false
		}
		switch n := node.(type) {
		case *syntax.Assign:
			// In the order the script runs: K=kubectl ... $K apply ... K=x.
			if n.Name != nil && !n.Append && !n.Naked && n.Index == nil && !inFunc[n] {
				v, ok := "", true // K= is the empty value
				if n.Value != nil {
					v, ok = literal(n.Value)
				}
				if ok {
					s.vars[n.Name.Value] = v
				} else {
					delete(s.vars, n.Name.Value)
				}
				s.forgetWrites(n.Name.Value)
			}
		case *syntax.Stmt:
			if !s.aside {
				s.noteGroupWrites(n)
			}
			if call, ok := n.Cmd.(*syntax.CallExpr); ok {
				s.inFunction = inFunc[call]
				walkErr = collect(s.call(call, n.Redirs, nil))
			}
		case *syntax.BinaryCmd:
			if n.Op == syntax.Pipe || n.Op == syntax.PipeAll {
				if call, ok := n.Y.Cmd.(*syntax.CallExpr); ok {
					s.inFunction = inFunc[call]
					walkErr = collect(s.call(call, n.Y.Redirs, n.X))
					// The right-hand statement is visited again on its own; mark it
					// so it is not scanned twice.
					n.Y.Cmd = nil
				}
			}
		}
		return true
	})
	if walkErr != nil {
		return walkErr
	}
	return problems.orNil()
}

func shellErrorText(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, ": "); i >= 0 && strings.Contains(msg[:i], ":") {
		return msg[i+2:]
	}
	return msg
}

// literal expands a word without running anything: a word with a parameter
// expansion, command or process substitution or arithmetic is not literal.
func literal(w *syntax.Word) (string, bool) {
	v, ok := fields(w)
	if !ok || len(v) != 1 {
		return "", false
	}
	return v[0], true
}

// braceSplit reports whether the shell makes several words of w by brace
// expansion alone: an unquoted {"a":1,"b":2} is "a":1 and "b":2.
func braceSplit(w *syntax.Word) bool {
	v, ok := fields(w)
	return ok && len(v) > 1
}

// fields expands a word without running anything, as the shell passes it
// on: quotes and backslashes removed ({\"a\":1} is {"a":1}, \  a blank,
// which expand.Literal would leave in), braces expanded. ok is false for a
// word with an expansion meshguard cannot make.
func fields(w *syntax.Word) ([]string, bool) {
	dynamic := false
	syntax.Walk(w, func(n syntax.Node) bool {
		switch n.(type) {
		case *syntax.ParamExp, *syntax.CmdSubst, *syntax.ArithmExp, *syntax.ProcSubst, *syntax.ExtGlob:
			dynamic = true
		}
		return !dynamic
	})
	if dynamic {
		return nil, false
	}
	v, err := expand.Fields(nil, w)
	return v, err == nil
}

// Placeholder stands for the value of a shell parameter in a patch
// meshguard reads only in part (shapeOf).
const Placeholder = "MESHGUARD_UNKNOWN_VALUE"

// shapeOf expands a word whose only expansions are plain parameters ($v,
// ${v}, ${v:-x}), each to Placeholder: the patch '{"cpu":'$CPU'}' keeps its
// field names. A command substitution, arithmetic, or a parameter
// expansion that would change the placeholder (${v,,}, ${v#x}, ${#v})
// gives nothing.
func shapeOf(w *syntax.Word) (string, bool) {
	ok := true
	syntax.Walk(w, func(n syntax.Node) bool {
		switch x := n.(type) {
		case *syntax.CmdSubst, *syntax.ArithmExp, *syntax.ProcSubst, *syntax.ExtGlob:
			ok = false
		case *syntax.ParamExp:
			ok = plainParam(x)
		}
		return ok
	})
	if !ok {
		return "", false
	}
	env := expand.FuncEnviron(func(string) string { return Placeholder })
	v, err := expand.Literal(&expand.Config{Env: env}, w)
	return v, err == nil
}

// dynamicFlag reads a word that is a flag and its value in one, the value
// using a shell expansion (--patch='{"cpu":'$CPU'}', -p"$P"): the flag's
// long name, and the value's shape (shapeOf) if it has one.
func dynamicFlag(w *syntax.Word) (name, shape string, ok bool) {
	if len(w.Parts) == 0 {
		return "", "", false
	}
	lit, isLit := w.Parts[0].(*syntax.Lit)
	if !isLit || !strings.HasPrefix(lit.Value, "-") || lit.Value == "-" {
		return "", "", false
	}
	var prefix int
	switch {
	case strings.HasPrefix(lit.Value, "--"):
		j := strings.IndexByte(lit.Value, '=')
		if j < 0 {
			return "", "", false
		}
		name, prefix = lit.Value[2:j], j+1
	default:
		long, known := shorthands[lit.Value[1:2]]
		if !known {
			return "", "", false
		}
		name, prefix = long, 2
		if len(lit.Value) > 2 && lit.Value[2] == '=' {
			prefix = 3
		}
	}
	if !valued[name] {
		return "", "", false
	}
	if s, ok := shapeOf(w); ok && len(s) >= prefix {
		shape = s[prefix:]
	}
	return name, shape, true
}

// plainParam reports whether a parameter expansion gives the parameter's
// value, or a default when it is unset or empty.
func plainParam(p *syntax.ParamExp) bool {
	if p.Param == nil || p.Excl || p.Length || p.Width || p.Index != nil || p.Slice != nil || p.Repl != nil || p.Names != 0 {
		return false
	}
	if p.Exp == nil {
		return true
	}
	switch p.Exp.Op {
	case syntax.DefaultUnset, syntax.DefaultUnsetOrNull, syntax.AssignUnset, syntax.AssignUnsetOrNull, syntax.ErrorUnset, syntax.ErrorUnsetOrNull:
		return true
	}
	return false
}

// kubectl is a parsed kubectl command line.
type kubectl struct {
	verb      string
	files     []string          // every -f/--filename value, in order ("" for one from a shell expansion)
	fileWords []*syntax.Word    // the words that hold them
	args      []string          // positional arguments after the verb
	flags     map[string]string // long names; value "" for booleans
	dynamic   map[string]bool   // flags whose value uses a shell expansion
	shapes    map[string]string // such values with Placeholder for each parameter expansion
	namespace string
	// readAll is true when every word of the command is literal: what
	// meshguard read is the whole command.
	readAll bool
	// strayBlank is true when an argument is a lone escaped blank, what a
	// backslash followed by a space at the end of a line makes.
	strayBlank bool
	// split are the flags whose value the shell splits into several words
	// by brace expansion.
	split map[string]bool
}

// valued are the kubectl flags that take a value, by long name; shorthands map to them.
var valued = map[string]bool{
	"namespace": true, "context": true, "kubeconfig": true, "cluster": true, "user": true, "server": true,
	"token": true, "as": true, "as-group": true, "as-uid": true, "request-timeout": true, "v": true,
	"patch": true, "type": true, "patch-file": true, "filename": true, "kustomize": true, "output": true,
	"field-manager": true, "subresource": true, "selector": true, "timeout": true, "template": true,
	"cascade": true, "grace-period": true, "prune-allowlist": true, "certificate-authority": true,
	"client-certificate": true, "client-key": true, "tls-server-name": true, "cache-dir": true,
	"password": true, "username": true, "log-file": true, "profile": true, "profile-output": true,
}

var shorthands = map[string]string{
	"n": "namespace", "s": "server", "p": "patch", "f": "filename", "k": "kustomize", "o": "output",
	"l": "selector", "v": "v", "R": "recursive",
}

func parseKubectl(words []*syntax.Word) (*kubectl, bool) {
	k := &kubectl{flags: map[string]string{}, dynamic: map[string]bool{}, shapes: map[string]string{}, split: map[string]bool{}, readAll: true}
	for i := 0; i < len(words); i++ {
		arg, ok := literal(words[i])
		if !ok {
			k.readAll = false
			if k.verb == "" {
				// kubectl "$action" -f - <<EOF: a verb meshguard cannot
				// read, kept as written (dynamicVerb).
				k.verb = wordText(words[i])
				continue
			}
			if lit, ok := firstLit(words[i]); ok && strings.HasPrefix(lit, "--validate=") {
				k.dynamic["validate"] = true // --validate="$V"
				continue
			}
			if name, shape, isFlag := dynamicFlag(words[i]); isFlag {
				// --patch='{"a":'$V'}' or -p"$P": a flag whose value uses an
				// expansion, written in the same word.
				k.split[name] = braceSplit(words[i])
				k.dynamic[name] = true
				k.flags[name] = ""
				if shape != "" {
					k.shapes[name] = shape
				}
				if name == "filename" {
					k.files = append(k.files, "")
					k.fileWords = append(k.fileWords, flagValueWord(words[i]))
				}
				continue
			}
			k.args = append(k.args, "")
			continue
		}
		if arg == "--" {
			for _, w := range words[i+1:] {
				a, ok := literal(w)
				k.readAll = k.readAll && ok
				k.args = append(k.args, a)
			}
			break
		}
		name, value, hasValue := "", "", false
		switch {
		case strings.HasPrefix(arg, "--"):
			name = arg[2:]
			if j := strings.IndexByte(name, '='); j >= 0 {
				name, value, hasValue = name[:j], name[j+1:], true
			}
		case strings.HasPrefix(arg, "-") && len(arg) > 1:
			long, known := shorthands[arg[1:2]]
			if !known {
				long = arg[1:2]
			}
			name = long
			if len(arg) > 2 {
				value, hasValue = strings.TrimPrefix(arg[2:], "="), true
			}
		default:
			if k.verb == "" {
				k.verb = arg
			} else {
				k.args = append(k.args, arg)
				k.strayBlank = k.strayBlank || escapedBlank(words[i])
			}
			continue
		}
		var valueWord *syntax.Word
		if valued[name] && !hasValue && i+1 < len(words) {
			i++
			valueWord = words[i]
			v, ok := literal(words[i])
			if !ok {
				k.readAll = false
				k.split[name] = braceSplit(words[i])
				k.dynamic[name] = true
				if shape, ok := shapeOf(words[i]); ok {
					k.shapes[name] = shape
				}
			}
			value = v
		}
		k.flags[name] = value
		if name == "filename" {
			k.files = append(k.files, value)
			if valueWord == nil {
				// -fFILE, --filename=FILE: the value is in the flag's word.
				valueWord = &syntax.Word{Parts: []syntax.WordPart{&syntax.Lit{Value: value}}}
			}
			k.fileWords = append(k.fileWords, valueWord)
		}
	}
	if DynamicVerb(k.verb) && len(k.args) > 0 && kubectlVerbs[k.args[0]] {
		// kubectl $KUBECTL_OPTS apply -f x: the expansion was options.
		k.verb, k.args = k.args[0], k.args[1:]
	}
	k.namespace = k.flags["namespace"]
	return k, k.verb != ""
}

// escapedBlank reports whether a word is a lone backslash-escaped blank,
// what a backslash followed by a space at the end of a line leaves (a
// quoted " " is not one).
func escapedBlank(w *syntax.Word) bool {
	if len(w.Parts) != 1 {
		return false
	}
	lit, ok := w.Parts[0].(*syntax.Lit)
	return ok && (lit.Value == "\\ " || lit.Value == "\\\t")
}

// kubectlVerbs are kubectl commands, to tell options from a shell expansion
// (kubectl $OPTS apply) from a verb that is one (kubectl $action -f).
var kubectlVerbs = map[string]bool{
	"apply": true, "create": true, "replace": true, "patch": true, "delete": true, "get": true, "describe": true,
	"edit": true, "label": true, "annotate": true, "diff": true, "wait": true, "rollout": true, "scale": true,
	"logs": true, "exec": true, "run": true, "expose": true, "set": true,
}

// wordText is a word as written in the script.
func wordText(w *syntax.Word) string {
	var b strings.Builder
	if err := syntax.NewPrinter().Print(&b, w); err != nil || b.Len() == 0 {
		return "$?"
	}
	return b.String()
}

// DynamicVerb reports whether a kubectl verb is a shell expansion, as
// written (kubectl "$action" -f -).
func DynamicVerb(verb string) bool { return strings.ContainsAny(verb, "$`") }

// hasFlag reports whether a boolean flag is set (--force, --force=true).
func hasFlag(k *kubectl, name string) bool {
	v, set := k.flags[name]
	return set && v != "false"
}

// firstLit is a word's leading literal part, if it has one.
func firstLit(w *syntax.Word) (string, bool) {
	if len(w.Parts) == 0 {
		return "", false
	}
	lit, ok := w.Parts[0].(*syntax.Lit)
	if !ok {
		return "", false
	}
	return lit.Value, true
}

// fieldValidation is what kubectl's --validate asks of the API server, as
// kubectl reads it (GetValidationDirective): a boolean first (true, 1, T:
// Strict; false, 0, f: Ignore), else strict, warn or ignore; unset, Strict.
// A client dry run sends nothing, and a value from a shell expansion is not
// known: the caller leaves those out.
func fieldValidation(v string) string {
	if v == "" {
		return "Strict"
	}
	if b, err := strconv.ParseBool(v); err == nil {
		if b {
			return "Strict"
		}
		return "Ignore"
	}
	switch strings.ToLower(v) {
	case "warn":
		return "Warn"
	case "ignore":
		return "Ignore"
	}
	return "Strict"
}

// aliasKey is where an alias is kept among the script's variables.
func aliasKey(name string) string { return "\x00alias " + name }

// noteAlias records what an alias or unalias command defines, as the
// shell of a runbook's reader would (alias kmd="kubectl --kubeconfig x",
// then kmd apply ...); reports whether the command was one.
func (s *Script) noteAlias(args []*syntax.Word) bool {
	name, ok := literal(args[0])
	if ok && name == "shopt" && len(args) == 3 && isLiteral(args[1], "-s") && isLiteral(args[2], "expand_aliases") && !s.inFunction {
		s.Aliases = true
		return true
	}
	if !ok || name != "alias" && name != "unalias" {
		return false
	}
	if s.inFunction {
		return true // defined where the function is called, if at all
	}
	for _, w := range args[1:] {
		v, ok := literal(w)
		if !ok {
			continue
		}
		if name == "unalias" {
			if v == "-a" {
				for k := range s.vars {
					if strings.HasPrefix(k, aliasKey("")) {
						delete(s.vars, k)
					}
				}
			}
			delete(s.vars, aliasKey(v))
			continue
		}
		if a, value, ok := strings.Cut(v, "="); ok && a != "" {
			s.vars[aliasKey(a)] = value
		}
	}
	return true
}

// aliasOf is the command an alias the script defined stands for, when it
// runs kubectl (alias kmd="kubectl --kubeconfig x"): its words, read as the
// shell reads the alias's text. A quoted word is no alias.
func (s *Script) aliasOf(w *syntax.Word) []*syntax.Word {
	if len(w.Parts) != 1 {
		return nil
	}
	lit, ok := w.Parts[0].(*syntax.Lit)
	if !ok {
		return nil
	}
	value, set := s.vars[aliasKey(lit.Value)]
	if !set {
		return nil
	}
	f, err := syntax.NewParser().Parse(strings.NewReader(value), "")
	if err != nil || len(f.Stmts) != 1 {
		return nil
	}
	call, ok := f.Stmts[0].Cmd.(*syntax.CallExpr)
	if !ok || len(call.Args) == 0 || len(call.Assigns) > 0 {
		return nil
	}
	values := make([]string, len(call.Args))
	for i, a := range call.Args {
		v, ok := literal(a)
		if !ok {
			return nil
		}
		values[i] = v
	}
	return kubectlWords(w, values)
}

// kubectlWords are the words a command word w stands for (a variable's or
// an alias's values), when they run kubectl itself or behind a wrapper
// (K="sudo kubectl", "microk8s kubectl"); nil otherwise.
func kubectlWords(w *syntax.Word, values []string) []*syntax.Word {
	words := make([]*syntax.Word, len(values))
	for i, v := range values {
		words[i] = &syntax.Word{Parts: []syntax.WordPart{&syntax.Lit{ValuePos: w.Pos(), ValueEnd: w.Pos(), Value: v}}}
	}
	u := unwrap(words)
	if len(u) == 0 {
		return nil
	}
	if name, ok := literal(u[0]); !ok || !kubectlNames[strings.TrimSuffix(filepath.Base(name), ".exe")] {
		return nil
	}
	return words
}

// commandOf reads a command word that is a variable holding kubectl
// ($KUBECTL, "$kmd" with kmd="kubectl --kubeconfig x", ${KUBECTL:-kubectl}):
// the words it stands for; nil for any other word.
func (s *Script) commandOf(w *syntax.Word) []*syntax.Word {
	var p *syntax.ParamExp
	inQuotes := false
	switch len(w.Parts) {
	case 1:
		switch x := w.Parts[0].(type) {
		case *syntax.ParamExp:
			p = x
		case *syntax.DblQuoted:
			if len(x.Parts) == 1 {
				p, _ = x.Parts[0].(*syntax.ParamExp)
				inQuotes = true
			}
		}
	}
	if p == nil || p.Param == nil || !plainParam(p) {
		return nil
	}
	value, set := s.vars[p.Param.Value]
	if p.Exp != nil && p.Exp.Word != nil && (!set || value == "" && p.Exp.Op == syntax.DefaultUnsetOrNull) &&
		(p.Exp.Op == syntax.DefaultUnset || p.Exp.Op == syntax.DefaultUnsetOrNull) {
		value, set = literal(p.Exp.Word) // ${KUBECTL:-kubectl}
	}
	fields := strings.Fields(value)
	if inQuotes && len(fields) > 1 {
		return nil // "$kmd" is one word: the shell finds no command "kubectl -n x"
	}
	if !set || len(fields) == 0 {
		return nil
	}
	return kubectlWords(w, fields)
}

func (s *Script) call(call *syntax.CallExpr, redirs []*syntax.Redirect, upstream *syntax.Stmt) error {
	args := call.Args
	if len(args) > 0 {
		if words := s.commandOf(args[0]); words != nil {
			args = append(words, args[1:]...)
		} else if words := s.aliasOf(args[0]); words != nil && s.Aliases {
			args = append(words, args[1:]...)
		}
	}
	if len(args) > 0 && s.noteAlias(args) {
		return nil
	}
	args = unwrap(args)
	if len(args) == 0 {
		return nil
	}
	args = s.withSubstitutions(args)
	name, ok := literal(args[0])
	line := int(call.Pos().Line()) + s.LineOffset
	s.cmd.at = At{File: s.File, Line: line, Column: int(call.Pos().Col())}
	s.cmd.verb, s.cmd.dryRun, s.cmd.fieldValidation, s.cmd.force = "", false, "", false
	if s.aside && (!ok || !kubectlNames[strings.TrimSuffix(filepath.Base(name), ".exe")]) {
		return nil
	}
	if ok && !s.aside {
		s.noteWrites(call, name, args[1:], redirs, upstream)
	}
	if ok && filepath.Base(name) == "osm" {
		if len(args) > 1 && isLiteral(args[1], "namespace") {
			s.osmNamespace(args[2:])
			return nil
		}
		return s.osmInstall(args[1:], line)
	}
	if ok && filepath.Base(name) == "helm" {
		return s.helmInstall(args[1:], line)
	}
	if !ok || !kubectlNames[strings.TrimSuffix(filepath.Base(name), ".exe")] {
		return nil
	}
	k, ok := parseKubectl(args[1:])
	if !ok {
		return nil
	}
	if s.aside && (k.verb != "patch" || !hasPatch(k)) {
		return nil
	}
	if k.verb == "apply" && len(k.args) > 0 && lastAppliedCommands[k.args[0]] {
		return nil // shows or rewrites the last-applied annotation only
	}
	s.cmd.verb = k.verb
	if v, set := k.flags["dry-run"]; set && v != "none" && v != "false" || s.aside {
		s.cmd.dryRun = true
	}
	s.cmd.force = k.verb == "replace" && hasFlag(k, "force")
	s.cmd.fieldValidation = ""
	if (k.verb == "apply" || k.verb == "create" || k.verb == "replace") && !k.dynamic["validate"] && k.flags["dry-run"] != "client" {
		s.cmd.fieldValidation = fieldValidation(k.flags["validate"])
	}
	switch {
	case k.verb == "patch":
		return s.patch(k, line)
	case k.verb == "apply", k.verb == "create", k.verb == "replace":
		return s.manifest(k, line, redirs, upstream)
	case k.verb == "delete":
		s.deletion(k, redirs, upstream)
		return nil
	case k.verb == "label" || k.verb == "annotate":
		s.relabel(k)
		return nil
	case k.verb == "edit":
		return s.edit(k, line)
	case DynamicVerb(k.verb) && len(k.files) > 0:
		// Likely apply or delete of what follows: what it sends on
		// standard input is judged as written, but meshguard cannot tell
		// what the command leaves (check.view.addStep), and it takes no
		// file for applied.
		ref := s.Ref
		s.Ref = nil
		defer func() { s.Ref = ref }()
		return s.manifest(k, line, redirs, upstream)
	}
	return nil
}

// isStdin reports whether a -f names standard input: -, or the device
// that is it.
func isStdin(f string) bool { return f == "-" || f == "/dev/stdin" || f == "/dev/fd/0" }

// lastAppliedCommands are kubectl apply's subcommands that show or edit an
// object's kubectl.kubernetes.io/last-applied-configuration annotation,
// and change nothing else of it.
var lastAppliedCommands = map[string]bool{"view-last-applied": true, "set-last-applied": true, "edit-last-applied": true}

// kubectlNames are the commands read as kubectl: kubectl itself, the k
// alias documentation and shells commonly use, and OpenShift's oc, which
// takes the same patch and apply commands.
var kubectlNames = map[string]bool{"kubectl": true, "k": true, "oc": true}

// unwrap drops what runs a command for another: sudo and env with their
// options and assignments, command, exec and nohup, and the kubectl that
// microk8s, k3s and minikube carry (minikube kubectl -- patch ...).
func unwrap(args []*syntax.Word) []*syntax.Word {
	for len(args) > 0 {
		w, ok := literal(args[0])
		if !ok {
			return args
		}
		switch filepath.Base(w) {
		case "sudo":
			args = args[1:]
			for len(args) > 0 {
				o, _ := literal(args[0])
				if !strings.HasPrefix(o, "-") {
					break
				}
				args = args[1:]
				if (o == "-u" || o == "-g" || o == "-C" || o == "-h" || o == "-p" || o == "-U") && len(args) > 0 {
					args = args[1:] // the option's value
				}
			}
		case "env":
			args = args[1:]
			for len(args) > 0 {
				o, _ := literal(args[0])
				if !strings.HasPrefix(o, "-") && !strings.Contains(o, "=") {
					break
				}
				args = args[1:]
			}
		case "command", "exec", "nohup":
			args = args[1:]
		case "timeout":
			// timeout [-s SIG] [-k DUR] [--foreground] DURATION COMMAND...
			args = args[1:]
			for len(args) > 0 {
				o, _ := literal(args[0])
				if !strings.HasPrefix(o, "-") {
					break
				}
				args = args[1:]
				if (o == "-s" || o == "-k" || o == "--signal" || o == "--kill-after") && len(args) > 0 {
					args = args[1:]
				}
			}
			if len(args) == 0 {
				return args
			}
			args = args[1:] // the duration
		case "microk8s", "k3s", "minikube":
			if len(args) < 2 {
				return args
			}
			if next, _ := literal(args[1]); next != "kubectl" {
				return args
			}
			args = args[1:]
			if len(args) > 1 {
				if sep, _ := literal(args[1]); sep == "--" {
					args = append([]*syntax.Word{args[0]}, args[2:]...)
				}
			}
			return args
		default:
			return args
		}
	}
	return args
}

// hasPatch reports whether a kubectl patch gives its patch (-p or
// --patch-file, written out or from an expansion).
func hasPatch(k *kubectl) bool {
	return k.flags["patch"] != "" || k.flags["patch-file"] != "" || k.dynamic["patch"] || k.dynamic["patch-file"]
}

// target reads the object a kubectl command names: KIND NAME or KIND/NAME
// (name "" when the command names only a kind).
func target(args []string) (kind, name string, ok bool) {
	switch {
	case len(args) >= 1 && strings.Contains(args[0], "/"):
		kind, name, _ = strings.Cut(args[0], "/")
	case len(args) >= 2:
		kind, name = args[0], args[1]
	case len(args) == 1:
		kind = args[0]
	default:
		return "", "", false
	}
	return kind, name, true
}

// judgedTarget is the object a kubectl command names when it is of a kind
// meshguard judges: the kind as written, its resource and the name.
func judgedTarget(args []string) (kind string, r Resource, name string, ok bool) {
	kind, name, ok = target(args)
	if !ok {
		return "", Resource{}, "", false
	}
	r, ok = LookupResource(kind)
	if ok && r.Kind == "MeshConfig" && name == fsmMeshConfig && !strings.Contains(kind, ".") {
		// Flomesh's FSM, osm-edge's successor, has a MeshConfig of its own
		// (config.flomesh.io) named so: on its clusters kubectl's
		// "meshconfig" is that one, whose fields are not osm-edge's.
		return "", Resource{}, "", false
	}
	return kind, r, name, ok
}

// fsmMeshConfig is the name of FSM's MeshConfig.
const fsmMeshConfig = "fsm-mesh-config"

func (s *Script) patch(k *kubectl, line int) error {
	kind, r, name, ok := judgedTarget(k.args)
	if !ok {
		return nil
	}
	patchType := strings.ToLower(k.flags["type"])
	if patchType == "" {
		patchType = "strategic"
	}
	ns := k.namespace
	doc := func(d *Document) error {
		d.File, d.Line = s.File, line
		return s.emit(d)
	}
	stub := func(why string) error {
		return doc(&Document{Operation: "UPDATE", Object: stubObject(r, ns, name), Patch: &PatchInfo{Type: patchType, Unresolved: why}})
	}
	refused := func(why string) error {
		return doc(&Document{Operation: "UPDATE", Object: stubObject(r, ns, name), Patch: &PatchInfo{Refused: why}})
	}
	if len(k.args) > 0 {
		if _, _, _, err := SplitResourceName(k.args[0]); err != nil {
			return refused(fmt.Sprintf("kubectl reads %q as no object: %v", k.args[0], err))
		}
		slashed := 0
		for _, a := range k.args {
			if strings.Contains(a, "/") {
				slashed++
			}
		}
		if slashed > 0 && slashed < len(k.args) {
			// cli-runtime's resource builder, hasCombinedTypeArgs.
			return refused("there is no need to specify a resource type as a separate argument when passing arguments in resource/name form")
		}
	}
	if k.split["patch"] {
		return refused("the shell splits its unquoted patch into several words (brace expansion of {...,...}), so kubectl gets part of it as the patch and the rest as arguments; quote the patch")
	}
	if !k.dynamic["type"] && patchType != "json" && patchType != "merge" && patchType != "strategic" {
		return refused(fmt.Sprintf("--type must be json, merge or strategic, not %q", k.flags["type"]))
	}
	var patch []byte
	partial := ""
	switch {
	case k.dynamic["patch"] && !k.dynamic["type"] && name != "" && k.shapes["patch"] != "":
		patch = []byte(k.shapes["patch"])
		partial = "a shell expansion stands for a value, so only the patch's field names are checked"
	case k.dynamic["patch"] || k.dynamic["type"] || name == "":
		return stub("the patch, its type or the object's name uses a shell expansion, so meshguard cannot read it")
	case k.dynamic["patch-file"]:
		return stub("the patch file's name uses a shell expansion, so meshguard cannot read it")
	case k.flags["patch-file"] != "":
		p := k.flags["patch-file"]
		if !filepath.IsAbs(p) {
			p = filepath.Join(s.Dir, p)
		}
		b, err := ReadFile(p)
		if err != nil {
			return stub(fmt.Sprintf("the patch file %s cannot be read: %v", k.flags["patch-file"], err))
		}
		patch = b
	default:
		v, set := k.flags["patch"]
		switch {
		case !set && !k.readAll:
			// A word meshguard could not read may be the patch.
			return stub("meshguard found no -p/--patch or --patch-file in the command")
		case !set:
			why := "it needs -p/--patch or --patch-file with the patch, and the command has neither"
			if k.strayBlank {
				why += "; a line of it ends in a backslash and a space, which ends the command there: the next line is not part of it"
			}
			return refused(why)
		case v == "":
			return refused("its -p/--patch gives no patch, and kubectl needs one there or in --patch-file")
		}
		patch = []byte(v)
	}
	base, assumed := s.Bases.Base(s.cmd.at, r, ns, name)
	if base == nil {
		return stub(fmt.Sprintf("meshguard does not know the stored %s %s/%s to apply the patch to: put its manifest among the inputs", r.Kind, orDefault(ns, "default"), name))
	}
	d, err := ApplyPatch(base, r.APIVersion, patch, patchType)
	if d != nil {
		d.AssumedBase = assumed
	}
	if partial != "" {
		// Only a patch whose structure is all written out says anything: an
		// expansion as a whole patch, a field name or an operation's path
		// hides the names that matter.
		if err != nil {
			return stub("the patch comes from a shell expansion, so meshguard cannot read it")
		}
		if !placeholderOnlyInValues(patch) {
			return stub("a shell expansion stands for a field name or a path in the patch, so meshguard cannot read it")
		}
		// A JSON patch operation that does not apply names no placeholder
		// (placeholderOnlyInValues): it fails whatever the values are.
		d.Patch.Partial = partial
		return doc(d)
	}
	if err != nil {
		return &ParseError{File: s.File, Line: line, Msg: fmt.Sprintf("kubectl patch %s %s: %v", kind, name, err)}
	}
	return doc(d)
}

// placeholderOnlyInValues reports whether a patch with Placeholder in it
// has it only in values: in no field name, and for a JSON patch in no
// operation's op, path or from.
func placeholderOnlyInValues(patch []byte) bool {
	j, err := yaml.YAMLToJSON(patch)
	if err != nil {
		return false
	}
	var v any
	if err := json.Unmarshal(j, &v); err != nil {
		return false
	}
	if ops, ok := v.([]any); ok {
		for _, op := range ops {
			m, ok := op.(map[string]any)
			if !ok {
				return false
			}
			for k, e := range m {
				if k == "value" && keyHolds(e) || k != "value" && strings.Contains(fmt.Sprint(e), Placeholder) {
					return false
				}
			}
			// A test of an unknown value fails or not by that value.
			if m["op"] == "test" && strings.Contains(fmt.Sprint(m["value"]), Placeholder) {
				return false
			}
		}
		return true
	}
	_, isObject := v.(map[string]any)
	return isObject && !keyHolds(v)
}

// keyHolds reports whether a field name anywhere in v holds Placeholder.
func keyHolds(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if strings.Contains(strings.ToUpper(k), Placeholder) || keyHolds(e) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if keyHolds(e) {
				return true
			}
		}
	}
	return false
}

func (s *Script) manifest(k *kubectl, line int, redirs []*syntax.Redirect, upstream *syntax.Stmt) error {
	if _, set := k.flags["kustomize"]; set {
		return s.kustomized(k)
	}
	var problems ParseErrors
	keep := problems.keep
	for i, f := range k.files {
		if isStdin(f) {
			// The documents of standard input take this -f's place.
			s.cmd.at.Seq = (i + 1) * refSeq
			err := s.stdinManifest(k, redirs, upstream)
			s.cmd.at.Seq = 0
			if err := keep(err); err != nil {
				return err
			}
			continue
		}
		if i < len(k.fileWords) {
			if w := s.writtenFor(k.fileWords[i]); w != nil {
				// A file the script wrote above: what it wrote is applied.
				s.cmd.at.Seq = (i + 1) * refSeq
				err := s.applyWritten(k, w)
				s.cmd.at.Seq = 0
				if err := keep(err); err != nil {
					return err
				}
				continue
			}
		}
		if k.dynamic["filename"] {
			// A file named by a shell expansion: not known, nor are the
			// others of the command.
			continue
		}
		if f != "" && !strings.Contains(f, "://") {
			recursive := hasFlag(k, "recursive") && k.flags["recursive"] != "false"
			if ws := s.writtenUnder(s.path(f), recursive); len(ws) > 0 {
				// A folder the script wrote manifests into: those, in
				// kubectl's order (by name), then what is on disk.
				base := (i + 1) * refSeq
				for j, w := range ws {
					s.cmd.at.Seq = base + j*(refSeq>>6)
					if err := keep(s.applyWritten(k, w)); err != nil {
						s.cmd.at.Seq = 0
						return err
					}
				}
				s.cmd.at.Seq = 0
			}
		}
		if s.Ref != nil && f != "" && !strings.Contains(f, "://") {
			if !filepath.IsAbs(f) {
				f = filepath.Join(s.Dir, f)
			}
			recursive := false
			if v, set := k.flags["recursive"]; set && v != "false" {
				recursive = true
			}
			// Each -f in its turn: kubectl applies them in order.
			at := s.cmd.at
			at.Seq = (i + 1) * refSeq
			s.Ref(Ref{Path: f, At: at, Verb: k.verb, Recursive: recursive, DryRun: s.cmd.dryRun, FieldValidation: s.cmd.fieldValidation})
		}
	}
	return problems.orNil()
}

func (s *Script) stdinManifest(k *kubectl, redirs []*syntax.Redirect, upstream *syntax.Stmt) error {
	h := s.stdin(redirs, upstream)
	if h.body == nil {
		return s.fromInput(k, redirs, upstream)
	}
	return s.applyHeredoc(k, h)
}

// applyHeredoc judges the manifest a kubectl command reads from a
// here-document (or a literal the shell sends it).
func (s *Script) applyHeredoc(k *kubectl, h heredoc) error {
	err := s.decodeStdin(k, h.body, h.line, h.unknown)
	var pe *ParseError
	if errors.As(err, &pe) {
		pe.Msg = ShowExpansions(pe.Msg, h.unknown)
	}
	switch {
	case errors.As(err, &pe) && h.writes != "":
		// Maybe YAML only once the shell has run an expansion that
		// writes lines of its own: not known to be the script's error,
		// and not checked.
		return s.unread(k, h)
	case errors.As(err, &pe) && s.broken != nil && !s.broken(h.body):
		return nil
	}
	return err
}

// edit reports a kubectl edit of an object meshguard judges. The change is
// made in an editor, so what the object is afterwards is not known: it is
// reported not checked (MG0003), and the rules that read it (a MeshConfig's
// passthrough, for the Egress policies below) stay silent from there on, as
// after a patch meshguard cannot read.
func (s *Script) edit(k *kubectl, line int) error {
	if k.flags["subresource"] != "" || k.dynamic["namespace"] {
		return nil
	}
	why := "the change is made in an editor, so meshguard cannot know what it leaves"
	if len(k.args) == 0 {
		// kubectl edit -f FILE edits the objects the file names.
		index := 0
		for _, f := range k.files {
			if f == "-" || strings.Contains(f, "://") {
				continue
			}
			for _, o := range s.judgedIn(f) {
				if err := s.emit(&Document{File: s.File, Line: line, Index: index, Operation: "UPDATE", Object: stubObject(o.r, orDefault(o.namespace, k.namespace), o.name),
					Patch: &PatchInfo{Source: "kubectl edit", Unresolved: why}}); err != nil {
					return err
				}
				index++
			}
		}
		return nil
	}
	_, r, name, ok := judgedTarget(k.args)
	if !ok {
		return nil
	}
	return s.emit(&Document{File: s.File, Line: line, Operation: "UPDATE", Object: stubObject(r, k.namespace, name),
		Patch: &PatchInfo{Source: "kubectl edit", Unresolved: why}})
}

// fromInput handles a kubectl apply, create or replace -f - whose standard
// input is neither a here-document nor a literal (Script.stdin). A file
// redirected in (kubectl apply -f - < FILE) or sent whole by cat (cat FILE |
// kubectl apply -f -) is read as kubectl -f FILE reads it. Anything else is
// the output of commands meshguard does not run (kubectl get ... | jq ... |
// kubectl apply -f -, envsubst < FILE | kubectl apply -f -): when they read
// an object meshguard judges (the kubectl get's, or a manifest file's), that
// object is reported not checked (MG0003), so the rules that read it stay
// silent below instead of judging the mesh as it was before the command.
func (s *Script) fromInput(k *kubectl, redirs []*syntax.Redirect, upstream *syntax.Stmt) error {
	if w := s.stdinWritten(redirs, upstream); w != nil {
		return s.applyWritten(k, w)
	}
	if files, ok := s.inputFiles(redirs, upstream); ok {
		base := s.cmd.at.Seq
		var problems ParseErrors
		for i, f := range files {
			w := s.written[s.fileID(f)]
			if !filepath.IsAbs(f) {
				f = filepath.Join(s.Dir, f)
			}
			at := s.cmd.at
			// The files of one cat stay within the place of its -f -.
			at.Seq = base + i*(refSeq>>6)
			if w != nil {
				s.cmd.at.Seq = at.Seq
				err := s.applyWritten(k, w)
				s.cmd.at.Seq = base
				if err := problems.keep(err); err != nil {
					return err
				}
				continue
			}
			if s.Ref != nil {
				s.Ref(Ref{Path: f, At: at, Verb: k.verb, DryRun: s.cmd.dryRun, FieldValidation: s.cmd.fieldValidation})
			}
		}
		return problems.orNil()
	}
	var calls []*syntax.Stmt
	if r := stdinRedirect(redirs); r != nil {
		// Standard input is this redirection, whatever a pipe sends.
		upstream = &syntax.Stmt{Cmd: &syntax.CallExpr{}, Redirs: []*syntax.Redirect{r}}
	}
	pipeline(upstream, &calls)
	why := fmt.Sprintf("it sends what %s writes, which meshguard cannot read", s.quoteSource(upstream))
	index := 0
	report := func(apiVersion, kind, namespace, name string) error {
		meta := map[string]any{"name": name}
		if namespace == "" {
			namespace = k.namespace
		}
		if namespace != "" {
			meta["namespace"] = namespace
		}
		d := &Document{File: s.File, Line: s.cmd.at.Line, Index: index, Operation: "UPDATE",
			Object: map[string]any{"apiVersion": apiVersion, "kind": kind, "metadata": meta},
			Patch:  &PatchInfo{Source: "kubectl " + k.verb, Unresolved: why}}
		index++
		return s.emit(d)
	}
	for _, o := range s.producedObjects(calls, nil) {
		if err := report(o.apiVersion, o.kind, o.namespace, o.name); err != nil {
			return err
		}
	}
	return nil
}

// producedObjects lists the objects of the kinds meshguard judges that the
// commands of a pipeline may write: those a kubectl get names, and those of
// the manifest files a filter reads (envsubst < FILE, sed ... FILE). A file
// the script wrote itself (written) counts for what it wrote; own is a
// file the commands write, left out.
func (s *Script) producedObjects(calls []*syntax.Stmt, own *writtenFile) []objectID {
	var out []objectID
	for _, st := range calls {
		call, _ := st.Cmd.(*syntax.CallExpr)
		if call == nil {
			continue
		}
		args := unwrap(call.Args)
		if name, ok := literal(firstOr(args)); ok && kubectlNames[strings.TrimSuffix(filepath.Base(name), ".exe")] {
			if g, ok := parseKubectl(args[1:]); ok && g.verb == "get" {
				kinds, name, _ := target(g.args)
				for _, kind := range strings.Split(kinds, ",") {
					if r, ok := LookupResource(kind); ok && !g.dynamic["namespace"] {
						out = append(out, objectID{r.APIVersion, r.Kind, g.namespace, name})
					}
				}
				continue
			}
		}
		words := args
		if len(words) > 0 {
			words = words[1:]
		}
		for _, r := range st.Redirs {
			if r.Op == syntax.RdrIn {
				words = append(words, r.Word)
			}
		}
		for _, w := range words {
			names, _ := s.globFields(w)
			for _, f := range names {
				if !isManifestName(f) {
					continue
				}
				if w := s.written[s.fileID(f)]; w != nil {
					if w != own {
						for _, h := range w.pieces {
							out = append(out, judgedObjects(s.File, h)...)
						}
					}
					continue
				}
				for _, o := range s.judgedIn(f) {
					out = append(out, objectID{o.apiVersion, o.r.Kind, o.namespace, o.name})
				}
			}
		}
	}
	return out
}

type objectID struct{ apiVersion, kind, namespace, name string }

// judgedObject is an object of a kind meshguard judges, found in a file.
type judgedObject struct {
	objectID
	r Resource
}

// judgedIn lists the objects of the kinds meshguard judges in the manifest
// file f (resolved against the script's folder); none when it cannot be
// read.
func (s *Script) judgedIn(f string) []judgedObject {
	b, ok := s.readRegular(f)
	if !ok {
		return nil
	}
	var out []judgedObject
	for _, o := range objectsIn(s.path(f), b) {
		if r, ok := LookupResource(o.kind); ok && groupOf(r.APIVersion) == groupOf(o.apiVersion) {
			out = append(out, judgedObject{o, r})
		}
	}
	return out
}

// objectsIn lists the objects of a manifest file, as far as they can be
// read: every document's when it parses, else the first object's
// apiVersion, kind and name, line by line (sketch).
func objectsIn(file string, b []byte) []objectID {
	var out []objectID
	err := DecodeYAMLBytes(file, b, 0, func(d *Document) error {
		apiVersion, _ := d.Object["apiVersion"].(string)
		out = append(out, objectID{apiVersion, d.Kind(), d.Namespace(), d.Name()})
		return nil
	})
	if err != nil {
		apiVersion, kind, name := sketch(b)
		return []objectID{{apiVersion: apiVersion, kind: kind, name: name}}
	}
	return out
}

// inputFiles reports the files a command's standard input is, as written:
// one redirected in, or those cat sends alone down the pipe.
func (s *Script) inputFiles(redirs []*syntax.Redirect, upstream *syntax.Stmt) ([]string, bool) {
	if r := stdinRedirect(redirs); r != nil {
		if r.Op != syntax.RdrIn {
			return nil, false
		}
		f, ok := literal(r.Word)
		return []string{f}, ok && f != "" && !s.special(f)
	}
	if upstream == nil {
		return nil, false
	}
	for _, r := range upstream.Redirs {
		if touchesStdio(r) {
			return nil, false
		}
	}
	call, ok := upstream.Cmd.(*syntax.CallExpr)
	if !ok || len(call.Args) < 2 {
		return nil, false
	}
	if name, _ := literal(call.Args[0]); name != "cat" {
		return nil, false
	}
	var files []string
	for _, w := range call.Args[1:] {
		// As the shell passes them on: braces and patterns expanded
		// (cat {a,b}.yaml, cat *.yaml; a pattern that matches nothing is
		// passed as written, and cat fails).
		names, ok := s.globFields(w)
		if !ok {
			return nil, false
		}
		for _, f := range names {
			if f == "" || strings.HasPrefix(f, "-") || s.special(f) {
				return nil, false
			}
			files = append(files, f)
		}
	}
	// kubectl reads what cat writes as one stream: files run together
	// without a document separator make one document of both. An empty
	// file adds nothing between them.
	var nonEmpty []string
	for _, f := range files {
		if b, ok := s.readRegular(f); !ok || len(bytes.TrimSpace(b)) > 0 {
			nonEmpty = append(nonEmpty, f)
		}
	}
	for i := 1; i < len(nonEmpty); i++ {
		if !s.joinsCleanly(nonEmpty[i-1], nonEmpty[i]) {
			return nil, false
		}
	}
	return files, true
}

// globFields expands a word as the shell passes it on, with file name
// patterns matched in the script's folder as bash matches them (a name
// that starts with a dot only for a pattern that does too; a quoted
// pattern is no pattern). ok is false for a word with an expansion
// meshguard cannot make.
func (s *Script) globFields(w *syntax.Word) ([]string, bool) {
	if _, ok := fields(w); !ok {
		return nil, false
	}
	dir, err := filepath.Abs(s.Dir)
	if err != nil {
		return nil, false
	}
	cfg := &expand.Config{Env: expand.ListEnviron("PWD=" + dir), ReadDir2: os.ReadDir}
	v, err := expand.Fields(cfg, w)
	return v, err == nil
}

// path resolves a file name a command gives against the script's folder.
func (s *Script) path(f string) string {
	if filepath.IsAbs(f) {
		return f
	}
	return filepath.Join(s.Dir, f)
}

// special reports whether f names something other than a regular file
// (a device such as /dev/stdin, a pipe): reading it may never end, and
// what it holds is not the script's to know.
func (s *Script) special(f string) bool {
	fi, err := os.Stat(s.path(f))
	return err == nil && !fi.Mode().IsRegular()
}

// readRegular reads a regular file a command names; ok is false for one
// that is missing, unreadable or not a regular file.
func (s *Script) readRegular(f string) ([]byte, bool) {
	if f == "" || s.special(f) {
		return nil, false
	}
	b, err := ReadFile(s.path(f))
	return b, err == nil
}

// stdinRedirect is the redirection a command's standard input comes from,
// if any: the last of them, as the shell applies them in order.
func stdinRedirect(redirs []*syntax.Redirect) *syntax.Redirect {
	var last *syntax.Redirect
	for _, r := range redirs {
		switch r.Op {
		case syntax.RdrIn, syntax.Hdoc, syntax.DashHdoc, syntax.WordHdoc:
			if r.N == nil || r.N.Value == "0" {
				last = r
			}
		}
	}
	return last
}

// touchesStdio reports whether a redirection changes a command's standard
// input or output (2>/dev/null does neither).
func touchesStdio(r *syntax.Redirect) bool {
	switch r.Op {
	case syntax.RdrIn, syntax.Hdoc, syntax.DashHdoc, syntax.WordHdoc, syntax.RdrInOut:
		return r.N == nil || r.N.Value == "0"
	case syntax.RdrAll, syntax.AppAll:
		return true
	}
	return r.N == nil || r.N.Value == "1"
}

// joinsCleanly reports whether file b, written right after file a, starts
// a document of its own in the stream: a ends in a newline and one of them
// puts a --- between them. JSON objects one after another are read one by
// one too. A file that cannot be read is left to the reader of -f.
func (s *Script) joinsCleanly(a, b string) bool {
	x, okA := s.readRegular(a)
	y, okB := s.readRegular(b)
	if !okA || !okB {
		return true
	}
	return joinClean(x, y)
}

// joinClean reports whether y, written right after x, starts a document of
// its own in the stream (joinsCleanly).
func joinClean(x, y []byte) bool {
	tx, ty := bytes.TrimSpace(x), bytes.TrimSpace(y)
	if len(tx) == 0 || len(ty) == 0 {
		return true
	}
	if tx[0] == '{' && ty[0] == '{' {
		return true
	}
	if x[len(x)-1] != '\n' {
		return false
	}
	return firstLine(ty) == "---" || strings.HasPrefix(firstLine(ty), "--- ") || lastLine(tx) == "---"
}

// firstLine and lastLine are the first and last lines of YAML that are
// neither blank nor a comment.
func firstLine(b []byte) string {
	for _, l := range strings.Split(string(b), "\n") {
		if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "#") {
			return strings.TrimRight(l, " \t\r")
		}
	}
	return ""
}

func lastLine(b []byte) string {
	lines := strings.Split(string(b), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if t := strings.TrimSpace(lines[i]); t != "" && !strings.HasPrefix(t, "#") {
			return strings.TrimRight(lines[i], " \t\r")
		}
	}
	return ""
}

// pipeline lists the commands of a pipeline, in order.
func pipeline(st *syntax.Stmt, out *[]*syntax.Stmt) {
	if st == nil {
		return
	}
	switch c := st.Cmd.(type) {
	case *syntax.BinaryCmd:
		if c.Op == syntax.Pipe || c.Op == syntax.PipeAll {
			pipeline(c.X, out)
			pipeline(c.Y, out)
		}
	case *syntax.CallExpr:
		*out = append(*out, st)
	}
}

// quoteSource is a statement as the script writes it, on one line and
// shortened: for a message.
func (s *Script) quoteSource(st *syntax.Stmt) string {
	text := "another command"
	if st != nil && st.Pos().IsValid() && int(st.End().Offset()) <= len(s.src) {
		text = strings.Join(strings.Fields(strings.ReplaceAll(string(s.src[st.Pos().Offset():st.End().Offset()]), "\\\n", " ")), " ")
	} else if st != nil && len(st.Redirs) == 1 {
		text = "< " + wordText(st.Redirs[0].Word)
	}
	if r := []rune(text); len(r) > 80 {
		text = string(r[:77]) + "..."
	}
	return text
}

func firstOr(words []*syntax.Word) *syntax.Word {
	if len(words) == 0 {
		return &syntax.Word{}
	}
	return words[0]
}

// isManifestName reports whether a file name is one kubectl -f reads.
func isManifestName(f string) bool {
	switch strings.ToLower(filepath.Ext(f)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

func groupOf(apiVersion string) string {
	if i := strings.IndexByte(apiVersion, '/'); i >= 0 {
		return apiVersion[:i]
	}
	return ""
}

// unread reports a here-document meshguard cannot read for what its shell
// expansions write, if it names an object meshguard judges: as a document
// of that kind and name, marked unresolved (MG0003), so that it is never
// taken for one checked.
func (s *Script) unread(k *kubectl, h heredoc) error {
	if s.broken != nil && !s.broken(h.body) {
		return nil
	}
	apiVersion, kind, name := sketch(h.body)
	if kind == "" {
		return nil
	}
	name = ShowExpansions(name, h.unknown)
	meta := map[string]any{"name": name}
	if k.namespace != "" {
		meta["namespace"] = k.namespace
	}
	return s.emit(&Document{File: s.File, Line: h.line, Operation: "CREATE",
		Object: map[string]any{"apiVersion": apiVersion, "kind": kind, "metadata": meta},
		Patch: &PatchInfo{Source: "kubectl " + k.verb, Unresolved: fmt.Sprintf(
			"its here-document is YAML only once the shell has run %s, so meshguard cannot read it", h.writes)}})
}

// sketch reads the apiVersion, kind and name of the first object of YAML
// that does not parse, line by line.
func sketch(body []byte) (apiVersion, kind, name string) {
	value := func(v string) string { return strings.Trim(strings.TrimSpace(v), `"'`) }
	for _, l := range strings.Split(string(body), "\n") {
		t := strings.TrimLeft(l, " \t-")
		if v, ok := strings.CutPrefix(t, "apiVersion:"); ok && apiVersion == "" {
			apiVersion = value(v)
		}
		if v, ok := strings.CutPrefix(t, "kind:"); ok && kind == "" {
			kind = value(v)
		}
		if v, ok := strings.CutPrefix(t, "name:"); ok && name == "" && strings.HasPrefix(l, "  ") && !strings.HasPrefix(l, "   ") {
			name = value(v)
		}
	}
	return apiVersion, kind, name
}

func (s *Script) decodeStdin(k *kubectl, body []byte, bodyLine int, unknown map[string]string) error {
	return DecodeYAMLBytes(s.File, body, bodyLine-1, func(d *Document) error {
		if d.Object["kind"] == nil {
			return nil
		}
		if len(unknown) > 0 {
			d.Unknown = unknownIn(d.Object, unknown)
		}
		// kubectl -n puts namespaced objects that name none in that namespace.
		if meta, ok := d.Object["metadata"].(map[string]any); ok && k.namespace != "" && meta["namespace"] == nil && d.Kind() != "Namespace" {
			meta["namespace"] = k.namespace
		}
		return s.emit(d)
	})
}

// stdin finds what a command reads on standard input: its own here-document,
// or a here-document or literal echoed into it by the previous command of a pipe.
func (s *Script) stdin(redirs []*syntax.Redirect, upstream *syntax.Stmt) heredoc {
	if r := stdinRedirect(redirs); r != nil {
		if (r.Op == syntax.Hdoc || r.Op == syntax.DashHdoc) && r.Hdoc != nil {
			return s.hdoc(r)
		}
		if r.Op == syntax.WordHdoc && r.Word != nil {
			h := heredoc{line: int(r.Word.Pos().Line()) + s.LineOffset}
			if v, ok := s.wordValue(r.Word, &h); ok {
				h.body = []byte(v)
				return h
			}
		}
		return heredoc{} // < FILE: fromInput
	}
	if upstream == nil {
		return heredoc{}
	}
	call, ok := upstream.Cmd.(*syntax.CallExpr)
	if !ok || len(call.Args) == 0 {
		return heredoc{}
	}
	cmd, _ := literal(call.Args[0])
	switch cmd {
	case "cat":
		if len(call.Args) == 1 {
			return s.stdin(upstream.Redirs, nil)
		}
	case "echo", "printf":
		var parts []string
		h := heredoc{}
		for _, w := range call.Args[1:] {
			v, ok := s.wordValue(w, &h)
			if !ok {
				return heredoc{}
			}
			if cmd == "echo" && (v == "-e" || v == "-n") {
				continue
			}
			parts = append(parts, v)
		}
		if len(parts) == 0 {
			return heredoc{}
		}
		h.body, h.line = []byte(strings.Join(parts, " ")), int(call.Args[1].Pos().Line())+s.LineOffset
		return h
	}
	return heredoc{}
}

// wordValue is the value of a word the shell passes on (a here-string, an
// argument of echo), its expansions replaced with placeholders recorded in
// h, as in a here-document, and the lines an expansion or a continuation
// takes kept as blank lines after its line. ok is false for a word
// meshguard cannot read so (globs, arithmetic, process substitution).
func (s *Script) wordValue(w *syntax.Word, h *heredoc) (string, bool) {
	if v, ok := literal(w); ok {
		return v, true
	}
	var b strings.Builder
	owed := 0
	text := func(raw, v string) {
		owed += strings.Count(raw, "\n") - strings.Count(v, "\n")
		for _, c := range v {
			b.WriteRune(c)
			if c == '\n' && owed > 0 {
				b.WriteString(strings.Repeat("\n", owed))
				owed = 0
			}
		}
	}
	raw := func(n syntax.Node) string {
		from, to := n.Pos().Offset(), n.End().Offset()
		if int(to) > len(s.src) || from > to {
			return ""
		}
		return string(s.src[from:to])
	}
	// A line continuation falls between two parts: its line is owed too.
	prevEnd := w.Pos().Offset()
	gap := func(n syntax.Node) {
		if from := n.Pos().Offset(); from > prevEnd && int(from) <= len(s.src) {
			owed += bytes.Count(s.src[prevEnd:from], []byte{'\n'})
		}
		prevEnd = n.End().Offset()
	}
	var mine []string
	expansion := func(n syntax.Node) {
		token := s.placeholder(n.Pos().Offset())
		if h.unknown == nil {
			h.unknown = map[string]string{}
		}
		h.unknown[token] = raw(n)
		mine = append(mine, token)
		if h.writes == "" && isCmdSubst(n) {
			h.writes = h.unknown[token]
		}
		b.WriteString(token)
		owed += strings.Count(raw(n), "\n")
	}
	for _, part := range w.Parts {
		if _, dq := part.(*syntax.DblQuoted); !dq {
			gap(part)
		} else {
			prevEnd = part.Pos().Offset() + 1 // past the opening quote
		}
		switch x := part.(type) {
		case *syntax.Lit:
			v, err := expand.Literal(nil, &syntax.Word{Parts: []syntax.WordPart{x}})
			if err != nil {
				return "", false
			}
			text(raw(x), v)
		case *syntax.SglQuoted:
			text(x.Value, x.Value)
		case *syntax.ParamExp, *syntax.CmdSubst:
			expansion(x)
		case *syntax.DblQuoted:
			for _, inner := range x.Parts {
				gap(inner)
				switch y := inner.(type) {
				case *syntax.Lit:
					v, err := expand.Literal(nil, &syntax.Word{Parts: []syntax.WordPart{&syntax.DblQuoted{Parts: []syntax.WordPart{y}}}})
					if err != nil {
						return "", false
					}
					text(raw(y), v)
				case *syntax.ParamExp, *syntax.CmdSubst:
					expansion(y)
				default:
					return "", false
				}
			}
		default:
			return "", false
		}
		prevEnd = part.End().Offset()
	}
	b.WriteString(strings.Repeat("\n", owed))
	v := b.String()
	if h.writes == "" {
		// An expansion alone on its line (or the whole value) may write
		// lines of its own: the manifest in "$MANIFEST".
		for _, l := range strings.Split(v, "\n") {
			for _, token := range mine {
				if strings.TrimSpace(l) == token {
					h.writes = h.unknown[token]
				}
			}
		}
	}
	return v, true
}

// heredoc is what a command reads on standard input.
type heredoc struct {
	body []byte
	line int // the line body starts on
	// unknown maps the placeholders in body to the shell expansions they
	// stand for, as written.
	unknown map[string]string
	// writes is the first expansion that may write lines of its own (a
	// command substitution, or an expansion alone on its line), as
	// written: YAML that does not parse may be its doing.
	writes string
}

// hdoc returns a here-document's body as kubectl reads it. With a quoted
// delimiter (<<'EOF') that is the body as written. With an unquoted one the
// shell first expands $VAR, ${VAR}, $(...) and `...`, and drops the
// backslash of \$, \`, \\ and of a line continuation: each expansion is
// replaced with a placeholder of its own, and the lines an expansion or a
// continuation takes are kept as blank lines after its line, so that the
// lines below keep their numbers.
func (s *Script) hdoc(r *syntax.Redirect) heredoc {
	start, end := r.Hdoc.Pos().Offset(), r.Hdoc.End().Offset()
	if int(end) > len(s.src) || start > end {
		return heredoc{}
	}
	// The body's end may take in the closing delimiter line; drop it.
	if delim, ok := literal(r.Word); ok {
		raw := s.src[start:end]
		closing := func(l []byte) bool { return strings.TrimRight(strings.TrimLeft(string(l), "\t"), "\r") == delim }
		if i := bytes.LastIndexByte(raw, '\n'); i >= 0 && closing(raw[i+1:]) {
			end = start + uint(i+1)
		} else if closing(raw) {
			end = start
		}
	}
	h := heredoc{body: s.src[start:end], line: int(r.Hdoc.Pos().Line()) + s.LineOffset}
	if !quoted(r.Word) {
		h = s.expandHdoc(r.Hdoc, start, end, h.line)
	}
	if r.Op == syntax.DashHdoc {
		lines := strings.Split(string(h.body), "\n")
		for i, l := range lines {
			lines[i] = strings.TrimLeft(l, "\t")
		}
		h.body = []byte(strings.Join(lines, "\n"))
	}
	return h
}

// quoted reports whether a here-document's delimiter is quoted, in part or
// whole ('EOF', "EOF", \EOF, E"O"F): its body is then not expanded.
func quoted(w *syntax.Word) bool {
	if w == nil {
		return false
	}
	for _, p := range w.Parts {
		switch x := p.(type) {
		case *syntax.SglQuoted, *syntax.DblQuoted:
			return true
		case *syntax.Lit:
			if strings.ContainsRune(x.Value, '\\') {
				return true
			}
		}
	}
	return false
}

// expandHdoc is hdoc's reading of an unquoted here-document's body, the
// source's bytes start to end.
func (s *Script) expandHdoc(w *syntax.Word, start, end uint, line int) heredoc {
	h := heredoc{line: line}
	var b bytes.Buffer
	owed := 0 // line breaks taken by expansions and continuations on this line
	text := func(chunk []byte) {
		for i := 0; i < len(chunk); i++ {
			c := chunk[i]
			if c == '\\' && i+1 < len(chunk) {
				switch chunk[i+1] {
				case '$', '`', '\\':
					b.WriteByte(chunk[i+1])
					i++
					continue
				case '\n':
					owed++
					i++
					continue
				}
			}
			b.WriteByte(c)
			if c == '\n' && owed > 0 {
				b.Write(bytes.Repeat([]byte{'\n'}, owed))
				owed = 0
			}
		}
	}
	at := start
	for _, part := range w.Parts {
		if _, isLit := part.(*syntax.Lit); isLit {
			continue
		}
		from, to := part.Pos().Offset(), part.End().Offset()
		if from < at || to > end {
			break // not in the body (the parser's positions disagree): as written
		}
		text(s.src[at:from])
		expansion := s.src[from:to]
		token := s.placeholder(from)
		if h.unknown == nil {
			h.unknown = map[string]string{}
		}
		h.unknown[token] = string(expansion)
		b.WriteString(token)
		owed += bytes.Count(expansion, []byte{'\n'})
		if h.writes == "" && (isCmdSubst(part) || aloneOnLine(s.src, from, to)) {
			h.writes = string(expansion)
		}
		at = to
	}
	if at <= end {
		text(s.src[at:end])
	}
	b.Write(bytes.Repeat([]byte{'\n'}, owed))
	h.body = b.Bytes()
	return h
}

// placeholder is the placeholder of the shell expansion at offset of the
// script: the same in both of a run's readings of the file, and unique
// across its files and a runbook's blocks.
func (s *Script) placeholder(offset uint) string {
	return fmt.Sprintf("%s_%08x_%d_%d_", Placeholder, crc32.ChecksumIEEE([]byte(s.File)), s.LineOffset, offset)
}

// ShowExpansions is text with each placeholder of unknown shown as the
// shell expansion it stands for.
func ShowExpansions(text string, unknown map[string]string) string {
	if !strings.Contains(text, Placeholder) {
		return text
	}
	for token, expansion := range unknown {
		text = strings.ReplaceAll(text, token, expansion)
	}
	return text
}

func isCmdSubst(n syntax.Node) bool {
	_, ok := n.(*syntax.CmdSubst)
	return ok
}

// aloneOnLine reports whether src[from:to] has only blanks beside it on its
// line.
func aloneOnLine(src []byte, from, to uint) bool {
	before := src[:from]
	if i := bytes.LastIndexByte(before, '\n'); i >= 0 {
		before = before[i+1:]
	}
	after := src[to:]
	if i := bytes.IndexByte(after, '\n'); i >= 0 {
		after = after[:i]
	}
	return len(bytes.TrimSpace(before)) == 0 && len(bytes.TrimSpace(after)) == 0
}

// unknownIn returns the placeholders of unknown that obj holds, in field
// names or values, each with the expansion it stands for; nil if none.
func unknownIn(obj map[string]any, unknown map[string]string) map[string]string {
	var found map[string]string
	var walk func(v any)
	note := func(s string) {
		if !strings.Contains(s, Placeholder) {
			return
		}
		for token, expansion := range unknown {
			if strings.Contains(s, token) {
				if found == nil {
					found = map[string]string{}
				}
				found[token] = expansion
			}
		}
	}
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				note(k)
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		case string:
			note(x)
		}
	}
	walk(obj)
	return found
}

// osmValued are the osm install flags that take a value.
var osmValued = map[string]bool{
	"set": true, "set-string": true, "set-file": true, "set-json": true, "values": true, "f": true,
	"osm-namespace": true, "mesh-name": true, "timeout": true,
}

// osmInstall reads osm install: the MeshConfig it leaves governs what
// follows in the script, as a kubectl apply of it would (a Document marked
// Install). An install whose chart values meshguard cannot all read (a
// shell expansion in --set, values from a file) leaves a MeshConfig it does
// not know, and is passed over.
func (s *Script) osmInstall(words []*syntax.Word, line int) error {
	in, ok := readInstall(words, osmValued)
	if !ok {
		return nil
	}
	return s.installed(in.flags["osm-namespace"], in.set, line)
}

// install is an osm install or helm install command line: its chart
// values, its other flags' values (those it can read), its positional
// arguments ("" for one it cannot read) and its flags without a value.
type install struct {
	set        map[string]any
	flags      map[string]string
	positional []string
	switches   map[string]bool
}

// readInstall reads the words after a command's name that must be install;
// valued names the flags that take a value. ok is false when it is not an
// install, or the chart values cannot all be read: a shell expansion in
// --set, values from a file.
func readInstall(words []*syntax.Word, valued map[string]bool) (install, bool) {
	in := install{set: map[string]any{}, flags: map[string]string{}, switches: map[string]bool{}}
	if len(words) == 0 {
		return in, false
	}
	if verb, ok := literal(words[0]); !ok || verb != "install" {
		return in, false
	}
	for i := 1; i < len(words); i++ {
		arg, ok := literal(words[i])
		if !ok || !strings.HasPrefix(arg, "-") || arg == "-" {
			if !ok {
				arg = ""
			}
			in.positional = append(in.positional, arg)
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		if !valued[name] {
			in.switches[name] = true // --atomic, --wait, --generate-name
			continue
		}
		if !hasValue {
			if i+1 >= len(words) {
				return in, false
			}
			i++
			value, ok = literal(words[i])
		}
		switch name {
		case "set", "set-string":
			if !ok || parseHelmSet(value, name == "set-string", in.set) != nil {
				return in, false
			}
		case "values", "f", "set-file", "set-json", "set-literal":
			return in, false // values meshguard does not read
		default:
			if ok {
				in.flags[name] = value
			}
		}
	}
	return in, true
}

// installed hands on the MeshConfig an install leaves in namespace with
// the chart values set.
func (s *Script) installed(namespace string, set map[string]any, line int) error {
	obj := s.Bases.Installed(namespace, set)
	if obj == nil {
		return nil
	}
	return s.emit(&Document{File: s.File, Line: line, Operation: "CREATE", Object: obj, Install: true})
}

// emit hands on a document of the command being read, marked with the
// command's column, verb and dry run.
func (s *Script) emit(d *Document) error {
	d.Command, d.Verb, d.DryRun, d.FieldValidation, d.Force = s.cmd.at, s.cmd.verb, s.cmd.dryRun, s.cmd.fieldValidation, s.cmd.force
	d.Command.Seq += d.Index
	return s.Emit(d)
}

// helmValued are the helm install flags that take a value.
var helmValued = map[string]bool{
	"set": true, "set-string": true, "set-file": true, "set-json": true, "set-literal": true, "values": true, "f": true,
	"namespace": true, "n": true, "version": true, "timeout": true, "kube-context": true, "kubeconfig": true,
	"repo": true, "username": true, "password": true, "description": true, "name-template": true,
	"post-renderer": true, "post-renderer-args": true, "ca-file": true, "cert-file": true, "key-file": true,
	"keyring": true, "output": true, "o": true, "kube-apiserver": true, "kube-token": true, "registry-config": true,
	"repository-cache": true, "repository-config": true, "labels": true, "l": true,
}

// helmInstall reads helm install of osm-edge's chart (a chart named osm or
// osm-edge: osm-edge/osm, ./charts/osm) as osmInstall reads osm install:
// the chart's values, its release namespace. helm upgrade is left alone:
// osm-bootstrap keeps the MeshConfig it already made.
func (s *Script) helmInstall(words []*syntax.Word, line int) error {
	in, ok := readInstall(words, helmValued)
	if !ok {
		return nil
	}
	chart := 1 // helm install NAME CHART
	if in.switches["generate-name"] || in.switches["g"] {
		chart = 0
	}
	if len(in.positional) <= chart {
		return nil
	}
	if base := filepath.Base(strings.TrimSuffix(in.positional[chart], "/")); base != "osm" && base != "osm-edge" {
		return nil
	}
	namespace := in.flags["namespace"]
	if namespace == "" {
		namespace = in.flags["n"]
	}
	return s.installed(namespace, in.set, line)
}

// parseHelmSet reads the value of a helm --set (a=b,c.d={x,y}) into set,
// typed as helm types it: true and false, integers, null, {lists}; strings
// otherwise, or always with --set-string.
func parseHelmSet(arg string, asString bool, set map[string]any) error {
	for _, part := range splitHelm(arg, ',') {
		key, value, ok := strings.Cut(part, "=")
		if !ok || key == "" {
			return fmt.Errorf("%q is not key=value", part)
		}
		if !asString && strings.HasPrefix(value, "{") && strings.HasSuffix(value, "}") {
			list := []any{}
			if inner := value[1 : len(value)-1]; inner != "" {
				for _, item := range splitHelm(inner, ',') {
					list = append(list, helmValue(item))
				}
			}
			set[key] = list
			continue
		}
		if asString {
			set[key] = value
			continue
		}
		set[key] = helmValue(value)
	}
	return nil
}

func helmValue(v string) any {
	switch v {
	case "true":
		return true
	case "false":
		return false
	case "null":
		return nil
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && (v == "0" || !strings.HasPrefix(v, "0")) {
		return n
	}
	return v
}

// splitHelm splits s at sep, except where escaped with a backslash or
// inside braces; escapes are removed.
func splitHelm(s string, sep byte) []string {
	var out []string
	var cur strings.Builder
	depth := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			continue
		case c == '{':
			depth++
		case c == '}' && depth > 0:
			depth--
		case c == sep && depth == 0:
			out = append(out, cur.String())
			cur.Reset()
			continue
		}
		cur.WriteByte(c)
	}
	return append(out, cur.String())
}

func stubObject(r Resource, namespace, name string) map[string]any {
	meta := map[string]any{"name": name}
	if namespace != "" {
		meta["namespace"] = namespace
	}
	return map[string]any{"apiVersion": r.APIVersion, "kind": r.Kind, "metadata": meta}
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
