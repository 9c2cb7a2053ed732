package source

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// Scripts and runbooks often write a manifest with a here-document and
// apply the file in a later command:
//
//	cat <<EOF > egress.yaml
//	apiVersion: policy.openservicemesh.io/v1alpha1
//	...
//	EOF
//	kubectl apply -f egress.yaml
//
// kubectl then applies what the here-document holds, not a file of that
// name on disk (there is often none until the script runs, or an older
// one). Script.written records what the script writes to files, in the
// order it runs, and a kubectl apply, create or replace of a recorded file
// (-f FILE, -f - < FILE, cat FILE | kubectl apply -f -) reads it from
// there: the here-document is judged at its lines, as with
// kubectl apply -f - <<EOF. A file the script writes or changes otherwise
// (kubectl get ... -o yaml > mc.yaml, sed -i ..., envsubst < t > f) holds
// what meshguard cannot know: the objects it names are reported not
// checked (MG0003) and are not known below the command.

// writtenFile is what a script wrote to one file.
type writtenFile struct {
	// name is the file as the script names it, for messages.
	name string
	// pieces are the here-documents written to it, in order: more than one
	// when appended to (>>, tee -a).
	pieces []heredoc
	// changer, when set, is the command that wrote or changed the file
	// otherwise, as written, at line changedAt; producer are the commands
	// of its pipeline, to find the objects it may write.
	changer   string
	changedAt int
	producer  []*syntax.Stmt
	// commands is how many commands wrote or changed it otherwise.
	commands int
}

// readers are commands that read the files they name without changing
// them. Any other command that names a file the script wrote is taken to
// change it, as sed -i, yq -i and cp do.
var readers = map[string]bool{
	"cat": true, "less": true, "more": true, "head": true, "tail": true, "grep": true, "egrep": true,
	"fgrep": true, "rg": true, "wc": true, "diff": true, "ls": true, "stat": true, "file": true,
	"yamllint": true, "kubeconform": true, "kubeval": true, "meshguard": true, "bat": true, "echo": true,
	"printf": true, "git": true, "test": true, "[": true, "[[": true, "osm": true, "helm": true,
	"jq": true, "yq": true, "sed": true, "perl": true, "awk": true, "envsubst": true, "md5sum": true,
	"sha256sum": true, "base64": true, "code": true, "conftest": true, "opa": true, "kustomize": true,
	"chmod": true, "chown": true, "touch": true,
}

// inPlace are the readers that change a file when told to (-i, --in-place).
var inPlace = map[string]bool{"sed": true, "perl": true, "yq": true, "gsed": true}

