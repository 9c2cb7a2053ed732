package source

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// seeds adds every example of the repository to a fuzz corpus.
func seeds(f *testing.F, pattern string) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "examples", pattern))
	more, _ := filepath.Glob(filepath.Join("..", "..", "examples", "*", "*", pattern))
	for _, p := range append(files, more...) {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
}

// FuzzDecodeYAML: any input decodes or fails with a ParseError naming the
// file; it never panics.
func FuzzDecodeYAML(f *testing.F) {
	seeds(f, "*.yaml")
	f.Add([]byte("a: &x [*x]\n"))
	f.Add([]byte("<<: {a: 1}\nb: !!binary aGk=\n"))
	f.Add([]byte("{\"kind\":\"A\"}{\"b\":[1]}\n {\"kind\":\"List\",\"items\":[{}]}\n{\"a\":\n"))
	f.Add([]byte("\ufeff {\"a\":1}\n{a: [1,\n 2]}\n---\nb: 2\n"))
	f.Add([]byte("kind: List\nitems:\n- kind: EgressList\n  items: [{metadata: {name: a}}]\n- items: null\n  kind: X\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		err := DecodeYAML("f.yaml", bytes.NewReader(b), 0, func(d *Document) error {
			d.LineOf("spec.ports[0].protocol")
			d.LineOf(`metadata.annotations["a.b"]`)
			return nil
		})
		var pe *ParseError
		if err != nil && (!errors.As(err, &pe) || pe.File != "f.yaml") {
			t.Fatalf("error is not a ParseError naming the file: %v", err)
		}
	})
}

// FuzzScript: any shell source scans or fails with a ParseError.
func FuzzScript(f *testing.F) {
	seeds(f, "*.sh")
	f.Add([]byte("kubectl patch meshconfig x -p '{}' --type=json\ncat <<E | kubectl apply -f -\nkind: Egress\nE\n"))
	f.Add([]byte("helm install osm osm-edge/osm -n x --set osm.enableEgress=false --generate-name -f\n"))
	f.Add([]byte("osm install --osm-namespace x --set=a={b\\,c},d=01,osm.enableEgress=false --set-string e=true -f v.yaml\n"))
	f.Add([]byte("kubectl get meshconfig,egress x -n a -o json | jq . | kubectl apply -f - < \"$F\"\ncat a.yaml b | kubectl create -f -\nkubectl edit egress/x -n y\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s := &Script{File: "s.sh", Bases: stubBases{}, Emit: func(*Document) error { return nil }, Ref: func(Ref) {}}
		err := s.Scan(b)
		var pe *ParseError
		if err != nil && !errors.As(err, &pe) {
			t.Fatalf("error is not a ParseError: %v", err)
		}
	})
}

// FuzzMarkdown: any Markdown scans or fails with a ParseError.
func FuzzMarkdown(f *testing.F) {
	seeds(f, "*.md")
	f.Add([]byte("```yaml\nkubectl patch meshconfig <name> -n <ns> \\\n  -p '{}'\nkubectl apply -f - <<EOF\nkind: Egress\napiVersion: policy.openservicemesh.io/v1\nmetadata:\nname: x\n  a: b\nEOF\n```\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		judged := func(apiVersion, kind string) bool { return len(apiVersion)%2 == 0 }
		sc := &Scanner{Bases: stubBases{}, Emit: func(*Document) error { return nil }, Judged: judged}
		err := sc.Markdown("r.md", b)
		var pe *ParseError
		if err != nil && !errors.As(err, &pe) {
			t.Fatalf("error is not a ParseError: %v", err)
		}
	})
}

// FuzzApplyPatch: any patch of any type applies, is reported as not applying,
// or is an error; it never panics and never changes its base.
func FuzzApplyPatch(f *testing.F) {
	f.Add([]byte(`{"spec":{"traffic":{"enableEngress":false}}}`), "merge")
	f.Add([]byte(`[{"op":"replace","path":"/spec/x","value":1}]`), "json")
	f.Add([]byte("spec:\n  a: [1, 2]\n"), "strategic")
	f.Fuzz(func(t *testing.T, patch []byte, typ string) {
		base := map[string]any{"kind": "MeshConfig", "spec": map[string]any{"traffic": map[string]any{"enableEgress": true}}}
		d, err := ApplyPatch(base, "", patch, typ)
		if err == nil && d.Object == nil {
			t.Fatal("no object and no error")
		}
		if base["spec"].(map[string]any)["traffic"].(map[string]any)["enableEgress"] != true {
			t.Fatal("the base changed")
		}
	})
}
