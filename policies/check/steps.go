package check

import (
	"encoding/json"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/meshguard/meshguard/policies"
	"github.com/meshguard/meshguard/policies/source"
)

// A script or runbook is a sequence of commands. Once it applies, shows,
// installs or patches a MeshConfig, that MeshConfig is a step: it governs
// the documents below it in the file, as the mesh is then, and the next
// patch of the same MeshConfig starts from it, as on a cluster. Steps are
// recorded in a second reading of the scripts, once every manifest is
// known (Run), so that a patch starts from the same object in both passes.

// step is a MeshConfig as a command at at leaves it, as the API server
// would store it. object is nil when meshguard does not know what the
// command left (a patch it could not read in full): the rules that read
// the MeshConfig then stay silent below it, and the next patch starts from
// the last one known. lastApplied is the configuration the script last
// sent with kubectl apply, which the next apply merges against.
type step struct {
	at          source.At
	object      map[string]any
	lastApplied map[string]any
	// other is a step of a MeshConfig not named osm-mesh-config.
	other bool
}

func stepKey(file string, i int) string { return "step\x00" + file + "\x00" + strconv.Itoa(i) }

func (v *view) addStepAt(file string, s step) {
	if v.steps == nil {
		v.steps = map[string][]step{}
	}
	v.steps[file] = append(v.steps[file], s)
}

// addStep records the step a document of a script or runbook is, if it is
// one: a MeshConfig it applies, shows or installs, or the result of its
// patch of one. A dry run changes nothing, nor does a patch that does not
// apply; one meshguard reads only in part or not at all leaves a MeshConfig
// it does not know.
func (v *view) addStep(d *source.Document) {
	if !isKind(d, "config.openservicemesh.io", "MeshConfig") || v.isManifest(d.File) || d.DryRun {
		return
	}
	at := d.At()
	// One of a MeshConfig osm-edge never reads (MG1005) governs nothing,
	// though a later command on that MeshConfig starts from it.
	name := d.Name()
	other := name != "" && name != "osm-mesh-config" && !strings.Contains(name, source.Placeholder)
	add := func(s step) {
		s.other = other
		v.addStepAt(d.File, s)
	}
	switch {
	case d.Patch != nil && (d.Patch.Error != "" || d.Patch.Refused != ""):
	case d.FieldValidation == "Strict" && v.engine.HasUnknownFields(d.Object) && d.Force:
		// replace --force deleted it before the create was refused.
		add(step{at: at})
	case d.FieldValidation == "Strict" && v.engine.HasUnknownFields(d.Object):
		// The API server refuses it: the MeshConfig stays as it was.
	case d.Patch != nil && (d.Patch.Unresolved != "" || d.Patch.Partial != ""), unknownSpec(d),
		source.DynamicVerb(d.Verb): // kubectl "$action" -f - may delete it
		// Values meshguard cannot know: a MeshConfig it does not know.
		add(step{at: at})
	case d.Patch != nil && v.engine.Rejected(d.Object, d.OldObject):
		// The API server refuses what its schema rejects (a string where
		// a boolean goes): the MeshConfig stays as it was.
	case d.Patch != nil:
		// kubectl patch leaves the last applied configuration as it was.
		_, last := v.before(at, d.Object)
		add(step{at: at, object: v.engine.Stored(d.Object), lastApplied: last})
	default:
		s := v.sent(at, d.Verb, d.Object)
		if d.Verb != "" && !d.Install {
			// A command's, refused as a patch is; a MeshConfig a runbook
			// shows is what was stored. create and replace --force create
			// the object, which no old value ratchets.
			var live map[string]any
			if d.Verb != "create" && !d.Force {
				live, _ = v.before(at, d.Object)
			}
			if v.engine.Rejected(s.object, live) {
				if d.Force {
					// replace --force deleted it before the create was refused.
					add(step{at: at})
				}
				return
			}
		}
		add(s)
	}
}

// unknownSpec reports whether a document's spec holds a value a shell
// expansion stands for.
func unknownSpec(d *source.Document) bool {
	if d.Unknown == nil {
		return false
	}
	b, _ := json.Marshal(d.Object["spec"])
	return strings.Contains(string(b), source.Placeholder)
}