// noteWrites records what a command writes to files: name is the command,
// args its words after it.
func (s *Script) noteWrites(call *syntax.CallExpr, name string, args []*syntax.Word, redirs []*syntax.Redirect, upstream *syntax.Stmt) {
	if s.written == nil {
		s.written = map[string]*writtenFile{}
	}
	type target struct {
		w      *syntax.Word
		append bool
	}
	var targets []target
	for _, r := range redirs {
		switch r.Op {
		case syntax.RdrOut, syntax.ClbOut, syntax.AppOut:
			if r.N != nil && r.N.Value != "1" {
				continue
			}
		case syntax.RdrAll, syntax.AppAll:
		default:
			continue
		}
		targets = append(targets, target{r.Word, r.Op == syntax.AppOut || r.Op == syntax.AppAll})
	}
	base := filepath.Base(name)
	var h heredoc
	switch base {
	case "cat":
		if len(args) == 0 || len(args) == 1 && isLiteral(args[0], "-") {
			h = s.stdin(redirs, upstream)
		}
	case "tee":
		appending := false
		var files []*syntax.Word
		for _, w := range args {
			switch v, _ := literal(w); {
			case v == "-a" || v == "--append":
				appending = true
			case strings.HasPrefix(v, "-") && v != "-":
			default:
				files = append(files, w)
			}
		}
		for _, f := range files {
			targets = append(targets, target{f, appending})
		}
		h = s.stdin(redirs, upstream)
	}
	switch base {
	case "echo", "printf":
		// echo '...' > f writes its words, as echo '...' | kubectl reads them.
		h = s.stdin(nil, &syntax.Stmt{Cmd: call})
	case "curl", "wget":
		// curl -o FILE, wget -O FILE: what a URL holds.
		for i, w := range args {
			v, _ := literal(w)
			long := v == "--output" || v == "--output-document"
			short := strings.HasPrefix(v, "-") && !strings.HasPrefix(v, "--") && strings.HasSuffix(v, map[string]string{"curl": "o", "wget": "O"}[base])
			if (long || short) && i+1 < len(args) {
				targets = append(targets, target{args[i+1], false})
			}
			for _, prefix := range []string{"--output=", "--output-document="} {
				if rest, ok := strings.CutPrefix(v, prefix); ok {
					targets = append(targets, target{&syntax.Word{Parts: []syntax.WordPart{&syntax.Lit{Value: rest}}}, false})
				}
			}
		}
	}
	stmt := &syntax.Stmt{Position: call.Pos(), Cmd: call, Redirs: redirs}
	changed := func(key, display string) {
		w := s.written[key]
		if w == nil {
			w = &writtenFile{name: display}
			s.written[key] = w
		}
		w.changer, w.changedAt = s.quoteSource(stmt), int(call.Pos().Line())+s.LineOffset
		w.commands++
		// What wrote the file before (kubectl get ... > mc.yaml, then
		// sed -i) still says what it may hold.
		pipeline(upstream, &w.producer)
		w.producer = append(w.producer, stmt)
	}
	for _, t := range targets {
		key, display, ok := s.fileKey(t.w)
		if !ok {
			continue
		}
		switch w := s.written[key]; {
		case h.body == nil:
			if !t.append {
				delete(s.written, key) // > truncates: what it held is gone
			}
			changed(key, display)
		case t.append && w != nil:
			w.pieces = append(w.pieces, h)
		case t.append:
			// Appended to a file the script did not write: what it held
			// before is not known.
			changed(key, display)
			s.written[key].pieces = []heredoc{h}
		default:
			s.written[key] = &writtenFile{name: display, pieces: []heredoc{h}}
		}
	}
	// A command that names a file the script wrote, other than one that
	// only reads it, is taken to change it (sed -i, cp, mv).
	if base == "cat" || base == "tee" || kubectlNames[strings.TrimSuffix(base, ".exe")] {
		return
	}
	if readers[base] && !(inPlace[base] && hasInPlaceFlag(args)) {
		return
	}
	if base == "cp" || base == "mv" || base == "install" {
		s.noteCopy(base, args, changed)
		return
	}
	for _, w := range args {
		key, display, ok := s.fileKey(w)
		if !ok {
			continue
		}
		if _, recorded := s.written[key]; recorded {
			changed(key, display)
		}
	}
}

// noteCopy records cp, mv and install SRC DST: DST then holds what the
// script wrote to SRC, if it did (and mv takes it from SRC), else what
// meshguard cannot know. Options, and a DST that is a folder (several
// sources), make DST unknown too.
func (s *Script) noteCopy(base string, args []*syntax.Word, changed func(key, display string)) {
	var files []*syntax.Word
	for _, w := range args {
		if v, ok := literal(w); ok && strings.HasPrefix(v, "-") {
			continue
		}
		files = append(files, w)
	}
	if len(files) == 0 {
		return
	}
	dst := files[len(files)-1]
	if d, ok := literal(dst); ok && (strings.HasSuffix(d, "/") || len(files) > 2 || isDir(s.path(d))) {
		// Into a folder: each source under its own name there.
		for _, src := range files[:len(files)-1] {
			if name, ok := literal(src); ok {
				w := &syntax.Word{Parts: []syntax.WordPart{&syntax.Lit{Value: filepath.Join(d, filepath.Base(name))}}}
				s.noteCopy(base, []*syntax.Word{src, w}, changed)
			}
		}
		return
	}
	key, display, ok := s.fileKey(dst)
	if !ok {
		return
	}
	if len(files) == 2 {
		if from, _, ok := s.fileKey(files[0]); ok && s.written[from] != nil {
			w := *s.written[from]
			w.name = display
			s.written[key] = &w
			if base == "mv" {
				delete(s.written, from)
			}
			return
		}
	}
	changed(key, display)
}

// hasInPlaceFlag reports whether sed, perl or yq is told to change files
// in place (-i, -i.bak, -pi, --in-place, --inplace).
func hasInPlaceFlag(args []*syntax.Word) bool {
	for _, w := range args {
		v, ok := literal(w)
		if !ok || !strings.HasPrefix(v, "-") {
			continue
		}
		if strings.HasPrefix(v, "--in-place") || strings.HasPrefix(v, "--inplace") {
			return true
		}
		if !strings.HasPrefix(v, "--") && strings.Contains(v, "i") {
			return true
		}
	}
	return false
}

