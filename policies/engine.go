package policies

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"reflect"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"sigs.k8s.io/yaml"

	"github.com/meshguard/meshguard/manifests"
	"github.com/meshguard/meshguard/policies/source"
	rulefs "github.com/meshguard/meshguard/rego"
)

// Query is the one entrypoint every caller evaluates.
const Query = "data.meshguard.main.findings"

// lastAppliedAnnotation is where kubectl apply keeps what the user last applied.
const lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

// Engine evaluates the rules. It is safe for concurrent use; build it once.
type Engine struct {
	// query is the prepared query of the rules as written, until it is
	// replaced by the flattened one (flatten.go).
	query    atomic.Pointer[rego.PreparedEvalQuery]
	catalog  Catalog
	schemas  *schemas
	disabled map[string]bool
	defaults map[string]any
	// installValues maps osm install's chart values to MeshConfig fields.
	installValues map[string]string
	// compiled are the compiled rules, kept to flatten them once the engine
	// has been used enough (flattenAfter); nil when they are not to be.
	compiled  map[string]*ast.Module
	evals     atomic.Int64
	flattenMu sync.Mutex
	// flattened is true once the rules are evaluated flattened.
	flattened atomic.Bool
}

// flattenAfter is how many evaluations the engine makes with the rules as
// written before it flattens them in the background. Flattening compiles the
// rules once more (about 50 ms): a validate run over a few files would pay
// more than it gains, the webhook and a run over many files gain it back
// within a few hundred documents. The findings are the same either way
// (TestFlattenedRulesAgree), so the switch can happen mid-run.
var flattenAfter int64 = 200

type config struct {
	asWritten bool
	disabled  []string
	rules     fs.FS
	extra     map[string]string
}

// Option configures New.
type Option func(*config)

// WithDisabled turns rules off by code. An unknown code is an error from New.
func WithDisabled(codes ...string) Option {
	return func(c *config) { c.disabled = append(c.disabled, codes...) }
}

// asWritten evaluates the rules as written, not flattened (tests).
func asWritten() Option {
	return func(c *config) { c.asWritten = true }
}

// WithRules replaces the embedded rule bundle (tests and benchmarks).
func WithRules(fsys fs.FS) Option {
	return func(c *config) { c.rules = fsys }
}

// WithExtraModules adds Rego modules, keyed by file name, to the bundle.
func WithExtraModules(mods map[string]string) Option {
	return func(c *config) { c.extra = mods }
}

// New compiles the rules into a prepared query, reads the catalog from their
// METADATA and loads the CRD schemas. Any problem with the rules is an error here,
// never at evaluation.
func New(ctx context.Context, opts ...Option) (*Engine, error) {
	cfg := config{rules: rulefs.FS}
	for _, o := range opts {
		o(&cfg)
	}
	mods, err := loadModules(cfg.rules, false)
	if err != nil {
		return nil, fmt.Errorf("load rules: %w", err)
	}
	for name, src := range cfg.extra {
		m, err := ast.ParseModuleWithOpts(name, src, ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1})
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		mods[name] = m
	}
	cat, err := catalogFrom(mods)
	if err != nil {
		return nil, err
	}
	e := &Engine{catalog: cat, disabled: map[string]bool{}}
	for _, code := range cfg.disabled {
		code = strings.ToUpper(strings.TrimSpace(code))
		if code == "" {
			continue
		}
		if _, ok := cat.Lookup(code); !ok {
			return nil, fmt.Errorf("unknown rule code %q (meshguard rules lists them)", code)
		}
		e.disabled[code] = true
	}
	// The rules are compiled here, once, as rego.New would compile them;
	// flattenNow starts from the same compiled modules.
	c := ast.NewCompiler().WithStrict(true).WithDefaultRegoVersion(ast.RegoV1).WithUseTypeCheckAnnotations(true)
	if c.Compile(mods); c.Failed() {
		return nil, fmt.Errorf("compile rules: %w", c.Errors)
	}
	pq, err := rego.New(rego.Query(Query), rego.SetRegoVersion(ast.RegoV1), rego.Strict(true), rego.Compiler(c)).PrepareForEval(ctx)
	if err != nil {
		return nil, fmt.Errorf("compile rules: %w", err)
	}
	e.query.Store(&pq)
	if !cfg.asWritten {
		e.compiled = c.Modules
	}
	if e.schemas, err = loadSchemas(manifests.CRDs); err != nil {
		return nil, fmt.Errorf("load CRD schemas: %w", err)
	}
	var defaults map[string]any
	if err := yaml.Unmarshal(manifests.DefaultMeshConfig, &defaults); err != nil {
		return nil, fmt.Errorf("decode default MeshConfig: %w", err)
	}
	e.defaults = deepCopy(defaults)
	if err := yaml.Unmarshal(manifests.InstallValues, &e.installValues); err != nil {
		return nil, fmt.Errorf("decode the install values table: %w", err)
	}
	return e, nil
}