// sent is the step a command at at leaves when it sends the MeshConfig obj,
// as stored, so that a misspelled field the API server dropped is not
// carried into the next patch. kubectl apply merges obj into the
// MeshConfig as it was, as kubectl does: a field the previous apply sent
// and obj leaves out goes, a field nobody applied (osm install's) stays.
// create, replace, osm install and a MeshConfig a runbook shows are the
// whole object.
func (v *view) sent(at source.At, verb string, obj map[string]any) step {
	if verb != "apply" {
		return step{at: at, object: v.engine.Stored(obj)}
	}
	merged := obj
	if live, last := v.before(at, obj); live != nil {
		merged = threeWay(live, last, obj)
	}
	return step{at: at, object: v.engine.Stored(merged), lastApplied: obj}
}

// update returns how the API server receives a MeshConfig that a script or
// runbook sends with kubectl apply or replace: as an update of the
// MeshConfig as it stands before the command (the step before it, else the
// one that governs the script, else, for osm-mesh-config, the install
// default: osm-edge creates it at install, so a command that sends it
// changes it). apply sends obj merged into it as kubectl merges, replace
// sends obj whole. A partial MeshConfig applied from a here-document is
// then judged as the cluster would have it, the fields it leaves out kept,
// as a webhook would see it. ok is false for any other document, and for
// a MeshConfig of another name that nothing above makes known (a create):
// those are judged as written.
func (v *view) update(d *source.Document, obj map[string]any) (object, old map[string]any, ok bool) {
	if d.Patch != nil || d.Install || (d.Verb != "apply" && d.Verb != "replace") ||
		!isKind(d, "config.openservicemesh.io", "MeshConfig") || v.isManifest(d.File) {
		return nil, nil, false
	}
	at := d.At()
	match := matchName(d.Namespace(), d.Name())
	if _, known := v.stepBefore(at.File, at, match); !known && d.Name() != "osm-mesh-config" && v.knownMeshConfig(at.File, match) == nil {
		return nil, nil, false
	}
	live, last := v.before(at, obj)
	if live == nil {
		return nil, nil, false
	}
	// As stored: a field the API server dropped from the MeshConfig before
	// (a manifest's typo) is not in the update, and read through another
	// version the MeshConfig loses the fields that version does not have.
	live = v.engine.StoredAs(live, obj["apiVersion"])
	if d.Verb == "replace" {
		return obj, live, true
	}
	return threeWay(live, last, obj), live, true
}

// before is the MeshConfig named as obj as it stands before at, and the
// configuration last applied to it in the script (nil if none).
func (v *view) before(at source.At, obj map[string]any) (live, lastApplied map[string]any) {
	meta, _ := obj["metadata"].(map[string]any)
	name, _ := meta["name"].(string)
	namespace, _ := meta["namespace"].(string)
	if i, ok := v.stepBefore(at.File, at, matchName(namespace, name)); ok {
		s := v.steps[at.File][i]
		return s.object, s.lastApplied
	}
	base, _ := v.Base(at, source.Resource{Kind: "MeshConfig"}, namespace, name)
	return base, nil
}

// matchName matches an object named name in namespace. A manifest without a
// namespace goes wherever it is applied, so it may be the object of a
// command that names one, and a command that names none may mean any.
func matchName(namespace, name string) func(map[string]any) bool {
	return func(o map[string]any) bool {
		m, _ := o["metadata"].(map[string]any)
		ns, _ := m["namespace"].(string)
		return m["name"] == name && (namespace == "" || ns == "" || ns == namespace)
	}
}

// threeWay returns live with obj applied over it, as kubectl apply merges:
// maps field by field; a field of lastApplied that obj no longer has is
// removed, as is one obj sets to null; any other value is replaced. With no
// lastApplied it is a plain merge.
func threeWay(live, lastApplied, obj map[string]any) map[string]any {
	out := make(map[string]any, len(live)+len(obj))
	for k, l := range live {
		out[k] = l
	}
	for k := range lastApplied {
		if _, kept := obj[k]; !kept {
			delete(out, k)
		}
	}
	for k, o := range obj {
		switch om := o.(type) {
		case nil:
			delete(out, k)
		case map[string]any:
			lm, _ := lastApplied[k].(map[string]any)
			if bm, ok := out[k].(map[string]any); ok {
				out[k] = threeWay(bm, lm, om)
				continue
			}
			out[k] = om
		default:
			out[k] = o
		}
	}
	return out
}

// stepBefore returns the last step of file before at: the MeshConfig a
// document at at is judged against. With match, only a known step whose
// MeshConfig matches counts (the base of a patch).
func (v *view) stepBefore(file string, at source.At, match func(map[string]any) bool) (int, bool) {
	steps := v.steps[file]
	for i := len(steps) - 1; i >= 0; i-- {
		if match == nil && steps[i].other {
			continue // a MeshConfig osm-edge never reads governs nothing
		}
		if steps[i].at.Before(at) && (match == nil || steps[i].object != nil && match(steps[i].object)) {
			return i, true
		}
	}
	return 0, false
}

