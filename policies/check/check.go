// Package check runs the engine over offline inputs: files, directories, stdin,
// patches and kubectl commands. It reads the inputs twice: a first pass builds
// the cluster view the cross-resource rules need (MeshConfigs, Egress policies,
// Namespaces, UpstreamTrafficSettings), a second streams every document through
// the engine on all cores. Only findings and that view are kept in memory.
package check

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/meshguard/meshguard/inject"
	"github.com/meshguard/meshguard/policies"
	"github.com/meshguard/meshguard/policies/report"
	"github.com/meshguard/meshguard/policies/source"
	"mvdan.cc/sh/v3/syntax"
)

// Options say what to check.
type Options struct {
	// Paths are files, directories (walked for *.yaml, *.yml, *.json, *.sh and
	// *.md) or "-" for Stdin.
	Paths []string
	Stdin io.Reader
	// Command is a pasted kubectl command, one word per element.
	Command []string
	// Patch is a kubectl-style patch to check.
	Patch *Patch
	// MeshConfig, when set, governs every object (--mesh-config), except
	// where a script or runbook has applied or patched one above it.
	MeshConfig map[string]any
	// NamespaceLabels are extra Namespaces with their labels (--namespace-labels).
	NamespaceLabels map[string]map[string]string
	// MeshName is the mesh's name (--mesh-name), for the monitored-namespace rule.
	MeshName string
	// Workers evaluate in parallel; 0 means one per CPU.
	Workers int
}

// Patch is `meshguard validate patch KIND NAME -p PATCH`.
type Patch struct {
	Resource  source.Resource
	Name      string
	Namespace string
	Type      string
	Body      []byte
	// Base is the stored object; nil means the install-default MeshConfig.
	Base map[string]any
}

// input is one unit to read: a file of some type, or in-memory content.
type input struct {
	name    string
	kind    string // yaml, shell, markdown
	content []byte // set for stdin and commands; files are read from disk
	// chart is the Helm chart whose templates folder holds the file, if one
	// does (chartOf).
	chart string
	// kustomization is the folder of the kustomization that names the file
	// as a patch, if one does (markKustomizePatches).
	kustomization string
	// walked is true for a file found in a folder, not named itself.
	walked bool
}

// Run checks everything opts names. Unreadable or unparsable inputs are
// reported in the result's Errors, and the other inputs are still checked; the
// returned error is for meshguard's own failures.
func Run(ctx context.Context, engine *policies.Engine, opts Options) (report.Result, error) {
	r := &run{engine: engine, opts: opts, view: newView(engine, opts)}
	inputs, errs := r.inputs()
	r.errors = append(r.errors, errs...)
	// Pass 1: the cluster view. A manifest that a script applies with
	// kubectl apply -f FILE joins the inputs, so it is checked too.
	seen := map[string]bool{}
	r.view.manifests, r.view.readOnce = map[string]bool{}, map[string]bool{}
	r.view.runbooks = map[string]bool{}
	for _, in := range inputs {
		seen[r.view.abs(in.name)] = true
		switch in.kind {
		case "yaml":
			r.view.manifests[in.name] = true
			if in.content != nil {
				r.view.readOnce[in.name] = true
			}
		case "markdown":
			r.view.runbooks[in.name] = true
		}
	}
	ahead := newPrefetch(r, r.workers())
	for i := 0; i < len(inputs); i++ {
		ahead.launch(inputs, i)
		if docs, ok := ahead.wait(i); ok {
			for _, d := range docs {
				r.view.addSummarized(d)
			}
			continue
		}
		r.refs = nil
		r.read(inputs[i], func(d *source.Document) error { r.view.add(d); return nil }, false)
		for _, ref := range r.refs {
			for _, f := range manifestsAt(ref.Path, ref.Recursive) {
				if !seen[r.view.abs(f)] {
					seen[r.view.abs(f)] = true
					r.view.manifests[f] = true
					inputs = append(inputs, input{name: f, kind: "yaml"})
				}
			}
		}
	}
	// Then the MeshConfig steps of scripts and runbooks, in their order,
	// once every manifest is known: a patch starts from the same object
	// here as in the second pass, whatever order the files come in.
	r.stepping = true
	for _, in := range inputs {
		if in.kind == "shell" || in.kind == "markdown" {
			r.read(in, func(d *source.Document) error {
				r.view.documentAt(d)
				r.view.addStep(d)
				return nil
			}, false)
		}
	}
	r.stepping = false
	if err := r.view.freeze(ctx); err != nil {
		return report.Result{}, err
	}
	// Pass 2: evaluate, streaming.
	return r.evaluate(ctx, inputs)
}

