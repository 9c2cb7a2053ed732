package source

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"sigs.k8s.io/yaml"
)

// KustomizationNames are the file names kustomize reads in a folder.
var KustomizationNames = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

// kustomizationFile is what meshguard reads of a kustomization: where its
// objects come from, and the names and namespace it gives them.
type kustomizationFile struct {
	Resources  []string `json:"resources"`
	Bases      []string `json:"bases"`
	Components []string `json:"components"`
	Namespace  string   `json:"namespace"`
	NamePrefix string   `json:"namePrefix"`
	NameSuffix string   `json:"nameSuffix"`
}

// kustomized reports kubectl apply|create|replace -k DIR. kustomize builds
// what it sends (patches, generators, name and namespace changes), which
// meshguard does not run: the objects of the kinds it judges that the
// kustomization's resources hold are reported not checked (MG0003), named
// as kustomize names them, and are not known below the command. A folder
// from a shell expansion or a remote one names nothing meshguard can read.
func (s *Script) kustomized(k *kubectl) error {
	dir := k.flags["kustomize"]
	if k.dynamic["kustomize"] || dir == "" || strings.Contains(dir, "://") {
		return nil
	}
	why := fmt.Sprintf("kustomize builds what it applies, which meshguard does not run; check it with: kubectl kustomize %s | meshguard validate -", shellQuote(dir))
	index := 0
	for _, o := range s.kustomizationObjects(s.path(dir), map[string]bool{}) {
		r, ok := LookupResource(o.kind)
		if !ok || groupOf(r.APIVersion) != groupOf(o.apiVersion) {
			continue
		}
		d := &Document{File: s.File, Line: s.cmd.at.Line, Index: index, Operation: "UPDATE",
			Object: stubObject(r, orDefault(o.namespace, k.namespace), o.name),
			Patch:  &PatchInfo{Source: "kubectl " + k.verb + " -k", Unresolved: why}}
		d.Object["apiVersion"] = o.apiVersion
		index++
		if err := s.emit(d); err != nil {
			return err
		}
	}
	return nil
}

// kustomizationObjects lists the objects a kustomization in dir builds, as
// far as its resources show them: each file's, and each folder's as its own
// kustomization builds them, with this one's namespace and name affixes.
// seen guards against a kustomization that includes itself.
func (s *Script) kustomizationObjects(dir string, seen map[string]bool) []objectID {
	dir = filepath.Clean(dir)
	if seen[dir] || len(seen) > 64 {
		return nil
	}
	seen[dir] = true
	var k kustomizationFile
	found := false
	for _, name := range KustomizationNames {
		raw, ok := s.readWritten(filepath.Join(dir, name))
		if !ok {
			continue
		}
		if yaml.Unmarshal(raw, &k) != nil {
			return nil
		}
		found = true
		break
	}
	if !found {
		return nil
	}
	var out []objectID
	for _, res := range append(append(append([]string{}, k.Resources...), k.Bases...), k.Components...) {
		if res == "" || strings.Contains(res, "://") {
			continue
		}
		p := res
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		p = filepath.Clean(p)
		if w := s.written[absID(p)]; w != nil {
			// A resource the script wrote: the objects it wrote there.
			for _, h := range w.pieces {
				out = append(out, judgedObjects(s.File, h)...)
			}
			continue
		}
		st, err := os.Stat(p)
		switch {
		case err != nil || st.IsDir():
			out = append(out, s.kustomizationObjects(p, seen)...)
		case st.Mode().IsRegular():
			b, err := ReadFile(p)
			if err != nil {
				continue
			}
			out = append(out, objectsIn(p, b)...)
		}
	}
	for i := range out {
		out[i].name = k.NamePrefix + out[i].name + k.NameSuffix
		if k.Namespace != "" {
			out[i].namespace = k.Namespace
		}
	}
	return out
}

// shellQuote quotes a word for a command line a message suggests.
func shellQuote(w string) string {
	if w != "" && strings.IndexFunc(w, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@%+,", r))
	}) < 0 {
		return w
	}
	return "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
}

// readWritten is what a file holds when the script reads it: what the
// script wrote there, if it did and meshguard knows it, else the file on
// disk. ok is false when neither is known.
func (s *Script) readWritten(path string) ([]byte, bool) {
	if w := s.written[absID(path)]; w != nil {
		if w.changer != "" || !piecesJoin(w.pieces) || len(w.pieces) == 0 {
			return nil, false
		}
		var b []byte
		for _, h := range w.pieces {
			b = append(b, h.body...)
		}
		return b, true
	}
	b, err := ReadFile(path)
	return b, err == nil
}