// flattenNow replaces the query with the flattened rules' (flatten.go), once.
// Rules that cannot be flattened stay as written: the same findings, more
// slowly.
func (e *Engine) flattenNow() {
	e.flattenMu.Lock()
	defer e.flattenMu.Unlock()
	if e.compiled == nil || e.flattened.Load() {
		return
	}
	compiled := e.compiled
	e.compiled = nil
	flat, err := flatten(compiled)
	if err != nil {
		return
	}
	// The rules passed strict mode when New compiled them; compiled modules
	// hold the compiler's own variables, which strict mode rejects.
	args := []func(*rego.Rego){rego.Query(Query), rego.SetRegoVersion(ast.RegoV1)}
	for _, m := range flat {
		args = append(args, rego.ParsedModule(m))
	}
	pq, err := rego.New(args...).PrepareForEval(context.Background())
	if err != nil {
		return
	}
	e.query.Store(&pq)
	e.flattened.Store(true)
}

// Catalog lists the rules, sorted by code.
func (e *Engine) Catalog() Catalog { return e.catalog }

// DefaultMeshConfig returns a copy of osm-edge 1.3.9's install-default MeshConfig.
func (e *Engine) DefaultMeshConfig() map[string]any {
	return deepCopy(e.defaults)
}

// Installed returns the MeshConfig that osm install leaves in namespace
// ("" for osm-system) given the chart values it sets by their full names
// (--set osm.enableEgress=false is "osm.enableEgress": false). Values that
// preset no MeshConfig field are left out.
func (e *Engine) Installed(namespace string, set map[string]any) map[string]any {
	mc := e.DefaultMeshConfig()
	if namespace != "" {
		mc["metadata"].(map[string]any)["namespace"] = namespace
	}
	for key, value := range set {
		path, known := e.installValues[key]
		if !known {
			continue
		}
		parts := strings.Split(path, ".")
		m := mc
		for _, p := range parts[:len(parts)-1] {
			next, isMap := m[p].(map[string]any)
			if !isMap {
				next = map[string]any{}
				m[p] = next
			}
			m = next
		}
		m[parts[len(parts)-1]] = value
	}
	return mc
}

