package check

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/meshguard/meshguard/policies/source"
)

// A kustomize overlay holds patches: parts of an object that kustomize
// merges into a resource of its base. Judged as whole objects they would be
// denied for every field they leave out (a MeshConfig patch setting one
// field "lacks" certKeyBitSize), and an Egress patch would join the mesh's
// policies. But a misspelled field in one is dropped as silently as in any
// manifest, so a strategic merge patch is checked for its field names, as a
// kubectl patch meshguard reads in part is, and kept out of the cluster
// view. A JSON patch (a list of operations) names no object: it is skipped,
// and reported so.

// kustomization is what meshguard reads of one: the files it patches with.
type kustomization struct {
	Resources             []string `json:"resources"`
	PatchesStrategicMerge []string `json:"patchesStrategicMerge"`
	Patches               []struct {
		Path string `json:"path"`
	} `json:"patches"`
	PatchesJSON6902 []struct {
		Path string `json:"path"`
	} `json:"patchesJson6902"`
}

// markKustomizePatches sets kustomization on the inputs that a
// kustomization in their folder, or one among the inputs, names as a patch:
// the folder to build (kubectl kustomize FOLDER).
func (r *run) markKustomizePatches(inputs []input) {
	dirs := map[string]bool{}
	for _, in := range inputs {
		if in.kind == "yaml" && in.content == nil {
			dirs[r.view.abs(filepath.Dir(in.name))] = true
		}
	}
	if len(dirs) == 0 {
		return
	}
	patches := map[string]string{} // absolute path → the kustomization's folder, as named
	resources := map[string]bool{}
	for dir := range dirs {
		for _, name := range source.KustomizationNames {
			raw, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				continue
			}
			var k kustomization
			if sigsyaml.Unmarshal(raw, &k) != nil {
				break // kustomize fails on it too; the file itself is an input
			}
			paths := append([]string{}, k.PatchesStrategicMerge...)
			for _, p := range k.Patches {
				paths = append(paths, p.Path)
			}
			for _, p := range k.PatchesJSON6902 {
				paths = append(paths, p.Path)
			}
			shown := dir
			if rel, err := filepath.Rel(r.view.cwd, dir); err == nil {
				shown = rel
			}
			for _, p := range k.Resources {
				if !filepath.IsAbs(p) {
					p = filepath.Join(dir, p)
				}
				resources[filepath.Clean(p)] = true
			}
			for _, p := range paths {
				// An entry of patchesStrategicMerge may be the patch itself,
				// inline: it names no file.
				if p == "" || bytes.ContainsAny([]byte(p), "\n:") {
					continue
				}
				if !filepath.IsAbs(p) {
					p = filepath.Join(dir, p)
				}
				patches[filepath.Clean(p)] = shown
			}
			break // kustomize reads the first it finds
		}
	}
	for i := range inputs {
		// A file some kustomization takes whole, as a resource, is one.
		if a := r.view.abs(inputs[i].name); inputs[i].kind == "yaml" && inputs[i].content == nil && !resources[a] {
			inputs[i].kustomization = patches[a]
		}
	}
}

// withoutDirectives returns a strategic merge patch without the directives
// kustomize and the API server's patch code read ($patch, $retainKeys,
// $setElementOrder/..., $deleteFromPrimitiveList/...), which are not fields;
// deleted is true when the patch deletes the object as a whole.
func withoutDirectives(obj map[string]any) (out map[string]any, deleted bool) {
	if obj["$patch"] == "delete" {
		return nil, true
	}
	var strip func(v any) any
	strip = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			m := make(map[string]any, len(x))
			for k, e := range x {
				if k == "$patch" || k == "$retainKeys" || strings.HasPrefix(k, "$setElementOrder/") || strings.HasPrefix(k, "$deleteFromPrimitiveList/") {
					continue
				}
				m[k] = strip(e)
			}
			return m
		case []any:
			l := make([]any, 0, len(x))
			for _, e := range x {
				if m, ok := e.(map[string]any); ok && len(m) == 1 && m["$patch"] != nil {
					continue // a list's {$patch: replace} marker
				}
				l = append(l, strip(e))
			}
			return l
		}
		return v
	}
	return strip(obj).(map[string]any), false
}

// isYAMLList reports whether content's first document is a list: a JSON
// patch's operations.
func isYAMLList(content []byte) bool {
	var n yaml.Node
	if yaml.NewDecoder(bytes.NewReader(content)).Decode(&n) != nil || len(n.Content) == 0 {
		return false
	}
	return n.Content[0].Kind == yaml.SequenceNode
}
