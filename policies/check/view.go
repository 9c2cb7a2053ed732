package check

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/meshguard/meshguard/policies"
	"github.com/meshguard/meshguard/policies/source"
)

// view is the cluster as the inputs describe it. A validate run may hold
// several meshes' MeshConfigs (an examples folder does); each object is judged
// against the nearest one: the MeshConfig in its own file, else the only one
// in its directory, else the only one among all inputs, else --mesh-config or
// osm-edge's install defaults. A script or runbook is a sequence of
// commands: once it applies or patches a MeshConfig, that MeshConfig governs
// what follows in it (steps).
type view struct {
	engine      *policies.Engine
	meshName    string
	fixed       map[string]any // --mesh-config
	defaults    map[string]any
	meshConfigs []located
	egresses    []located
	namespaces  []map[string]any
	// relabels are the scripts' changes to namespaces' labels and
	// annotations, applied to namespaces when the view is frozen.
	relabels  []source.NamespaceChange
	upstreams []map[string]any
	// upstreamFiles are the files the upstreams are in, index for index.
	upstreamFiles []string
	// sharedUpstreams are the upstreams every scope has (upstreamsOf).
	sharedUpstreams []map[string]any
	// steps are, by script or runbook, the MeshConfigs it leaves behind, in
	// the order of its lines.
	steps map[string][]step
	// appliedAt are, by manifest file, the script lines that apply it with
	// kubectl apply -f.
	appliedAt map[string][]applyPoint
	// scopes maps a MeshConfig key ("" for the fallback) to its inventory.
	scopes map[string]*policies.Inventory
	// cwd is the working directory, to tell a file's names apart (abs).
	cwd string
	// manifests are the inputs read as YAML or JSON, by name (isManifest).
	manifests map[string]bool
	// readOnce are the manifest inputs that cannot be read again (standard
	// input, a pipe): the view keeps their Egress policies whole.
	readOnce map[string]bool
	// unknown maps the placeholders of the scripts' documents in the view
	// to the shell expansions they stand for, for messages that name them;
	// unknownValues are those that stand for values, not names.
	unknown       map[string]string
	unknownValues map[string]bool
	// runbooks are the Markdown inputs, by name: each is a scenario of its
	// own, so the Egress policies it applies count in its cluster only.
	runbooks map[string]bool
	// appliedKeys are the scopes of files scripts apply (appliedScope), by
	// absolute name.
	appliedKeys map[string]string
	// deletions are, by script or runbook, its kubectl deletes of Egress
	// policies, and docsAt the places of its documents, in its order;
	// timeKeys the scopes of those documents that see fewer Egress
	// policies than the script's own scope (timeline.go).
	deletions map[string][]source.Deletion
	docsAt    map[string][]source.At
	timeKeys  map[string]map[source.At]string
}

type located struct {
	file   string
	abs    string // file, absolute (view.abs), for MeshConfigs
	object map[string]any
	// An Egress of a manifest file keeps only its summary (object is nil),
	// its name and namespace, and its line, to read the whole document again
	// should a patch need it as its base. Once the view is frozen the summary
	// goes too.
	summary         *policies.EgressSummary
	line            int
	name, namespace string
	// at is where a script or runbook applies an Egress, and id its
	// namespace/name (timeline.go).
	at source.At
	id string
	// manifest is true for a manifest file; a MeshConfig shown in a runbook or
	// a script describes that document's mesh only, not its folder's.
	manifest bool
}

func newView(e *policies.Engine, opts Options) *view {
	v := &view{engine: e, meshName: opts.MeshName, fixed: opts.MeshConfig, defaults: e.DefaultMeshConfig()}
	if p := opts.Patch; v.fixed == nil && p != nil && p.Base != nil && p.Resource.Kind == "MeshConfig" {
		// validate patch meshconfig --base FILE: the MeshConfig patched is
		// the cluster's, as stored (what a write through another version
		// drops is read from it, MG1004).
		v.fixed = e.Stored(p.Base)
	}
	v.cwd, _ = os.Getwd()
	for ns, labels := range opts.NamespaceLabels {
		l := map[string]any{}
		for k, val := range labels {
			l[k] = val
		}
		v.namespaces = append(v.namespaces, map[string]any{
			"apiVersion": "v1", "kind": "Namespace",
			"metadata": map[string]any{"name": ns, "labels": l},
		})
	}
	return v
}