// Evaluate judges one object. Findings are sorted by rule code, then path.
//
// An UPDATE is not denied for what the stored object already had: a deny
// finding whose rule and path also fire on OldObject is reported as a warning,
// its message saying so. meshguard must not block an unrelated change to an
// object that predates it or a rule (Kyverno's allowExistingViolations), such
// as every later patch of a MeshConfig whose last-applied annotation already
// holds a misspelled field. With QuietStanding, the warnings and notes
// OldObject already drew are left out.
func (e *Engine) Evaluate(ctx context.Context, in Input) ([]Finding, error) {
	if in.Object == nil {
		return nil, fmt.Errorf("evaluate: no object")
	}
	value, err := e.input(in)
	if err != nil {
		return nil, err
	}
	findings, err := e.eval(ctx, value)
	if err != nil {
		return nil, err
	}
	if in.Admission {
		for i, f := range findings {
			findings[i].Severity = e.catalog.AtAdmission(f.Rule, f.Severity)
		}
	}
	if in.OldObject == nil {
		return findings, nil
	}
	deny, minor := false, false
	for _, f := range findings {
		deny = deny || f.Severity == Deny
		minor = minor || f.Severity != Deny
	}
	if !deny && !(in.QuietStanding && minor) {
		return findings, nil
	}
	priorIn := Input{Operation: "CREATE", Object: in.OldObject, Options: in.Options, Inventory: in.Inventory, Injection: in.Injection, InjectorMeshConfig: in.InjectorMeshConfig, Admission: in.Admission}
	prior, err := e.Evaluate(ctx, priorIn)
	if err != nil {
		return nil, err
	}
	standing := map[string]bool{}
	for _, f := range prior {
		if f.Severity != Deny && !in.owns(f.Path) {
			standing[f.Rule+"|"+f.Path+"|"+f.Message] = true
		}
	}
	// A violation is what the stored object had, whether meshguard.io/ignore
	// hid it or not: an update that removes the annotation brings no new
	// one. (A warning it hid was not shown, so it is not a standing one.)
	if bare, had := withoutIgnore(in.OldObject); deny && had {
		priorIn.Object = bare
		if prior, err = e.Evaluate(ctx, priorIn); err != nil {
			return nil, err
		}
	}
	existing := map[string]bool{}
	for _, f := range prior {
		if f.Severity == Deny {
			existing[f.Rule+"|"+f.Path] = true
		}
	}
	kept := findings[:0]
	for _, f := range findings {
		switch {
		case f.Severity == Deny && existing[f.Rule+"|"+f.Path] && !newValueAt(in.Object, in.OldObject, f.Path):
			f.Severity = Warn
			f.Message = "already so before this update, so not denied: " + f.Message
		case f.Severity != Deny && in.QuietStanding && standing[f.Rule+"|"+f.Path+"|"+f.Message]:
			continue
		}
		kept = append(kept, f)
	}
	return kept, nil
}

// ignoreAnnotation lists the rule codes an object turns off for itself.
const ignoreAnnotation = "meshguard.io/ignore"

// withoutIgnore is obj without its ignore annotation (a copy of what it
// changes; obj itself is not changed), and whether it had one.
func withoutIgnore(obj map[string]any) (map[string]any, bool) {
	meta, _ := obj["metadata"].(map[string]any)
	ann, _ := meta["annotations"].(map[string]any)
	if _, ok := ann[ignoreAnnotation]; !ok {
		return obj, false
	}
	a := make(map[string]any, len(ann))
	for k, v := range ann {
		if k != ignoreAnnotation {
			a[k] = v
		}
	}
	m := make(map[string]any, len(meta))
	for k, v := range meta {
		m[k] = v
	}
	m["annotations"] = a
	out := make(map[string]any, len(obj))
	for k, v := range obj {
		out[k] = v
	}
	out["metadata"] = m
	return out, true
}

// newValueAt reports whether an update writes a new value where a finding
// points: then the finding is about what the update brings (a match renamed
// to another missing UpstreamTrafficSetting), not what was stored. Only a
// value (not an object or a list, whose other parts an update may change)
// the new object has counts; a finding on a field the API server drops (a
// misspelling in the last-applied configuration) has none.
func newValueAt(object, old map[string]any, path string) bool {
	v, ok := source.ValueAt(object, path)
	if !ok || path == "" {
		return false
	}
	switch v.(type) {
	case map[string]any, []any:
		return false
	}
	was, ok := source.ValueAt(old, path)
	return !ok || !reflect.DeepEqual(v, was)
}

// droppedByVersion is what the stored object sets that the version an
// update is written through has no field for (a MeshConfig written through
// v1alpha1 loses its v1alpha2-only settings): path and value of each. The
// old object of such a request is already read through that version, so
// the stored one is the inventory's MeshConfig, when it is the object.
func (e *Engine) droppedByVersion(in Input) []any {
	stored := in.Inventory.MeshConfig
	if stored == nil || stored["kind"] != in.Object["kind"] || stored["apiVersion"] == in.Object["apiVersion"] || objectID(stored) != objectID(in.Object) {
		return nil
	}
	if e.unchanged(in.Object, in.OldObject) {
		// The API server writes nothing for an update that changes nothing
		// (kubectl: "patched (no change)"): nothing stored is lost.
		return nil
	}
	// What the object written (pruned through its version) is read back
	// as: a dropped field whose stored value the stored version's defaults
	// give back is not lost.
	back := e.StoredAs(e.Stored(in.Object), stored["apiVersion"])
	var dropped []any
	for _, u := range e.schemas.check(withAPIVersion(stored, in.Object["apiVersion"]), "oldObject").UnknownFields {
		v, ok := source.ValueAt(stored, u.Path)
		if !ok || empty(v) {
			continue
		}
		if again, ok := source.ValueAt(back, u.Path); ok && reflect.DeepEqual(again, v) {
			continue
		}
		dropped = append(dropped, map[string]any{"path": u.Path, "value": v})
	}
	return dropped
}