// applyPoint is a command of a script that applies a manifest file.
type applyPoint struct {
	script string
	at     source.At
}

// throughout is at's command, with every document it sends: a step there is
// one the same command made (a MeshConfig applied with the file).
func throughout(at source.At) source.At {
	at.Seq = math.MaxInt
	return at
}

// applied records that a script applies files with kubectl apply -f (or
// create, or replace) at ref: a MeshConfig among them is a step of the
// script there, each at its own place in the command, and the files' other
// documents are judged against the mesh as the script has it there
// (appliedScope). A dry run changes nothing.
func (v *view) applied(script string, ref source.Ref, files []string) {
	if ref.DryRun {
		return
	}
	if v.appliedAt == nil {
		v.appliedAt = map[string][]applyPoint{}
	}
	for n, f := range files {
		at := ref.At
		at.Seq += n
		f = v.abs(f)
		for _, m := range v.meshConfigs {
			if m.manifest && m.abs == f && !(ref.FieldValidation == "Strict" && v.engine.HasUnknownFields(m.object)) {
				// (one the API server refuses leaves the MeshConfig as it was)
				v.addStepAt(script, v.sent(at, ref.Verb, m.object))
			}
		}
		v.appliedAt[f] = append(v.appliedAt[f], applyPoint{script: script, at: at})
	}
}

// appliedPoints are the places scripts apply file at, sorted (sortApplied).
func (v *view) appliedPoints(file string) []applyPoint {
	if len(v.appliedAt) == 0 {
		return nil
	}
	return v.appliedAt[v.abs(file)]
}

// sortApplied sorts the places each file is applied at, once the scripts
// are read, so that what follows does not depend on the order of the
// inputs (and the second pass only reads them).
func (v *view) sortApplied() {
	for _, points := range v.appliedAt {
		sort.Slice(points, func(i, j int) bool {
			if points[i].script != points[j].script {
				return points[i].script < points[j].script
			}
			return points[i].at.Before(points[j].at)
		})
	}
}

// appliedScope returns the scope a manifest file's documents are judged in
// when scripts apply it: the mesh as the scripts have it where they apply
// the file (a MeshConfig the same command applies included), if a step
// makes it known at every such place and they all have the same
// MeshConfig, with the Egress policies of those scripts' meshes. A file
// with a MeshConfig of its own is judged against that.
func (v *view) appliedScope(file string) (string, bool) {
	if len(v.appliedKeys) == 0 {
		return "", false // no script applies files: nothing to look up
	}
	k := v.appliedKeys[v.abs(file)]
	return k, k != ""
}

// appliedMesh returns the key of the scope appliedScope names, the scripts
// that apply file and the MeshConfig they agree on; an empty key when there
// is none. agreed keeps what sets of steps agree on, for the files applied
// by the same commands (a folder's).
func (v *view) appliedMesh(file string, agreed map[string]agreement) (string, []string, map[string]any) {
	points := v.appliedPoints(file)
	if len(points) == 0 {
		return "", nil, nil
	}
	abs := v.abs(file)
	for _, m := range v.meshConfigs {
		if m.abs == abs {
			return "", nil, nil
		}
	}
	// The steps in force where the file is applied.
	var scripts, keys []string
	var governing []step
	for _, p := range points {
		i, found := v.stepBefore(p.script, throughout(p.at), nil)
		if !found {
			return "", nil, nil
		}
		keys = append(keys, stepKey(p.script, i))
		governing = append(governing, v.steps[p.script][i])
		if len(scripts) == 0 || scripts[len(scripts)-1] != p.script {
			scripts = append(scripts, p.script)
		}
	}
	sig := strings.Join(keys, "\x01")
	a, done := agreed[sig]
	if !done {
		a = agreement{ok: true, mesh: governing[0].object}
		for _, s := range governing[1:] {
			if !reflect.DeepEqual(s.object, a.mesh) {
				a.ok = false
				break
			}
		}
		agreed[sig] = a
	}
	if !a.ok {
		return "", nil, nil
	}
	return "applied\x00" + strings.Join(scripts, "\x00") + "\x00" + keys[0], scripts, a.mesh
}

// agreement is whether the steps in force where a file is applied agree on
// its MeshConfig, and the MeshConfig.
type agreement struct {
	ok   bool
	mesh map[string]any
}

func scriptKey(file string) string { return "script\x00" + file }

