package policies

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"sigs.k8s.io/yaml"
)

// exampleInputs reads a multi-document YAML example and builds one Input per
// object, the file's own objects forming the inventory (its MeshConfig, else the
// install defaults).
//
// TODO(#2): replace with policies/source once it exists, so that .sh and .md
// examples are covered by the same test.
func exampleInputs(t *testing.T, e *Engine, file string) []Input {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var objs []map[string]any
	for _, doc := range regexp.MustCompile(`(?m)^---\s*$`).Split(string(raw), -1) {
		if len(bytes.TrimSpace([]byte(doc))) == 0 {
			continue
		}
		var m map[string]any
		if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if m != nil {
			objs = append(objs, deepCopy(m))
		}
	}
	inv := Inventory{}
	for _, o := range objs {
		switch o["kind"] {
		case "MeshConfig":
			if inv.MeshConfig == nil {
				inv.MeshConfig = o
			}
		case "Egress":
			inv.Egresses = append(inv.Egresses, o)
		case "Namespace":
			inv.Namespaces = append(inv.Namespaces, o)
		case "UpstreamTrafficSetting":
			inv.UpstreamTrafficSettings = append(inv.UpstreamTrafficSettings, o)
		}
	}
	if inv.MeshConfig == nil {
		inv.MeshConfig = e.DefaultMeshConfig()
	}
	if inv.Egresses == nil {
		inv.Egresses = []map[string]any{}
	}
	var ins []Input
	for _, o := range objs {
		ins = append(ins, Input{Operation: "CREATE", Object: o, Inventory: inv})
	}
	return ins
}

// TestExamples checks every rule's examples: invalid fires the rule, valid does
// not and has nothing at deny level.
func TestExamples(t *testing.T) {
	e := newEngine(t)
	for _, r := range e.Catalog() {
		t.Run(r.Code+"-"+r.Name, func(t *testing.T) {
			dir := filepath.Join("..", "examples", r.Group, r.Name)
			for _, kind := range []string{"valid", "invalid"} {
				matches, _ := filepath.Glob(filepath.Join(dir, kind+".*"))
				if len(matches) == 0 {
					t.Errorf("no %s example in %s", kind, dir)
					continue
				}
				for _, file := range matches {
					if filepath.Ext(file) != ".yaml" {
						t.Logf("%s: not a YAML example, checked by the CLI tests", file)
						continue
					}
					fired, deny := false, []Finding{}
					for _, in := range exampleInputs(t, e, file) {
						fs, err := e.Evaluate(context.Background(), in)
						if err != nil {
							t.Fatal(err)
						}
						for _, f := range fs {
							if f.Rule == r.Code {
								fired = true
							}
							if f.Severity == Deny {
								deny = append(deny, f)
							}
						}
					}
					switch {
					case kind == "invalid" && !fired:
						t.Errorf("%s: %s does not fire", file, r.Code)
					case kind == "valid" && fired:
						t.Errorf("%s: %s fires on the valid example", file, r.Code)
					case kind == "valid" && len(deny) > 0:
						t.Errorf("%s: valid example has deny findings: %+v", file, deny)
					}
				}
			}
		})
	}
}