func isLiteral(w *syntax.Word, want string) bool {
	v, ok := literal(w)
	return ok && v == want
}

// fileKey is the key a file a command names is recorded under in
// Script.written, and the name to show for it. A literal name is resolved
// against the script's folder; one that uses shell parameters ($DIR/mc.yaml,
// "$TMP") is kept as written, parameters spelt ${NAME}: the same words name
// the same file while the script assigns none of them in between
// (forgetWrites). ok is false for what is not a file (/dev/null, a device)
// and for words with other expansions.
func (s *Script) fileKey(w *syntax.Word) (key, display string, ok bool) {
	if w == nil {
		return "", "", false
	}
	if f, lit := literal(w); lit {
		if f == "" || f == "-" || strings.Contains(f, "://") || strings.HasPrefix(f, "/dev/") || s.special(f) {
			return "", "", false
		}
		return s.fileID(f), f, true
	}
	var b strings.Builder
	if !canonicalWord(&b, w.Parts) {
		return "", "", false
	}
	return "$" + b.String(), wordText(w), true
}

// canonicalWord writes a word's parts with quotes dropped and parameters
// as ${NAME}; false for any other expansion.
func canonicalWord(b *strings.Builder, parts []syntax.WordPart) bool {
	for _, p := range parts {
		switch x := p.(type) {
		case *syntax.Lit:
			b.WriteString(x.Value)
		case *syntax.SglQuoted:
			b.WriteString(x.Value)
		case *syntax.DblQuoted:
			if !canonicalWord(b, x.Parts) {
				return false
			}
		case *syntax.ParamExp:
			if x.Param == nil || x.Exp != nil || !plainParam(x) {
				return false
			}
			b.WriteString("${" + x.Param.Value + "}")
		default:
			return false
		}
	}
	return true
}

// forgetWrites drops the files recorded under a name that uses parameter
// name: once the script assigns it, the same words name another file.
func (s *Script) forgetWrites(name string) {
	for key := range s.written {
		if strings.HasPrefix(key, "$") && strings.Contains(key, "${"+name+"}") {
			delete(s.written, key)
		}
	}
}

// writtenFor returns the record of a file a kubectl command names, if the
// script wrote it.
func (s *Script) writtenFor(w *syntax.Word) *writtenFile {
	key, _, ok := s.fileKey(w)
	if !ok {
		return nil
	}
	return s.written[key]
}

// applyWritten judges what kubectl applies from a file the script wrote.
func (s *Script) applyWritten(k *kubectl, w *writtenFile) error {
	if w.changer == "" && piecesJoin(w.pieces) {
		var problems ParseErrors
		base := s.cmd.at.Seq
		for i, h := range w.pieces {
			s.cmd.at.Seq = base + i*(refSeq>>6)
			if err := problems.keep(s.applyHeredoc(k, h)); err != nil {
				s.cmd.at.Seq = base
				return err
			}
		}
		s.cmd.at.Seq = base
		return problems.orNil()
	}
	// What the file holds is not known: name the objects it may hold.
	var objects []objectID
	for _, h := range w.pieces {
		objects = append(objects, judgedObjects(s.File, h)...)
	}
	why := fmt.Sprintf("it applies %s as the here-documents above write it, run together into one document, which meshguard cannot read", w.name)
	if w.changer != "" {
		verb := "writes"
		if len(w.pieces) > 0 || w.commands > 1 {
			verb = "changes"
		}
		why = fmt.Sprintf("it applies %s, which %s %s at line %d, so meshguard cannot read it", w.name, w.changer, verb, w.changedAt)
		objects = append(objects, s.producedObjects(w.producer, w)...)
	}
	index := 0
	seen := map[objectID]bool{}
	for _, o := range objects {
		r, ok := LookupResource(o.kind)
		if !ok || seen[o] {
			continue
		}
		seen[o] = true
		d := &Document{File: s.File, Line: s.cmd.at.Line, Index: index, Operation: "UPDATE",
			Object: stubObject(r, orDefault(o.namespace, k.namespace), o.name),
			Patch:  &PatchInfo{Source: "kubectl " + k.verb, Unresolved: why}}
		if o.apiVersion != "" {
			d.Object["apiVersion"] = o.apiVersion
		}
		index++
		if err := s.emit(d); err != nil {
			return err
		}
	}
	return nil
}

