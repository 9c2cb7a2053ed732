package check

import (
	"math"
	"reflect"
	"sort"
	"strconv"

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
	// egressOnly marks where a script applies Egress policies of another
	// mesh's folder: the MeshConfig is the previous step's, the mesh has
	// more Egress policies from here on (stepScopes).
	egressOnly bool
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
	if !isKind(d, "config.openservicemesh.io", "MeshConfig") || isManifest(d.File) || d.DryRun {
		return
	}
	at := d.At()
	switch {
	case d.Patch != nil && d.Patch.Error != "":
	case d.Patch != nil && (d.Patch.Unresolved != "" || d.Patch.Partial != ""):
		v.addStepAt(d.File, step{at: at})
	case d.Patch != nil:
		// kubectl patch leaves the last applied configuration as it was.
		_, last := v.before(at, d.Object)
		v.addStepAt(d.File, step{at: at, object: v.engine.Stored(d.Object), lastApplied: last})
	default:
		v.addStepAt(d.File, v.sent(at, d.Verb, d.Object))
	}
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
	return v.Base(at, source.Resource{Kind: "MeshConfig"}, namespace, name), nil
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
		if steps[i].at.Before(at) && (match == nil || !steps[i].egressOnly && steps[i].object != nil && match(steps[i].object)) {
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
// script there, and the files' other documents are judged against the mesh
// as the script has it there (appliedScope). A dry run changes nothing.
func (v *view) applied(script string, ref source.Ref, files []string) {
	if ref.DryRun {
		return
	}
	if v.appliedAt == nil {
		v.appliedAt = map[string][]applyPoint{}
	}
	home, _ := v.meshConfigFor(script)
	others := false
	for _, f := range files {
		f = v.abs(f)
		for _, m := range v.meshConfigs {
			if m.manifest && m.abs == f {
				v.addStepAt(script, v.sent(ref.At, ref.Verb, m.object))
			}
		}
		v.appliedAt[f] = append(v.appliedAt[f], applyPoint{script: script, at: ref.At})
		for _, i := range v.egressFiles()[f] {
			if k, _ := v.meshConfigFor(v.egresses[i].file); k != home {
				others = true
			}
		}
	}
	if others {
		s := step{at: ref.At, egressOnly: true}
		if i, ok := v.stepBefore(script, throughout(ref.At), nil); ok {
			s.object, s.lastApplied = v.steps[script][i].object, v.steps[script][i].lastApplied
		} else {
			_, s.object = v.meshConfigFor(script)
		}
		v.addStepAt(script, s)
	}
}

// egressFiles indexes the Egress policies by their file (absolute), once
// the first pass has read them all.
func (v *view) egressFiles() map[string][]int {
	if v.egressesIn == nil {
		v.egressesIn = map[string][]int{}
		for i, e := range v.egresses {
			f := v.abs(e.file)
			v.egressesIn[f] = append(v.egressesIn[f], i)
		}
	}
	return v.egressesIn
}

// appliedPoints are the places scripts apply file at, sorted (so that what
// follows does not depend on the order of the inputs).
func (v *view) appliedPoints(file string) []applyPoint {
	if len(v.appliedAt) == 0 {
		return nil
	}
	points := v.appliedAt[v.abs(file)]
	sort.Slice(points, func(i, j int) bool {
		if points[i].script != points[j].script {
			return points[i].script < points[j].script
		}
		return points[i].at.Before(points[j].at)
	})
	return points
}

// appliedScope returns the scope a manifest file's documents are judged in
// when scripts apply it: the mesh as the scripts have it where they apply
// the file (a MeshConfig the same command applies included), if a step
// makes it known at every such place and they all have the same
// MeshConfig. A file with a MeshConfig of its own is judged against that.
func (v *view) appliedScope(file string) (string, bool) {
	points := v.appliedPoints(file)
	if len(points) == 0 {
		return "", false
	}
	for _, m := range v.meshConfigs {
		if m.abs == v.abs(file) {
			return "", false
		}
	}
	key := ""
	var mesh map[string]any
	for n, p := range points {
		i, found := v.stepBefore(p.script, throughout(p.at), nil)
		if !found {
			return "", false
		}
		s := v.steps[p.script][i]
		if n == 0 {
			key, mesh = stepKey(p.script, i), s.object
			continue
		}
		if !reflect.DeepEqual(s.object, mesh) {
			return "", false
		}
	}
	return key, true
}

// stepScopes makes each step's scope: its script's mesh (scope), with the
// MeshConfig as the step left it, and with the Egress policies the script
// has applied from files by then (those not already in its mesh).
func (v *view) stepScopes(scope func(string, map[string]any) *policies.Inventory) {
	type appliedEgress struct {
		e  located
		at source.At
	}
	byScript := map[string][]appliedEgress{}
	if len(v.appliedAt) > 0 {
		for _, e := range v.egresses {
			for _, p := range v.appliedPoints(e.file) {
				byScript[p.script] = append(byScript[p.script], appliedEgress{e: e, at: p.at})
			}
		}
	}
	for file, steps := range v.steps {
		key, mc := v.meshConfigFor(file)
		base := scope(key, mc)
		for i, s := range steps {
			inv := *base
			inv.MeshConfig = s.object
			// Appends below must not write into base's arrays.
			inv.Egresses = inv.Egresses[:len(inv.Egresses):len(inv.Egresses)]
			inv.EgressSummaries = inv.EgressSummaries[:len(inv.EgressSummaries):len(inv.EgressSummaries)]
			added := map[*policies.EgressSummary]bool{}
			for _, a := range byScript[file] {
				if s.at.Before(a.at) || added[a.e.summary] && a.e.summary != nil {
					continue
				}
				if k, _ := v.meshConfigFor(a.e.file); k == key {
					continue // in the script's mesh already
				}
				if a.e.summary != nil {
					added[a.e.summary] = true
					inv.EgressSummaries = append(inv.EgressSummaries, *a.e.summary)
				} else {
					inv.Egresses = append(inv.Egresses, a.e.object)
				}
			}
			v.scopes[stepKey(file, i)] = &inv
		}
	}
}