// unchanged reports whether an update leaves its object as it was, as
// stored: the same spec, labels and annotations.
func (e *Engine) unchanged(object, old map[string]any) bool {
	if old == nil {
		return false
	}
	a, b := e.Stored(object), e.Stored(old)
	for _, path := range []string{"spec", "metadata.labels", "metadata.annotations"} {
		x, _ := source.ValueAt(a, path)
		y, _ := source.ValueAt(b, path)
		if !reflect.DeepEqual(x, y) {
			return false
		}
	}
	return true
}

// empty is a value whose loss loses nothing: what osm-edge reads when it
// is not set (null, false, 0, "", an empty list, an object of such values).
func empty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case bool:
		return !x
	case string:
		return x == ""
	case int64:
		return x == 0
	case float64:
		return x == 0
	case int:
		return x == 0
	case []any:
		return len(x) == 0
	case map[string]any:
		for _, e := range x {
			if !empty(e) {
				return false
			}
		}
		return true
	}
	return false
}

// owns reports whether a warning of an UPDATE at path is the request's own
// even when its old object drew the same: then the update says it again.
// The version is: the request reads both objects through its own. So is
// the namespace, whose warnings (an Egress in a namespace the mesh does not
// monitor) read the Namespace, which may have changed since. The name is
// not, as an update cannot change it: a MeshConfig osm-edge never reads
// (MG1005) is told so where it is created, not on each label, annotation or
// apply of the same file. Unless the old object is one the caller assumed
// under the name the update gives (AssumedOld): nothing said it then.
func (in Input) owns(path string) bool {
	switch path {
	case "apiVersion", "kind", "metadata.namespace":
		return true
	case "metadata.name":
		return in.AssumedOld
	}
	return false
}

// Stored returns obj as the API server would store it: the fields its CRD
// does not know pruned, defaults set. An object of a kind meshguard has no
// schema for comes back as it is; obj itself is not changed.
func (e *Engine) Stored(obj map[string]any) map[string]any {
	if facts := e.schemas.check(obj, "object"); facts.pruned != nil {
		return facts.pruned
	}
	return obj
}

// StoredAs is Stored of obj read through apiVersion (another version of
// its kind): the fields that version's schema lacks pruned, its defaults
// set. obj itself is not changed.
func (e *Engine) StoredAs(obj map[string]any, apiVersion any) map[string]any {
	return e.Stored(withAPIVersion(obj, apiVersion))
}

// withAPIVersion is a shallow copy of obj with another apiVersion.
func withAPIVersion(obj map[string]any, apiVersion any) map[string]any {
	out := make(map[string]any, len(obj))
	for k, v := range obj {
		out[k] = v
	}
	out["apiVersion"] = apiVersion
	return out
}

// HasUnknownFields reports whether obj has a field its CRD does not know:
// a request that sends it with strict field validation (kubectl apply,
// create and replace by default) is refused.
func (e *Engine) HasUnknownFields(obj map[string]any) bool {
	return len(e.schemas.check(obj, "object").UnknownFields) > 0
}

// Rejected reports whether the API server refuses to store obj over old
// (nil for a create) for its schema: a value of the wrong type, out of its
// enum or range, a required field missing. An update may keep an invalid
// value it does not change (validation ratcheting), so only an error at a
// value that differs from old's counts then.
func (e *Engine) Rejected(obj, old map[string]any) bool {
	facts := e.schemas.check(obj, "object")
	if len(facts.Errors) == 0 {
		return false
	}
	if old == nil {
		return true
	}
	was := e.Stored(old)
	for _, err := range facts.Errors {
		// A list is compared whole: the API server ratchets the items of
		// a list only when it can match them by key (list-type map), and
		// osm-edge's lists are atomic.
		path := err.Path
		if i := strings.IndexByte(path, '['); i >= 0 {
			path = path[:i]
		}
		v, set := source.ValueAt(facts.pruned, path)
		w, wasSet := source.ValueAt(was, path)
		if set != wasSet || !reflect.DeepEqual(v, w) {
			return true
		}
	}
	return false
}