type run struct {
	refs   []source.Ref // files the script being read applies with -f
	engine *policies.Engine
	opts   Options
	view   *view
	errors []report.InputError
	// stepping is true while the first pass reads the steps of scripts.
	stepping bool
	skipped  []report.Skipped
	// charts caches chartOf's answer by folder.
	charts map[string]string
}

// chartOf returns the Helm chart a file is a template of: the folder above
// the templates folder that holds it (at any depth), when that folder has a
// Chart.yaml; "" otherwise. Such a file is Go template text that only helm
// template makes a manifest of: read as YAML it is broken, or worse, a
// different object ("namespace: {{ .Release.Namespace }}" is a map). The
// folders are looked at as they are on disk (absolute, links followed), and
// the chart is named relative to the working directory when it can be.
func (r *run) chartOf(file string) string {
	if r.charts == nil {
		r.charts = map[string]string{}
	}
	dir := r.view.abs(filepath.Dir(file))
	if c, ok := r.charts[dir]; ok {
		return c
	}
	real := dir
	if d, err := filepath.EvalSymlinks(dir); err == nil {
		real = d
	}
	c := ""
	for d := real; ; {
		if filepath.Base(d) == "templates" {
			chart := filepath.Dir(d)
			if st, err := os.Stat(filepath.Join(chart, "Chart.yaml")); err == nil && !st.IsDir() {
				c = chart
				if rel, err := filepath.Rel(r.view.cwd, chart); err == nil {
					c = rel
				}
				break
			}
		}
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	r.charts[dir] = c
	return c
}

// inputs expands paths into the inputs to read, in a stable order.
func (r *run) inputs() ([]input, []report.InputError) {
	var out []input
	var errs []report.InputError
	// A file named twice (a folder and a file in it, or a relative and an
	// absolute name) is read once, under the first name.
	named := map[string]bool{}
	add := func(in input) {
		if in.kind == "yaml" {
			in.chart = r.chartOf(in.name)
		}
		if a := r.view.abs(in.name); !named[a] {
			named[a] = true
			out = append(out, in)
		}
	}
	for _, p := range r.opts.Paths {
		if p == "-" {
			if r.opts.Stdin == nil {
				errs = append(errs, report.InputError{File: "-", Message: "no standard input"})
				continue
			}
			b, err := source.ReadAll(r.opts.Stdin)
			if err != nil {
				errs = append(errs, report.InputError{File: "-", Message: "read standard input: " + err.Error()})
				continue
			}
			out = append(out, input{name: "-", kind: "yaml", content: b})
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			errs = append(errs, report.InputError{File: p, Message: describe(err)})
			continue
		}
		if !st.IsDir() {
			in := input{name: p, kind: fileKind(p, true)}
			if !st.Mode().IsRegular() {
				// A pipe (<(kubectl get ...), /dev/stdin) or a device gives
				// what it holds once: read now, for both passes.
				b, err := source.ReadFile(p)
				if err != nil {
					errs = append(errs, report.InputError{File: p, Message: describe(err)})
					continue
				}
				in.content = b
				out = append(out, in)
				continue
			}
			add(in)
			continue
		}
		var found []input
		root := p
		if lst, err := os.Lstat(p); err == nil && lst.Mode()&fs.ModeSymlink != 0 {
			// A link to a folder: WalkDir would take it for a file.
			root = p + string(filepath.Separator)
		}
		err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				errs = append(errs, report.InputError{File: path, Message: describe(err)})
				return nil
			}
			if d.IsDir() {
				if path != root && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				return nil
			}
			k := fileKind(path, false)
			if k == "" {
				return nil
			}
			if !d.Type().IsRegular() {
				// A pipe or device in a folder may never end, and a link
				// may lead to one: only regular files are read.
				if st, err := os.Stat(path); err != nil || !st.Mode().IsRegular() {
					if err == nil {
						r.skipped = append(r.skipped, report.Skipped{File: path, Message: fmt.Sprintf("not a regular file (%s), so not read; name it on its own to read it", fileType(st.Mode()))})
						return nil
					}
					errs = append(errs, report.InputError{File: path, Message: describe(err)})
					return nil
				}
			}
			found = append(found, input{name: path, kind: k, walked: true})
			return nil
		})
		if err != nil {
			errs = append(errs, report.InputError{File: p, Message: describe(err)})
		}
		for _, in := range found {
			add(in)
		}
	}
	if len(r.opts.Command) > 0 {
		out = append(out, input{name: "<command>", kind: "shell", content: []byte(shellJoin(r.opts.Command))})
	}
	if r.opts.Patch != nil {
		out = append(out, input{name: "<patch>", kind: "patch"})
	}
	r.markKustomizePatches(out)
	return out, errs
}