// scriptScopes makes the scopes of scripts and what they apply. A script
// that applies Egress policies from files governed by another mesh has
// its own scope: its folder's mesh with those policies added (they are in
// the cluster the script runs against, wherever it applies them, as a
// script's own Egress policies are). So does a Markdown runbook with
// Egress policies of its own, which count in its scope only. Each step's scope is its script's,
// with the MeshConfig as the step left it. A manifest applied by scripts
// that agree on its mesh gets the scope appliedScope names. Scopes with
// the same Egress policies share their lists, so the engine indexes them
// once.
func (v *view) scriptScopes(scope func(string, map[string]any) *policies.Inventory) {
	v.sortApplied()
	home := func(file string) *policies.Inventory {
		if inv, ok := v.scopes[scriptKey(file)]; ok {
			return inv
		}
		return scope(v.meshConfigFor(file))
	}
	// Scripts' own scopes, with the Egress policies (v.egresses indexes)
	// they apply from another mesh's files.
	added := map[string]map[int]bool{}
	for _, f := range v.upstreamFiles {
		if v.runbooks[f] && added[f] == nil {
			added[f] = map[int]bool{} // a runbook with settings of its own
		}
	}
	for n, e := range v.egresses {
		if v.runbooks[e.file] {
			// A runbook's Egress policies are in its cluster, not its
			// folder's: documentation pages side by side are separate
			// scenarios.
			if added[e.file] == nil {
				added[e.file] = map[int]bool{}
			}
			added[e.file][n] = true
		}
		own, _ := v.meshConfigFor(e.file)
		for _, p := range v.appliedPoints(e.file) {
			if k, _ := v.meshConfigFor(p.script); k != own {
				if added[p.script] == nil {
					added[p.script] = map[int]bool{}
				}
				added[p.script][n] = true
			}
		}
	}
	// Scripts of one folder that apply the same policies share one scope.
	shared := map[string]*policies.Inventory{}
	for script := range added {
		folder, mc := v.meshConfigFor(script)
		ns := make([]int, 0, len(added[script]))
		for n := range added[script] {
			ns = append(ns, n)
		}
		sort.Ints(ns)
		sig := folder
		for _, n := range ns {
			sig += "\x00" + strconv.Itoa(n)
		}
		if v.runbooks[script] {
			sig += "\x01" + script // its settings are its own
		}
		if inv, ok := shared[sig]; ok {
			v.scopes[scriptKey(script)] = inv
			continue
		}
		inv := *scope(folder, mc)
		// Appends below must not write into the folder scope's arrays.
		inv.Egresses = inv.Egresses[:len(inv.Egresses):len(inv.Egresses)]
		inv.EgressSummaries = inv.EgressSummaries[:len(inv.EgressSummaries):len(inv.EgressSummaries)]
		for _, n := range ns {
			if e := v.egresses[n]; e.summary != nil {
				inv.EgressSummaries = append(inv.EgressSummaries, *e.summary)
			} else {
				inv.Egresses = append(inv.Egresses, e.object)
			}
		}
		if v.runbooks[script] {
			inv.UpstreamTrafficSettings = v.upstreamsOf(script)
		}
		shared[sig] = &inv
		v.scopes[scriptKey(script)] = &inv
	}
	for file, steps := range v.steps {
		base := home(file)
		for i, s := range steps {
			inv := *base
			inv.MeshConfig = s.object
			v.scopes[stepKey(file, i)] = &inv
		}
	}
	// Manifests applied by scripts that agree on their mesh.
	v.appliedKeys = map[string]string{}
	agreed := map[string]agreement{}
	for file := range v.appliedAt {
		k, scripts, mesh := v.appliedMesh(file, agreed)
		if k == "" {
			continue
		}
		v.appliedKeys[file] = k
		if v.scopes[k] != nil {
			continue
		}
		inv := *home(scripts[0])
		inv.MeshConfig = mesh
		if len(scripts) > 1 {
			// The Egress policies of every script's mesh, each once.
			inv.Egresses = append([]map[string]any{}, inv.Egresses...)
			inv.EgressSummaries = append([]policies.EgressSummary{}, inv.EgressSummaries...)
			seen := map[string]bool{}
			for _, s := range inv.EgressSummaries {
				seen[s.ID] = true
			}
			for _, script := range scripts[1:] {
				other := home(script)
				inv.Egresses = append(inv.Egresses, other.Egresses...)
				for _, s := range other.EgressSummaries {
					if !seen[s.ID] {
						seen[s.ID] = true
						inv.EgressSummaries = append(inv.EgressSummaries, s)
					}
				}
			}
		}
		v.scopes[k] = &inv
	}
	v.timeScopes()
}