// input builds the query's input document for in.
func (e *Engine) input(in Input) (ast.Value, error) {
	facts := e.schemas.check(in.Object, "object")
	object := in.Object
	if facts.pruned != nil {
		object = facts.pruned
	}
	e.lastApplied(in.Object, &facts)
	factsDoc := map[string]any{"schema": facts.value()}
	if i := in.Injection; i != nil {
		factsDoc["injection"] = map[string]any{"inject": i.Inject, "reason": i.Reason, "injectedButForHostNetwork": i.InjectedButForHostNetwork}
	}
	if in.InjectorMeshConfig != "" {
		factsDoc["injector"] = map[string]any{"name": "meshguard", "meshConfig": in.InjectorMeshConfig}
	}
	if r := sidecarResourceFacts(object); r != nil {
		factsDoc["sidecarResources"] = r
	}
	doc := map[string]any{
		"object": object,
		"facts":  factsDoc,
	}
	if in.Operation != "" {
		doc["operation"] = in.Operation
	}
	if in.OldObject != nil {
		// Judge the old object as stored: pruned and defaulted like the new one,
		// so that comparing the two shows only what the request changed.
		old := in.OldObject
		if f := e.schemas.check(in.OldObject, "oldObject"); f.pruned != nil {
			old = f.pruned
		}
		doc["oldObject"] = old
		if dropped := e.droppedByVersion(in); len(dropped) > 0 {
			factsDoc["droppedFromOld"] = dropped
		}
	}
	if in.Options != nil {
		doc["options"] = in.Options
	}
	if in.DryRun {
		doc["dryRun"] = true
	}
	if in.Admission {
		doc["admission"] = true
	}
	if in.Applied != "" {
		doc["applied"] = in.Applied
	}
	if p := in.Patch; p != nil {
		patch := map[string]any{"type": p.Type}
		for k, v := range map[string]string{"error": p.Error, "path": p.Path, "suggestion": p.Suggestion, "unresolved": p.Unresolved, "refused": p.Refused, "partial": p.Partial, "source": p.Source} {
			if v != "" {
				patch[k] = v
			}
		}
		if p.Path != "" && p.Suggestion == "" && facts.schema != nil {
			if u := facts.schema.unknown(p.Path, "patch"); u.Suggestion != "" && u.Suggestion != p.Path {
				patch["suggestion"] = u.Suggestion
			}
		}
		doc["patch"] = patch
	}
	value, err := ast.InterfaceToValue(doc)
	if err != nil {
		return nil, fmt.Errorf("evaluate: convert input: %w", err)
	}
	inv, err := in.Inventory.term()
	if err != nil {
		return nil, fmt.Errorf("evaluate: %w", err)
	}
	value.(ast.Object).Insert(ast.InternedTerm("inventory"), inv)
	return value, nil
}