// wanted reports whether the view records a document: the kinds the
// cross-resource rules read. A patch's result is not a manifest: recording it
// would make the next patch of the same object (or this one, in the second
// pass) start from it.
func wanted(d *source.Document) bool {
	if d.Patch != nil {
		return false
	}
	return isKind(d, "config.openservicemesh.io", "MeshConfig") || isKind(d, "policy.openservicemesh.io", "Egress") ||
		isKind(d, "policy.openservicemesh.io", "UpstreamTrafficSetting") || (d.APIVersion() == "v1" && d.Kind() == "Namespace")
}

// summarized is a document of a manifest file the first pass records, as
// the view keeps it: an Egress as its summary and a stand-in with its
// kind, name and namespace, made where the file is read, so that a file of
// many policies (helm template | ...) is not held whole until its turn.
type summarized struct {
	d       *source.Document
	summary *policies.EgressSummary
}

// summarize is what the view keeps of a document of a manifest file.
func summarize(d *source.Document) summarized {
	if !isKind(d, "policy.openservicemesh.io", "Egress") || d.Unknown != nil || d.DryRun || d.FieldValidation != "" {
		return summarized{d: d}
	}
	old, ok := d.Object["metadata"].(map[string]any)
	if !ok {
		return summarized{d: d}
	}
	summary := policies.SummarizeEgress(d.Object)
	meta := map[string]any{}
	for _, k := range []string{"name", "namespace"} {
		if v, ok := old[k]; ok {
			meta[k] = v
		}
	}
	stand := d.StandIn(map[string]any{"apiVersion": d.Object["apiVersion"], "kind": d.Object["kind"], "metadata": meta})
	return summarized{d: stand, summary: &summary}
}

// add records a document of the first pass. A MeshConfig in a script or
// runbook is a step, which addStep records once every manifest is known. A
// dry run puts nothing in the cluster.
func (v *view) add(d *source.Document) { v.addSummarized(summarized{d: d}) }

func (v *view) addSummarized(sd summarized) {
	d := sd.d
	if wanted(d) && d.Unknown != nil {
		if v.unknown == nil {
			v.unknown = map[string]string{}
		}
		for token, expansion := range d.Unknown {
			v.unknown[token] = expansion
		}
		if v.unknownValues == nil {
			v.unknownValues = map[string]bool{}
		}
		valueTokens(d.Object, v.unknownValues)
	}
	if !wanted(d) || d.DryRun || d.FieldValidation == "Strict" && v.engine.HasUnknownFields(d.Object) || isKind(d, "config.openservicemesh.io", "MeshConfig") && !v.isManifest(d.File) {
		return
	}
	switch {
	case isKind(d, "config.openservicemesh.io", "MeshConfig"):
		if name := d.Name(); name != "" && name != "osm-mesh-config" {
			return // osm-edge never reads it (MG1005): it governs nothing
		}
		v.meshConfigs = append(v.meshConfigs, located{file: d.File, abs: v.abs(d.File), object: d.Object, manifest: v.isManifest(d.File)})
	case isKind(d, "policy.openservicemesh.io", "Egress"):
		// Egresses can be many, and the inventory needs only a few of their
		// fields: a manifest file's keeps its summary (located). One from
		// stdin or a runbook keeps the whole object.
		l := located{file: d.File, object: d.Object, line: d.Line, at: d.At(), id: policies.ObjectID(d.Object)}
		if v.isManifest(d.File) && d.File != "-" && !v.readOnce[d.File] {
			if sd.summary == nil {
				summary := policies.SummarizeEgress(d.Object)
				sd.summary = &summary
			}
			l.object, l.summary = nil, sd.summary
			l.name, l.namespace = d.Name(), d.Namespace()
		}
		v.egresses = append(v.egresses, l)
	case isKind(d, "policy.openservicemesh.io", "UpstreamTrafficSetting"):
		v.upstreams = append(v.upstreams, d.Object)
		v.upstreamFiles = append(v.upstreamFiles, d.File)
	case d.APIVersion() == "v1" && d.Kind() == "Namespace":
		v.namespaces = append(v.namespaces, d.Object)
	}
}