// fileType names what a file that is not a regular one is.
func fileType(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "a special file"
}

// fileKind decides how to read a file by its name. A file named explicitly is
// read as YAML whatever its extension, unless it is a script or Markdown.
func fileKind(path string, explicit bool) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml", ".json":
		return "yaml"
	case ".sh", ".bash":
		return "shell"
	case ".md", ".markdown":
		return "markdown"
	}
	if explicit {
		return "yaml"
	}
	return ""
}

func describe(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Op + ": " + pe.Err.Error()
	}
	return err.Error()
}

// read decodes one input, calling emit for every document. Errors are recorded
// once, in the second pass (record).
func (r *run) read(in input, emit func(*source.Document) error, record bool) int {
	fail := func(line int, msg string) {
		if record {
			r.errors = append(r.errors, report.InputError{File: in.name, Line: line, Message: msg})
		}
	}
	content := in.content
	if content == nil && in.kind != "patch" {
		b, err := source.ReadFile(in.name)
		if err != nil {
			fail(0, describe(err))
			return 0
		}
		content = b
	}
	template := bytes.Contains(content, []byte("{{"))
	// A template a script applies with kubectl apply -f is a mistake in the
	// script, and read as the manifest kubectl would take it for.
	if in.kind == "yaml" && in.chart != "" && template && len(r.view.appliedPoints(in.name)) == 0 {
		if record {
			r.skipped = append(r.skipped, report.Skipped{File: in.name, Message: fmt.Sprintf(
				"a template of the Helm chart %s, not a manifest; check what the chart makes with: helm template %s | meshguard validate -",
				in.chart, shellJoin([]string{in.chart}))})
		}
		return 0
	}
	if in.kind == "yaml" && in.kustomization != "" && isYAMLList(content) {
		if record {
			r.skipped = append(r.skipped, report.Skipped{File: in.name, Message: fmt.Sprintf(
				"a JSON patch of the kustomization in %s, not an object; check what kustomize makes with: kubectl kustomize %s | meshguard validate -",
				in.kustomization, shellJoin([]string{in.kustomization}))})
		}
		return 0
	}
	n := 0
	count := func(d *source.Document) error {
		if !d.Install { // an osm install is a command, not a document
			n++
		}
		return emit(d)
	}
	var err error
	switch in.kind {
	case "yaml":
		emit := count
		if in.kustomization != "" {
			partial := fmt.Sprintf("kustomize merges it into a resource of its base, so only its field names are checked; check the whole with: kubectl kustomize %s | meshguard validate -",
				shellJoin([]string{in.kustomization}))
			emit = func(d *source.Document) error {
				obj, deleted := withoutDirectives(d.Object)
				if deleted {
					return nil // it removes an object: nothing to judge
				}
				d.Object = obj
				d.Patch = &source.PatchInfo{Type: "merge", Partial: partial, Source: "kustomize patch"}
				return count(d)
			}
		}
		err = source.DecodeYAMLBytes(in.name, content, 0, emit)
	case "shell", "markdown":
		sc := &source.Scanner{Bases: r.view, Emit: count, Ref: r.ref(in.name, record), Judged: judged}
		if r.stepping {
			sc.Delete = func(d source.Deletion) { r.view.deleted(in.name, d) }
		}
		if !r.stepping && !record {
			sc.Relabel = r.view.relabel // the first pass: the view's namespaces
		}
		if in.kind == "shell" {
			err = sc.Shell(in.name, content)
		} else {
			err = sc.Markdown(in.name, content)
		}
	case "patch":
		err = r.patch(count)
	}
	var pe *source.ParseError
	var pes source.ParseErrors
	switch {
	case errors.As(err, &pes):
		// A script's or runbook's: each at its line, the rest read.
		for _, pe := range pes {
			fail(pe.Line, pe.Msg)
		}
	case errors.As(err, &pe) && in.kind == "yaml" && in.walked && in.kustomization == "" && !holdsManifestKeys(content):
		// A folder holds more than manifests: a tsconfig.json or a
		// devcontainer.json with comments is no Kubernetes object.
		if record {
			r.skipped = append(r.skipped, report.Skipped{File: in.name, Message: fmt.Sprintf(
				"not YAML or JSON meshguard can read (line %d: %s), and no apiVersion or kind at its top level: not a Kubernetes manifest; name the file itself to have it checked", pe.Line, pe.Msg)})
		}
	case errors.As(err, &pe) && in.kind == "yaml" && template:
		fail(pe.Line, pe.Msg+" (the file holds {{ }}: if it is a template, check what it renders, e.g. helm template CHART | meshguard validate -)")
	case errors.As(err, &pe):
		fail(pe.Line, pe.Msg)
	case err != nil:
		fail(0, err.Error())
	}
	return n
}