// eval evaluates the prepared query against an input document.
func (e *Engine) eval(ctx context.Context, value ast.Value) ([]Finding, error) {
	// The findings are read straight from the result's AST: converting the
	// set to Go maps first cost a map and its strings per finding.
	if e.evals.Add(1) == flattenAfter {
		go e.flattenNow()
	}
	rs, err := e.query.Load().Eval(ctx, rego.EvalParsedInput(value), rego.EvalGenerateJSON(keepTerm))
	if err != nil {
		return nil, fmt.Errorf("evaluate: %w", err)
	}
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return nil, nil
	}
	t, _ := rs[0].Expressions[0].Value.(*ast.Term)
	var set ast.Set
	if t != nil {
		set, _ = t.Value.(ast.Set)
	}
	if set == nil {
		return nil, fmt.Errorf("evaluate: unexpected result %v", rs[0].Expressions[0].Value)
	}
	out := make([]Finding, 0, set.Len())
	var bad error
	set.Foreach(func(x *ast.Term) {
		obj, ok := x.Value.(ast.Object)
		if !ok {
			bad = fmt.Errorf("evaluate: a finding is %v, not an object", x)
			return
		}
		field := func(k string) string {
			if v := obj.Get(ast.InternedTerm(k)); v != nil {
				if s, ok := v.Value.(ast.String); ok {
					return string(s)
				}
			}
			return ""
		}
		out = append(out, Finding{
			Rule:     field("code"),
			Severity: Severity(field("severity")),
			Title:    field("title"),
			Message:  field("message"),
			Path:     field("path"),
			Fix:      field("fix"),
			Docs:     field("docs"),
		})
	})
	if bad != nil {
		return nil, bad
	}
	kept := out[:0]
	for _, f := range out {
		if e.disabled[f.Rule] {
			continue
		}
		// The same METADATA gave the catalog its strings: share them rather
		// than keep a copy per finding (a run keeps every finding).
		if r, ok := e.catalog.Lookup(f.Rule); ok {
			f.Rule = r.Code
			if f.Title == r.Title {
				f.Title = r.Title
			}
			if f.Fix == r.Fix {
				f.Fix = r.Fix
			}
			if f.Docs == r.Docs {
				f.Docs = r.Docs
			}
		}
		kept = append(kept, f)
	}
	out = kept
	sort.Slice(out, func(i, j int) bool {
		if out[i].Rule != out[j].Rule {
			return out[i].Rule < out[j].Rule
		}
		if out[i].Path != out[j].Path {
			return PathLess(out[i].Path, out[j].Path)
		}
		return out[i].Message < out[j].Message
	})
	return out, nil
}

// keepTerm hands a query result over as its AST (rego.EvalGenerateJSON).
func keepTerm(t *ast.Term, _ *rego.EvalContext) (any, error) { return t, nil }

// lastApplied adds the unknown fields of the object's last-applied-configuration
// annotation: kubectl apply --validate=false sends a misspelled field there even
// though the API server prunes it from the object itself.
func (e *Engine) lastApplied(obj map[string]any, facts *schemaFacts) {
	meta, _ := obj["metadata"].(map[string]any)
	ann, _ := meta["annotations"].(map[string]any)
	raw, _ := ann[lastAppliedAnnotation].(string)
	if raw == "" {
		return
	}
	var applied map[string]any
	if err := json.Unmarshal([]byte(raw), &applied); err != nil || applied == nil {
		return
	}
	seen := map[string]bool{}
	for _, u := range facts.UnknownFields {
		seen[u.Path] = true
	}
	for _, u := range e.schemas.check(applied, "lastApplied").UnknownFields {
		if !seen[u.Path] {
			facts.UnknownFields = append(facts.UnknownFields, u)
		}
	}
}

func (f schemaFacts) value() map[string]any {
	v := map[string]any{"checked": f.Checked, "served": f.Served}
	if len(f.ServedVersions) > 0 {
		v["servedVersions"] = toAnySlice(f.ServedVersions)
	}
	us := make([]any, 0, len(f.UnknownFields))
	for _, u := range f.UnknownFields {
		m := map[string]any{"path": u.Path, "field": u.Field, "source": u.Source, "moved": u.Moved}
		if u.Suggestion != "" {
			m["suggestion"] = u.Suggestion
		}
		if u.SuggestionSegments != nil {
			m["suggestionSegments"] = u.SuggestionSegments
		}
		us = append(us, m)
	}
	v["unknownFields"] = us
	es := make([]any, 0, len(f.Errors))
	for _, x := range f.Errors {
		m := map[string]any{"path": x.Path, "type": x.Type, "message": x.Message}
		if x.BadValue != nil {
			m["badValue"] = x.BadValue
		}
		es = append(es, m)
	}
	v["errors"] = es
	return v
}

func (inv Inventory) value() map[string]any {
	v := map[string]any{}
	if inv.MeshConfig != nil {
		v["meshConfig"] = inv.MeshConfig
	}
	if inv.Egresses != nil {
		v["egresses"] = objects(inv.Egresses)
	}
	if inv.Namespaces != nil {
		v["namespaces"] = objects(inv.Namespaces)
	}
	if inv.UpstreamTrafficSettings != nil {
		v["upstreamTrafficSettings"] = objects(inv.UpstreamTrafficSettings)
	}
	if inv.MeshName != "" {
		v["meshName"] = inv.MeshName
	}
	return v
}

func objects(in []map[string]any) []any {
	out := make([]any, len(in))
	for i, o := range in {
		out[i] = o
	}
	return out
}