// upstreamsOf returns the UpstreamTrafficSettings every scope has (those
// not in a Markdown runbook) and, with a runbook's name, that runbook's own.
// The scopes share one slice where they can: the engine converts and
// indexes the settings once per slice (PrepareInventories).
func (v *view) upstreamsOf(runbook string) []map[string]any {
	if runbook == "" && v.sharedUpstreams != nil {
		return v.sharedUpstreams
	}
	var out []map[string]any
	all := true
	for i, u := range v.upstreams {
		if f := v.upstreamFiles[i]; !v.runbooks[f] || f == runbook {
			out = append(out, u)
		} else {
			all = false
		}
	}
	if all {
		out = v.upstreams
	}
	if runbook == "" {
		v.sharedUpstreams = out
	}
	return out
}

func isKind(d *source.Document, group, kind string) bool {
	return d.Kind() == kind && strings.HasPrefix(d.APIVersion(), group+"/")
}

// meshConfigFor returns the key and object of the MeshConfig governing file:
// the one in the file itself, else the only manifest one in the nearest
// directory (the file's own, then each parent) that holds any, else the only
// manifest one among all inputs, else --mesh-config or the install defaults. A repository that keeps
// its MeshConfig at the top governs every Egress below it.
func (v *view) meshConfigFor(file string) (string, map[string]any) {
	if v.fixed != nil {
		return "--mesh-config", v.fixed
	}
	file = v.abs(file)
	for i, m := range v.meshConfigs {
		if m.abs == file {
			return key(i), m.object
		}
	}
	for dir := filepath.Dir(file); ; {
		found, n := -1, 0
		for i, m := range v.meshConfigs {
			if filepath.Dir(m.abs) == dir && m.manifest {
				found, n = i, n+1
			}
		}
		if n == 1 {
			return key(found), v.meshConfigs[found].object
		}
		if n > 1 {
			break // several meshes side by side: none governs the file
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	found, n := -1, 0
	for i, m := range v.meshConfigs {
		if m.manifest {
			found, n = i, n+1
		}
	}
	if n == 1 {
		return key(found), v.meshConfigs[found].object
	}
	return "", v.defaults
}

func key(i int) string { return "mc" + strconv.Itoa(i) }

// relabel records a script's change to namespaces.
func (v *view) relabel(c source.NamespaceChange) { v.relabels = append(v.relabels, c) }

// applyRelabels gives the namespaces the labels and annotations the
// scripts leave them with, in the order they are read; one a script takes
// out of the mesh becomes unknown (narrows). The namespaces are
// one for the whole run, not one per line of a script: a namespace a
// script adds to the mesh is monitored for every policy and pod, also
// those above the command, as for a pod applied before an osm namespace
// add and restarted after it. A namespace no input defines is known after
// osm namespace add or remove, which set all that osm-edge reads of it;
// after kubectl label or annotate it stays unknown.
func (v *view) applyRelabels() {
	if len(v.relabels) == 0 {
		return
	}
	at := map[string]int{}
	for i, ns := range v.namespaces {
		if meta, ok := ns["metadata"].(map[string]any); ok {
			if name, ok := meta["name"].(string); ok {
				at[name] = i
			}
		}
	}
	for _, c := range v.relabels {
		for _, name := range c.Namespaces {
			i, ok := at[name]
			if narrows(c) {
				// Taking a namespace out of the mesh is often a script's
				// cleanup, after the policies and pods it judges: the
				// namespace is left unknown (taken as monitored, its pods
				// injected) rather than unmonitored for all of them.
				if ok {
					v.namespaces[i] = nil
					delete(at, name)
				}
				continue
			}
			if ok && !c.Overwrite && changesAValue(v.namespaces[i], c) {
				continue // kubectl refuses it, and changes nothing
			}
			if !ok {
				if !c.Whole {
					continue
				}
				v.namespaces = append(v.namespaces, map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": name}})
				i = len(v.namespaces) - 1
				at[name] = i
			}
			// A copy: the object is also the document that defined it.
			ns := map[string]any{}
			for k, val := range v.namespaces[i] {
				ns[k] = val
			}
			meta := map[string]any{}
			if m, ok := ns["metadata"].(map[string]any); ok {
				for k, val := range m {
					meta[k] = val
				}
			}
			ns["metadata"] = meta
			for field, set := range map[string]map[string]*string{"labels": c.Labels, "annotations": c.Annotations} {
				if len(set) == 0 {
					continue
				}
				m := map[string]any{}
				if old, ok := meta[field].(map[string]any); ok {
					for k, val := range old {
						m[k] = val
					}
				}
				for k, val := range set {
					if val == nil {
						delete(m, k)
					} else {
						m[k] = *val
					}
				}
				meta[field] = m
			}
			v.namespaces[i] = ns
		}
	}
	kept := v.namespaces[:0]
	for _, ns := range v.namespaces {
		if ns != nil {
			kept = append(kept, ns)
		}
	}
	v.namespaces = kept
}

// changesAValue reports whether a change sets a label or annotation the
// namespace has to another value.
func changesAValue(ns map[string]any, c source.NamespaceChange) bool {
	meta, _ := ns["metadata"].(map[string]any)
	for field, set := range map[string]map[string]*string{"labels": c.Labels, "annotations": c.Annotations} {
		have, _ := meta[field].(map[string]any)
		for k, val := range set {
			if old, ok := have[k]; ok && val != nil && old != *val {
				return true
			}
		}
	}
	return false
}

// narrows reports whether a change takes namespaces out of the mesh or
// off injection: removes the monitored-by label, or, leaving the label
// alone, removes the injection annotation or disables injection.
func narrows(c source.NamespaceChange) bool {
	if v, ok := c.Labels["openservicemesh.io/monitored-by"]; ok {
		// Removed: out of the mesh. Set (osm namespace add
		// --disable-sidecar-injection): the state it asks for.
		return v == nil
	}
	if v, ok := c.Annotations["openservicemesh.io/sidecar-injection"]; ok && (v == nil || !strings.EqualFold(*v, "enabled") && !strings.EqualFold(*v, "yes") && !strings.EqualFold(*v, "true")) {
		return true
	}
	return false
}

// freeze builds one inventory per MeshConfig scope, converted once.
func (v *view) freeze(ctx context.Context) error {
	v.applyRelabels()
	v.scopes = map[string]*policies.Inventory{}
	scope := func(k string, mc map[string]any) *policies.Inventory {
		inv, ok := v.scopes[k]
		if !ok {
			inv = &policies.Inventory{MeshConfig: mc, Egresses: []map[string]any{}, MeshName: v.meshName}
			if len(v.namespaces) > 0 {
				inv.Namespaces = v.namespaces
			}
			if shared := v.upstreamsOf(""); len(shared) > 0 {
				inv.UpstreamTrafficSettings = shared
			}
			v.scopes[k] = inv
		}
		return inv
	}
	for i, m := range v.meshConfigs {
		scope(key(i), m.object)
	}
	// The fallback scope always exists.
	if v.fixed != nil {
		scope("--mesh-config", v.fixed)
	} else {
		scope("", v.defaults)
	}
	for _, e := range v.egresses {
		if v.runbooks[e.file] {
			continue // in the runbook's own scope (scriptScopes)
		}
		inv := scope(v.meshConfigFor(e.file))
		if e.summary != nil {
			inv.EgressSummaries = append(inv.EgressSummaries, *e.summary)
		} else {
			inv.Egresses = append(inv.Egresses, e.object)
		}
	}
	v.scriptScopes(scope)
	invs := make([]*policies.Inventory, 0, len(v.scopes))
	for _, inv := range v.scopes {
		invs = append(invs, inv)
	}
	if err := v.engine.PrepareInventories(ctx, invs...); err != nil {
		return err
	}
	// The prepared scopes hold their index, not the policies: drop the
	// summaries, keeping where each Egress is for Base.
	for _, inv := range invs {
		inv.Egresses, inv.EgressSummaries = nil, nil
	}
	for i := range v.egresses {
		v.egresses[i].summary = nil
	}
	return nil
}

// inventoryFor returns the inventory a document is judged against: a
// MeshConfig is judged with the Egress policies it governs.
func (v *view) inventoryFor(d *source.Document) policies.Inventory {
	if v.fixed == nil && isKind(d, "config.openservicemesh.io", "MeshConfig") {
		for i, m := range v.meshConfigs {
			if m.file == d.File && sameObject(m.object, d.Object) {
				return *v.scopes[key(i)]
			}
		}
	}
	if k, ok := v.timeKeys[d.File][d.At()]; ok {
		return *v.scopes[k]
	}
	if i, ok := v.stepBefore(d.File, d.At(), nil); ok {
		return *v.scopes[stepKey(d.File, i)]
	}
	if inv, ok := v.scopes[scriptKey(d.File)]; ok {
		return *inv
	}
	if k, ok := v.appliedScope(d.File); ok {
		return *v.scopes[k]
	}
	k, _ := v.meshConfigFor(d.File)
	return *v.scopes[k]
}

func sameObject(a, b map[string]any) bool {
	am, _ := a["metadata"].(map[string]any)
	bm, _ := b["metadata"].(map[string]any)
	return am["name"] == bm["name"] && am["namespace"] == bm["namespace"]
}

// Base implements source.Bases: a patched MeshConfig starts from what the
// script made of it above line (a step), else the one that governs the
// script (as meshConfigFor finds it), else the only manifest of that name
// among the inputs, else the install defaults renamed (assumed: nothing
// showed it); any other kind from its manifest among the inputs. Read
// through another version than the preferred one (kubectl patch
// meshconfigs.v1alpha1.config.openservicemesh.io), it is as the API server
// reads it through that version.
func (v *view) Base(at source.At, r source.Resource, namespace, name string) (map[string]any, bool) {
	obj, assumed := v.base(at, r, namespace, name)
	return v.through(obj, r), assumed
}

// through is obj as the API server reads it through r's version, when r
// names another version than the preferred one; else obj.
func (v *view) through(obj map[string]any, r source.Resource) map[string]any {
	if obj == nil || !r.OtherVersion() || obj["apiVersion"] == r.APIVersion {
		return obj
	}
	return v.engine.StoredAs(obj, r.APIVersion)
}

func (v *view) base(at source.At, r source.Resource, namespace, name string) (map[string]any, bool) {
	file := at.File
	match := matchName(namespace, name)
	if r.Kind == "MeshConfig" {
		if i, ok := v.stepBefore(file, at, match); ok {
			return v.steps[file][i].object, false
		}
		if mc := v.knownMeshConfig(file, match); mc != nil {
			return mc, false
		}
		base := v.engine.DefaultMeshConfig()
		meta, _ := base["metadata"].(map[string]any)
		meta["name"] = name
		if namespace != "" {
			meta["namespace"] = namespace
		}
		return base, true
	}
	var list []located
	if r.Kind == "Egress" {
		list = v.egresses
	} else {
		for _, u := range v.upstreams {
			list = append(list, located{object: u})
		}
	}
	for _, e := range list {
		if e.object == nil { // a manifest's Egress, kept as its summary
			if e.name == name && (namespace == "" || e.namespace == namespace) {
				return reload(e.file, e.line), false
			}
			continue
		}
		if e.object["kind"] == r.Kind && match(e.object) {
			return e.object, false
		}
	}
	return nil, false
}

// knownMeshConfig is the MeshConfig match names that governs file, as
// written: --mesh-config, else the one meshConfigFor finds, else the only
// manifest of that name among the inputs (of several, one per environment
// or unrelated meshes, none is the one a command means; a MeshConfig a
// runbook shows describes that runbook's mesh only). nil when there is none.
func (v *view) knownMeshConfig(file string, match func(map[string]any) bool) map[string]any {
	if v.fixed != nil && match(v.fixed) {
		return v.fixed
	}
	if k, mc := v.meshConfigFor(file); k != "" && match(mc) {
		return mc
	}
	var found map[string]any
	n := 0
	for _, m := range v.meshConfigs {
		if m.manifest && match(m.object) {
			found, n = m.object, n+1
		}
	}
	if n == 1 {
		return found
	}
	return nil
}

// Installed implements source.Bases.
func (v *view) Installed(namespace string, set map[string]any) map[string]any {
	return v.engine.Installed(namespace, set)
}

// reload reads again the document at line of a manifest file; nil when it
// is no longer there.
func reload(file string, line int) map[string]any {
	raw, err := source.ReadFile(file)
	if err != nil {
		return nil
	}
	var found map[string]any
	_ = source.DecodeYAMLBytes(file, raw, 0, func(d *source.Document) error {
		if found == nil && d.Line == line {
			found = d.Object
		}
		return nil
	})
	return found
}

// isManifest reports whether file is an input read as YAML or JSON (a
// manifest, whatever its extension, or stdin), not a script or runbook.
func (v *view) isManifest(file string) bool { return v.manifests[file] }