// holdsManifestKeys reports whether content has an apiVersion or kind key
// where a manifest has them, as block or flow YAML or as JSON writes them:
// whatever else is wrong with it, it may be a Kubernetes manifest. In block
// YAML that is at the top level of a document (or of an item of a
// top-level list): an Ansible playbook, a list whose tasks nest a
// manifest's keys deeper, is no manifest.
func holdsManifestKeys(content []byte) bool {
	content = bytes.TrimPrefix(content, []byte("\xef\xbb\xbf")) // a byte order mark
	if t := bytes.TrimSpace(content); len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		return manifestKey.Match(content)
	}
	if topLevelManifestKey.Match(content) {
		return true
	}
	// A document indented as a whole (still YAML) has its top level at the
	// indentation of its first line.
	for _, l := range bytes.Split(content, []byte("\n")) {
		t := bytes.TrimLeft(l, " ")
		if len(bytes.TrimSpace(t)) == 0 || t[0] == '#' {
			continue
		}
		if n := len(l) - len(t); n > 0 {
			return topLevelManifestKey.Match(bytes.ReplaceAll(content, append([]byte("\n"), bytes.Repeat([]byte(" "), n)...), []byte("\n"))) ||
				topLevelManifestKey.Match(t)
		}
		return false
	}
	return false
}

var (
	manifestKey         = regexp.MustCompile(`(^|[\s{,\-])["']?(apiVersion|kind)["']?\s*:`)
	topLevelManifestKey = regexp.MustCompile(`(?m)^(-[ \t]+)?["']?(apiVersion|kind)["']?\s*:|^\{.*\b(apiVersion|kind)\b`)
)

// ref notes a file that a kubectl command in a script applies with -f, so
// that Run adds it to the inputs (in the first pass; a URL or a missing file
// is left alone: it may be relative to another working directory).
func (r *run) ref(script string, record bool) func(source.Ref) {
	return func(ref source.Ref) {
		ref.Path = filepath.Clean(ref.Path)
		switch {
		case r.stepping:
			r.view.applied(script, ref, manifestsAt(ref.Path, ref.Recursive))
		case !record:
			r.refs = append(r.refs, ref)
		}
	}
}

// abs is path made absolute, to tell whether two names are one file.
func (v *view) abs(path string) string {
	if filepath.IsAbs(path) {
		return filepath.Clean(path)
	}
	return filepath.Join(v.cwd, path)
}