func toAnySlice(in []string) []any {
	out := make([]any, len(in))
	for i, s := range in {
		out[i] = s
	}
	return out
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func deepCopy(m map[string]any) map[string]any {
	out, _ := normalize(m).(map[string]any)
	return out
}

// PrepareInventory converts an inventory for evaluation once and adds its
// lookup tables (rego/index), so that many evaluations against the same
// cluster view (a validate run, a cache snapshot) neither convert it again nor
// scan it: a rule that compares one Egress with thousands does a keyed lookup.
// Do not change the inventory afterwards.
//
// The rules read Egress policies only through the index, so the frozen view
// holds the index and not the policies, and the caller may drop its
// Egresses and EgressSummaries once prepared. The index is built in Go (policies/index.go), to
// the definition in rego/index.
func (e *Engine) PrepareInventory(ctx context.Context, inv *Inventory) error {
	return e.PrepareInventories(ctx, inv)
}

// PrepareInventories prepares several inventories. The lists they share (the
// same Namespaces, UpstreamTrafficSettings or Egress slices, as the
// MeshConfig scopes of a validate run do) are converted and indexed once,
// and their terms shared.
func (e *Engine) PrepareInventories(_ context.Context, invs ...*Inventory) error {
	type listKey struct {
		part  string
		first *map[string]any
		n     int
	}
	converted := map[listKey][2]ast.Value{} // the list, and its index tables
	shared := func(part string, list []map[string]any, index func([]map[string]any) map[string]any) (ast.Value, ast.Value, error) {
		k := listKey{part: part, n: len(list)}
		if len(list) > 0 {
			k.first = &list[0]
			if c, ok := converted[k]; ok {
				return c[0], c[1], nil
			}
		}
		lv, err := ast.InterfaceToValue(objects(list))
		if err != nil {
			return nil, nil, err
		}
		iv, err := ast.InterfaceToValue(index(list))
		if err != nil {
			return nil, nil, err
		}
		if k.first != nil {
			converted[k] = [2]ast.Value{lv, iv}
		}
		return lv, iv, nil
	}
	type egressKey struct {
		first   *map[string]any
		summary *EgressSummary
		n, m    int
	}
	egressTables := map[egressKey]ast.Object{}
	for _, inv := range invs {
		doc := inv.value()
		for _, k := range []string{"egresses", "namespaces", "upstreamTrafficSettings"} {
			delete(doc, k)
		}
		v, err := ast.InterfaceToValue(doc)
		if err != nil {
			return fmt.Errorf("convert inventory: %w", err)
		}
		obj := v.(ast.Object)
		ek := egressKey{n: len(inv.Egresses), m: len(inv.EgressSummaries)}
		if ek.n > 0 {
			ek.first = &inv.Egresses[0]
		}
		if ek.m > 0 {
			ek.summary = &inv.EgressSummaries[0]
		}
		egress, ok := egressTables[ek]
		if !ok || (ek.n == 0 && ek.m == 0) {
			idx, err := ast.InterfaceToValue(egressIndex(inv.summaries()))
			if err != nil {
				return fmt.Errorf("index inventory: %w", err)
			}
			egress = idx.(ast.Object)
			egressTables[ek] = egress
		}
		// Each inventory gets its own object of tables, holding the shared ones.
		tables := ast.NewObject()
		egress.Foreach(func(k, t *ast.Term) { tables.Insert(k, t) })
		for _, part := range []struct {
			key   string
			list  []map[string]any
			index func([]map[string]any) map[string]any
		}{
			{"upstreamTrafficSettings", inv.UpstreamTrafficSettings, upstreamIndex},
			{"namespaces", inv.Namespaces, namespaceIndex},
		} {
			lv, iv, err := shared(part.key, part.list, part.index)
			if err != nil {
				return fmt.Errorf("convert inventory: %w", err)
			}
			if part.list != nil {
				obj.Insert(ast.StringTerm(part.key), ast.NewTerm(lv))
			}
			iv.(ast.Object).Foreach(func(k, t *ast.Term) { tables.Insert(k, t) })
		}
		obj.Insert(ast.StringTerm("index"), ast.NewTerm(tables))
		inv.frozen = ast.NewTerm(obj)
	}
	return nil
}