// piecesJoin reports whether here-documents appended one after another to
// a file are read by kubectl as the documents of each (Script.joinsCleanly).
func piecesJoin(pieces []heredoc) bool {
	for i := 1; i < len(pieces); i++ {
		if !joinClean(pieces[i-1].body, pieces[i].body) {
			return false
		}
	}
	return true
}

// judgedObjects lists the objects of the kinds meshguard judges in a
// here-document, as far as it can be read (objectsIn), kinds as meshguard
// spells them.
func judgedObjects(file string, h heredoc) []objectID {
	var out []objectID
	for _, o := range objectsIn(file, h.body) {
		if r, ok := LookupResource(o.kind); ok && groupOf(r.APIVersion) == groupOf(o.apiVersion) {
			o.kind, o.name = r.Kind, ShowExpansions(o.name, h.unknown)
			out = append(out, o)
		}
	}
	return out
}

// flagValueWord is the value of a flag written with it in one word
// (-f"$F", --filename=$DIR/x.yaml): the word without the flag.
func flagValueWord(w *syntax.Word) *syntax.Word {
	lit, ok := w.Parts[0].(*syntax.Lit)
	if !ok {
		return w
	}
	v := lit.Value
	switch {
	case strings.HasPrefix(v, "--"):
		if j := strings.IndexByte(v, '='); j >= 0 {
			v = v[j+1:]
		}
	default:
		v = strings.TrimPrefix(v[2:], "=")
	}
	parts := append([]syntax.WordPart{}, w.Parts[1:]...)
	if v != "" {
		parts = append([]syntax.WordPart{&syntax.Lit{Value: v}}, parts...)
	}
	return &syntax.Word{Parts: parts}
}

// substituted is the value of a word whose command substitutions only show
// text meshguard has: -p "$(cat <<'EOF' ... EOF)", -p "$(cat patch.json)",
// as the shell passes it on (trailing newlines dropped). ok is false for
// any other expansion, a here-document with expansions of its own, and an
// unquoted substitution the shell would split into several words.
func (s *Script) substituted(w *syntax.Word) (string, bool) {
	var b strings.Builder
	found := false
	var part func(p syntax.WordPart, quoted bool) bool
	part = func(p syntax.WordPart, quoted bool) bool {
		switch x := p.(type) {
		case *syntax.Lit:
			if quoted {
				b.WriteString(x.Value)
				return true
			}
			v, ok := literal(&syntax.Word{Parts: []syntax.WordPart{x}})
			b.WriteString(v)
			return ok
		case *syntax.SglQuoted:
			b.WriteString(x.Value)
			return !x.Dollar
		case *syntax.DblQuoted:
			for _, q := range x.Parts {
				if !part(q, true) {
					return false
				}
			}
			return !x.Dollar
		case *syntax.CmdSubst:
			v, ok := s.catOutput(x)
			if !ok || !quoted && strings.ContainsAny(v, " \t\n") {
				return false
			}
			found = true
			b.WriteString(v)
			return true
		}
		return false
	}
	for _, p := range w.Parts {
		if !part(p, false) {
			return "", false
		}
	}
	return b.String(), found
}

// catOutput is what $(cat <<EOF ... EOF) or $(cat FILE) writes, when
// meshguard knows it: a here-document without expansions, or a regular
// file (what the script wrote there, if it did).
func (s *Script) catOutput(c *syntax.CmdSubst) (string, bool) {
	if len(c.Stmts) != 1 {
		return "", false
	}
	st := c.Stmts[0]
	call, ok := st.Cmd.(*syntax.CallExpr)
	if !ok || len(call.Args) == 0 || len(call.Assigns) > 0 || !isLiteral(call.Args[0], "cat") {
		return "", false
	}
	var out []byte
	switch {
	case len(call.Args) == 1:
		r := stdinRedirect(st.Redirs)
		if r == nil || r.Op != syntax.Hdoc && r.Op != syntax.DashHdoc || r.Hdoc == nil {
			return "", false
		}
		h := s.hdoc(r)
		if h.body == nil && r.Hdoc.End().Offset() > r.Hdoc.Pos().Offset() || len(h.unknown) > 0 {
			return "", false
		}
		out = h.body
	case len(call.Args) == 2 && len(st.Redirs) == 0:
		if w := s.writtenFor(call.Args[1]); w != nil {
			if w.changer != "" || len(w.pieces) != 1 || len(w.pieces[0].unknown) > 0 {
				return "", false
			}
			out = w.pieces[0].body
			break
		}
		f, ok := literal(call.Args[1])
		if !ok {
			return "", false
		}
		if out, ok = s.readRegular(f); !ok {
			return "", false
		}
	default:
		return "", false
	}
	return strings.TrimRight(string(out), "\n"), true
}