// manifestsAt lists the manifests kubectl apply -f reads at path: the file
// itself (unless it is a script or Markdown, which kubectl could not read
// either), or the YAML and JSON files of a folder, and of its subfolders
// with -R.
func manifestsAt(path string, recursive bool) []string {
	st, err := os.Stat(path)
	switch {
	case err != nil:
		return nil
	case st.Mode().IsRegular():
		if k := fileKind(path, true); k != "yaml" {
			return nil
		}
		return []string{path}
	case !st.IsDir():
		return nil
	}
	var out []string
	_ = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return nil
		case d.IsDir() && p != path && !recursive:
			return filepath.SkipDir
		case !d.IsDir() && fileKind(p, false) == "yaml":
			out = append(out, filepath.Clean(p))
		}
		return nil
	})
	return out
}

func (r *run) patch(emit func(*source.Document) error) error {
	p := r.opts.Patch
	base := r.view.through(p.Base, p.Resource)
	if base == nil {
		base, _ = r.view.Base(source.At{File: "<patch>"}, p.Resource, p.Namespace, p.Name)
	}
	if base == nil {
		return fmt.Errorf("patching a %s needs its stored manifest: pass it with --base FILE", p.Resource.Kind)
	}
	d, err := source.ApplyPatch(base, p.Resource.APIVersion, p.Body, p.Type)
	if err != nil {
		return err
	}
	d.File, d.Line = "<patch>", 1
	return emit(d)
}

// evaluated reports whether meshguard judges a document: osm-edge's kinds,
// and pods and the workloads that hold pod templates.
func evaluated(d *source.Document) bool { return !d.Install && judged(d.APIVersion(), d.Kind()) }

func judged(api, kind string) bool {
	return strings.HasPrefix(api, "config.openservicemesh.io/") || strings.HasPrefix(api, "policy.openservicemesh.io/") ||
		(inject.IsWorkload(kind) && (api == "v1" || strings.HasPrefix(api, "apps/") || strings.HasPrefix(api, "batch/")))
}

// podObject is what the rules judge for a document: the document itself, or
// for a workload the pod its template makes, in the workload's namespace.
// Paths in findings on a template's pod are the pod's, reported at the
// workload. A template that cannot be read is an error.
func podObject(d *source.Document) (map[string]any, error) {
	if d.Kind() == "Pod" || !inject.IsWorkload(d.Kind()) {
		return d.Object, nil
	}
	p, err := inject.PodOf(d.Object)
	if err != nil {
		return nil, err
	}
	p.APIVersion, p.Kind = "v1", "Pod"
	b, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	var obj map[string]any
	if err := json.Unmarshal(b, &obj); err != nil {
		return nil, err
	}
	return obj, nil
}

// lineOf is the line of a finding's field. A workload's findings are on
// the pod its template makes (podObject): their pod paths are read under
// the template (a Deployment's pod annotation is at
// spec.template.metadata.annotations), but for the namespace and name,
// which the pod takes from the workload.
func lineOf(d *source.Document, path string) int {
	if t := inject.TemplatePath(d.Kind()); t != "" && (strings.HasPrefix(path, "spec.") || strings.HasPrefix(path, "metadata.annotations") || strings.HasPrefix(path, "metadata.labels")) {
		return d.LineOf(t + "." + path)
	}
	return d.LineOf(path)
}

type job struct {
	seq int
	doc *source.Document
	// object is what the rules judge (podObject), or the update a script's
	// kubectl apply or replace of a MeshConfig makes (view.update): then
	// old is the MeshConfig it changes and applied the verb.
	object  map[string]any
	old     map[string]any
	applied string
	// attempt is settled with the document's verdict, for a script's
	// later apply of the same Egress policy (reapplies).
	attempt *attempt
}

type outcome struct {
	seq     int
	entries []report.Entry
	err     error
}

func (r *run) workers() int {
	if r.opts.Workers > 0 {
		return r.opts.Workers
	}
	return runtime.GOMAXPROCS(0)
}

// prefetch decodes the first pass's manifest files ahead, on all cores: a
// manifest's documents depend on nothing read before it. Scripts and
// runbooks are read in order by the caller, as a patch in one starts from
// the view so far. Results are taken in input order, so the view is the
// same as when read one by one.
type prefetch struct {
	r       *run
	slots   chan struct{}
	window  int
	next    int
	pending map[int]chan []summarized
}

