package check

import (
	"reflect"
	"strconv"

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
// the last one known.
type step struct {
	at     source.At
	object map[string]any
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
	at := source.At{File: d.File, Line: d.Line, Column: d.Column}
	var object map[string]any
	switch {
	case d.Patch != nil && d.Patch.Error != "":
		return
	case d.Patch != nil && (d.Patch.Unresolved != "" || d.Patch.Partial != ""):
	default:
		object = v.applyStep(at, d.Verb, d.Object)
	}
	v.addStepAt(d.File, step{at: at, object: object})
}

// applyStep is the MeshConfig a command at at leaves when it sends obj: as
// stored, so that a misspelled field the API server dropped is not carried
// into the next patch. kubectl apply merges obj into the MeshConfig as it
// was (fields obj leaves out stay); create, replace, install and a
// MeshConfig a runbook shows are the whole object.
func (v *view) applyStep(at source.At, verb string, obj map[string]any) map[string]any {
	if verb == "apply" {
		meta, _ := obj["metadata"].(map[string]any)
		name, _ := meta["name"].(string)
		namespace, _ := meta["namespace"].(string)
		if base := v.Base(at, source.Resource{Kind: "MeshConfig"}, namespace, name); base != nil {
			obj = mergeInto(base, obj)
		}
	}
	return v.engine.Stored(obj)
}

// mergeInto returns a copy of base with obj merged in, as kubectl apply
// merges a manifest into the object it updates: maps field by field, any
// other value replaced, a null removing the field.
func mergeInto(base, obj map[string]any) map[string]any {
	out := make(map[string]any, len(base)+len(obj))
	for k, b := range base {
		out[k] = b
	}
	for k, o := range obj {
		switch om := o.(type) {
		case nil:
			delete(out, k)
		case map[string]any:
			if bm, ok := out[k].(map[string]any); ok {
				out[k] = mergeInto(bm, om)
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
	for _, f := range files {
		f = v.abs(f)
		for _, m := range v.meshConfigs {
			if m.manifest && v.abs(m.file) == f {
				v.addStepAt(script, step{at: ref.At, object: v.applyStep(ref.At, ref.Verb, m.object)})
			}
		}
		v.appliedAt[f] = append(v.appliedAt[f], applyPoint{script: script, at: ref.At})
	}
}

// appliedScope returns the scope a manifest file's documents are judged in
// when scripts apply it, and the first such script: the mesh as the scripts
// have it where they apply the file (a MeshConfig applied by the same
// command included), if a step makes it known at every such place and they
// all have the same MeshConfig. A file with a MeshConfig of its own is
// judged against that.
func (v *view) appliedScope(file string) (key, script string, ok bool) {
	if len(v.appliedAt) == 0 {
		return "", "", false
	}
	file = v.abs(file)
	points := v.appliedAt[file]
	if len(points) == 0 {
		return "", "", false
	}
	for _, m := range v.meshConfigs {
		if v.abs(m.file) == file {
			return "", "", false
		}
	}
	var mesh map[string]any
	for n, p := range points {
		// A step at the same place is a MeshConfig the same command applies.
		i, found := v.stepBefore(p.script, source.At{Line: p.at.Line, Column: p.at.Column + 1}, nil)
		if !found {
			return "", "", false
		}
		s := v.steps[p.script][i]
		if n == 0 {
			key, script, mesh = stepKey(p.script, i), p.script, s.object
			continue
		}
		if !reflect.DeepEqual(s.object, mesh) {
			return "", "", false
		}
	}
	return key, script, true
}