// withSubstitutions gives the words whose command substitutions meshguard
// can read (substituted) as the literals the shell makes of them.
func (s *Script) withSubstitutions(args []*syntax.Word) []*syntax.Word {
	var out []*syntax.Word
	for i, w := range args {
		v, ok := s.substituted(w)
		if !ok {
			continue
		}
		if out == nil {
			out = append([]*syntax.Word{}, args...)
		}
		out[i] = &syntax.Word{Parts: []syntax.WordPart{&syntax.SglQuoted{Left: w.Pos(), Right: w.End(), Value: v}}}
	}
	if out == nil {
		return args
	}
	return out
}

// stdinWritten is the file the script wrote that a command reads on
// standard input, named by a redirection (< "$DIR/eg.yaml") or as cat's
// one file (cat "$DIR/eg.yaml" |); nil for anything else.
func (s *Script) stdinWritten(redirs []*syntax.Redirect, upstream *syntax.Stmt) *writtenFile {
	if r := stdinRedirect(redirs); r != nil {
		if r.Op != syntax.RdrIn {
			return nil
		}
		return s.writtenFor(r.Word)
	}
	if upstream == nil {
		return nil
	}
	for _, r := range upstream.Redirs {
		if touchesStdio(r) {
			return nil
		}
	}
	call, ok := upstream.Cmd.(*syntax.CallExpr)
	if !ok || len(call.Args) != 2 || !isLiteral(call.Args[0], "cat") {
		return nil
	}
	return s.writtenFor(call.Args[1])
}

// writtenUnder lists the manifests the script wrote into folder dir (and
// its subfolders, when recursive), by name, as kubectl -f DIR reads a
// folder's .yaml, .yml and .json files.
func (s *Script) writtenUnder(dir string, recursive bool) []*writtenFile {
	dir = absID(dir)
	var keys []string
	for key := range s.written {
		if strings.HasPrefix(key, "$") || !strings.HasPrefix(key, dir+string(filepath.Separator)) || !isManifestName(key) {
			continue
		}
		if !recursive && filepath.Dir(key) != dir {
			continue
		}
		keys = append(keys, key)
	}
	sort.Strings(keys)
	out := make([]*writtenFile, len(keys))
	for i, key := range keys {
		out[i] = s.written[key]
	}
	return out
}

// fileID is the key of a file a command names by a literal name: its
// absolute path, so that "egress.yaml", "./egress.yaml" and a folder named
// "." agree whatever the folder meshguard runs in.
func (s *Script) fileID(f string) string { return absID(s.path(f)) }

// absID is fileID of a name already resolved against the script's folder.
func absID(p string) string {
	p = filepath.Clean(p)
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// isDir reports whether path is a folder on disk.
func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

// noteGroupWrites records what a group of commands writes to a file as
// one ({ cat <<EOF ... EOF; } > f, ( ... ) > f): each command's output
// goes to the group's file, the first replacing what it held, the others
// after it.
func (s *Script) noteGroupWrites(st *syntax.Stmt) {
	var inner []*syntax.Stmt
	switch c := st.Cmd.(type) {
	case *syntax.Block:
		inner = c.Stmts
	case *syntax.Subshell:
		inner = c.Stmts
	default:
		return
	}
	var out *syntax.Redirect
	for _, r := range st.Redirs {
		switch r.Op {
		case syntax.RdrOut, syntax.ClbOut, syntax.AppOut, syntax.RdrAll, syntax.AppAll:
			if r.N == nil || r.N.Value == "1" || r.Op == syntax.RdrAll || r.Op == syntax.AppAll {
				out = r
			}
		}
	}
	if out == nil {
		return
	}
	for i, in := range inner {
		call, ok := in.Cmd.(*syntax.CallExpr)
		if !ok || len(call.Args) == 0 {
			continue
		}
		name, ok := literal(call.Args[0])
		if !ok {
			continue
		}
		to := *out
		if i > 0 {
			to.Op = syntax.AppOut
		}
		redirs := append(append([]*syntax.Redirect{}, in.Redirs...), &to)
		s.noteWrites(call, name, call.Args[1:], redirs, nil)
	}
}