func newPrefetch(r *run, workers int) *prefetch {
	return &prefetch{r: r, slots: make(chan struct{}, workers), window: 4 * workers, pending: map[int]chan []summarized{}}
}

// launch starts decoding the manifests among inputs[i : i+window].
func (p *prefetch) launch(inputs []input, i int) {
	for ; p.next < len(inputs) && p.next < i+p.window; p.next++ {
		in := inputs[p.next]
		if in.kind != "yaml" || in.content != nil {
			continue
		}
		done := make(chan []summarized, 1)
		p.pending[p.next] = done
		go func() {
			p.slots <- struct{}{}
			defer func() { <-p.slots }()
			var docs []summarized
			content, err := source.ReadFile(in.name)
			if err != nil || !mayHoldViewKinds(content) {
				done <- nil // the second pass reports what cannot be read
				return
			}
			in.content = content
			p.r.read(in, func(d *source.Document) error {
				if wanted(d) {
					docs = append(docs, summarize(d))
				}
				return nil
			}, false)
			done <- docs
		}()
	}
}

// viewKinds are the kinds the view records (wanted), as bytes to look for.
var viewKinds = [][]byte{[]byte("MeshConfig"), []byte("Egress"), []byte("UpstreamTrafficSetting"), []byte("Namespace")}

// mayHoldViewKinds reports whether a manifest may hold a document the view
// records: one that names none of their kinds cannot, and the first pass does
// not decode it (a repository's Deployments and Services). A kind may also be
// written with escapes (JSON's "\u0045gress") or in UTF-16 (what Windows
// PowerShell's redirection writes), so content with a backslash or a NUL
// byte is decoded whatever it names.
func mayHoldViewKinds(content []byte) bool {
	if bytes.IndexByte(content, '\\') >= 0 || bytes.IndexByte(content, 0) >= 0 {
		return true
	}
	for _, k := range viewKinds {
		if bytes.Contains(content, k) {
			return true
		}
	}
	return false
}

// wait returns the documents of input i the view records, if i was prefetched.
func (p *prefetch) wait(i int) ([]summarized, bool) {
	done, ok := p.pending[i]
	if !ok {
		return nil, false
	}
	delete(p.pending, i)
	return <-done, true
}

func (r *run) evaluate(ctx context.Context, inputs []input) (report.Result, error) {
	workers := r.workers()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan job, workers*4)
	outs := make(chan outcome, workers*4)
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				entries, err := r.judge(ctx, j)
				if j.attempt != nil {
					j.attempt.settle(err != nil || r.deniedAtAdmission(entries))
				}
				outs <- outcome{seq: j.seq, entries: entries, err: err}
			}
		}()
	}
	docs := 0
	again := &reapplies{view: r.view}
	go func() {
		seq := 0
		for _, in := range inputs {
			docs += r.read(in, func(d *source.Document) error {
				if !evaluated(d) {
					return nil
				}
				// A template the API server would refuse (a YAML boolean
				// where a string goes) is an input error, not a pass.
				obj, err := d.Object, error(nil)
				if d.Patch == nil || d.Patch.Unresolved == "" { // a stand-in has no template
					obj, err = podObject(d)
				}
				if err != nil {
					r.errors = append(r.errors, report.InputError{File: d.File, Line: d.Line, Message: fmt.Sprintf("%s %s: the pod template cannot be read: %v", d.Kind(), d.Name(), err)})
					return nil
				}
				j := job{seq: seq, doc: d, object: obj}
				if merged, old, ok := r.view.update(d, obj); ok {
					j.object, j.old, j.applied = merged, old, d.Verb
				}
				stored, a := again.reapplied(d)
				if stored != nil {
					j.old, j.applied = stored, d.Verb
				}
				j.attempt = a
				select {
				case jobs <- j:
				case <-ctx.Done():
					if a != nil {
						a.settle(true)
					}
					return ctx.Err()
				}
				seq++
				return nil
			}, true)
		}
		close(jobs)
		wg.Wait()
		close(outs)
	}()
	var all []outcome
	var firstErr error
	for o := range outs {
		if o.err != nil && firstErr == nil {
			firstErr = o.err
			cancel()
		}
		if len(o.entries) > 0 {
			all = append(all, o)
		}
	}
	if firstErr != nil {
		return report.Result{}, firstErr
	}
	sort.Slice(all, func(i, j int) bool { return all[i].seq < all[j].seq })
	res := report.Result{Findings: []report.Entry{}, Errors: r.errors, Skipped: r.skipped}
	for _, o := range all {
		res.Findings = append(res.Findings, o.entries...)
	}
	if res.Errors == nil {
		res.Errors = []report.InputError{}
	}
	for _, in := range inputs {
		res.Files = append(res.Files, in.name)
	}
	res.Summary = report.Summary{Files: len(inputs), Documents: docs, Findings: len(res.Findings), Errors: len(res.Errors), Skipped: len(res.Skipped)}
	for _, e := range res.Findings {
		switch e.Severity {
		case policies.Deny:
			res.Summary.Deny++
		case policies.Warn:
			res.Summary.Warn++
		case policies.Info:
			res.Summary.Info++
		}
	}
	return res, nil
}

// deniedAtAdmission reports whether a document's findings would deny it at
// admission, where some rules only warn (admission_severity: MG3005, as an
// apply sends an Egress before its UpstreamTrafficSetting): the policy is
// then stored all the same.
func (r *run) deniedAtAdmission(entries []report.Entry) bool {
	for _, e := range entries {
		if r.engine.Catalog().AtAdmission(e.Rule, e.Severity) == policies.Deny {
			return true
		}
	}
	return false
}

// judge evaluates one document and locates its findings.
func (r *run) judge(ctx context.Context, j job) ([]report.Entry, error) {
	d := j.doc
	in := policies.Input{
		Operation: d.Operation,
		Object:    j.object,
		OldObject: d.OldObject,
		Inventory: r.view.inventoryFor(d),
	}
	if j.applied != "" {
		in.Operation, in.OldObject, in.Applied = "UPDATE", j.old, j.applied
	}
	if d.FieldValidation != "" {
		// As kubectl sends it with the request (CreateOptions, UpdateOptions).
		in.Options = map[string]any{"fieldValidation": d.FieldValidation}
	}
	if p := d.Patch; p != nil {
		in.Patch = &policies.Patch{Type: p.Type, Error: p.Error, Path: p.Path, Unresolved: p.Unresolved, Refused: p.Refused, Partial: p.Partial, Source: p.Source}
	}
	// An update in a script is not told again the warnings its object
	// already drew: where that object came in, or the patch's base, is the
	// place. (A script's command, not validate patch, whose --base is not
	// an input reported on its own.)
	in.QuietStanding = d.Command.Line != 0
	in.AssumedOld = d.AssumedBase && j.applied == ""
	fs, err := r.engine.Evaluate(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("%s:%d: %w", d.File, d.Line, err)
	}
	if d.Unknown != nil || len(r.view.unknownValues) > 0 {
		fs = withoutUnknown(fs, j.object, d.Unknown, r.view.unknownValues)
	}
	named(fs, r.view.unknown)
	named(fs, d.Unknown)
	entries := make([]report.Entry, 0, len(fs))
	for _, f := range fs {
		entries = append(entries, report.Entry{
			Finding:   f,
			File:      d.File,
			Line:      lineOf(d, f.Path),
			Kind:      d.Kind(),
			Namespace: source.ShowExpansions(d.Namespace(), d.Unknown),
			Name:      source.ShowExpansions(d.Name(), d.Unknown),
		})
	}
	sort.SliceStable(entries, func(i, j int) bool {
		if entries[i].Line != entries[j].Line {
			return entries[i].Line < entries[j].Line
		}
		return entries[i].Rule < entries[j].Rule
	})
	return entries, nil
}

// shellJoin quotes a command's words back into one shell line, so a pasted
// command is read by the same scanner as a script.
func shellJoin(words []string) string {
	quoted := make([]string, len(words))
	for i, w := range words {
		q, err := syntax.Quote(w, syntax.LangBash)
		if err != nil {
			q = "''" // a word with a NUL byte: nothing kubectl could take either
		}
		quoted[i] = q
	}
	return strings.Join(quoted, " ")
}
