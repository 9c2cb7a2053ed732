package policies

import (
	"context"
	"reflect"
	"testing"
	"time"
)

// TestFlattenedRulesAgree: the engine evaluates the rules flattened
// (flatten.go); the findings must be those of the rules as written, on every
// document of the examples, as a CREATE, as an UPDATE of an older version,
// against views with passthrough on and off, and for a patch meshguard could
// not read.
func TestFlattenedRulesAgree(t *testing.T) {
	ctx := context.Background()
	flat := newEngine(t)
	flat.flattenNow()
	if !flat.flattened.Load() {
		t.Fatal("the embedded rules are not evaluated flattened")
	}
	written, err := New(ctx, asWritten())
	if err != nil {
		t.Fatal(err)
	}
	written.flattenNow()
	if written.flattened.Load() {
		t.Fatal("asWritten was ignored")
	}
	docs := exampleDocs()
	if len(docs) < 100 {
		t.Fatalf("only %d example documents", len(docs))
	}
	inv := Inventory{Egresses: []map[string]any{}, Namespaces: []map[string]any{}, UpstreamTrafficSettings: []map[string]any{}, MeshName: "osm"}
	for _, d := range docs {
		switch d["kind"] {
		case "Egress":
			inv.Egresses = append(inv.Egresses, d)
		case "Namespace":
			inv.Namespaces = append(inv.Namespaces, d)
		case "UpstreamTrafficSetting":
			inv.UpstreamTrafficSettings = append(inv.UpstreamTrafficSettings, d)
		}
	}
	total := 0
	for _, passthrough := range []bool{true, false} {
		view := inv
		view.MeshConfig = flat.DefaultMeshConfig()
		view.MeshConfig["spec"].(map[string]any)["traffic"].(map[string]any)["enableEgress"] = passthrough
		if err := flat.PrepareInventory(ctx, &view); err != nil {
			t.Fatal(err)
		}
		var inputs []Input
		for i, d := range docs {
			inputs = append(inputs, Input{Operation: "CREATE", Object: d, Inventory: view})
			// an UPDATE from the previous document of the same kind
			for j := i - 1; j >= 0; j-- {
				if docs[j]["kind"] == d["kind"] {
					inputs = append(inputs, Input{Operation: "UPDATE", Object: d, OldObject: docs[j], Inventory: view})
					break
				}
			}
		}
		inputs = append(inputs, Input{Operation: "UPDATE", Object: docs[0], Inventory: view, Patch: &Patch{Type: "merge", Unresolved: "a shell expansion"}})
		for _, in := range inputs {
			a, errA := flat.Evaluate(ctx, in)
			b, errB := written.Evaluate(ctx, in)
			if (errA != nil) != (errB != nil) {
				t.Fatalf("errors differ: %v / %v", errA, errB)
			}
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("%s %v: flattened %+v\nas written %+v", in.Operation, in.Object["metadata"], a, b)
			}
			total += len(a)
		}
	}
	if total < 200 {
		t.Errorf("only %d findings compared: the test proves little", total)
	}
}

// TestFlattenRefuses: rules that flattening would change are evaluated as
// written: reads of one rule's findings or of rule packages whole, findings
// that are not a plain multi-value rule, rule packages at another depth.
func TestFlattenRefuses(t *testing.T) {
	for name, src := range map[string]string{
		"one rule's findings":      "package meshguard.extra\n\nn := count(data.meshguard.rules.egress[\"invalid-host\"].findings)\n",
		"a group whole":            "package meshguard.extra\n\negress_rules := data.meshguard.rules.egress\n",
		"a package's keys":         "package meshguard.extra\n\nks contains k if {\n\tsome k\n\tdata.meshguard.rules.egress[\"invalid-host\"][k]\n}\n",
		"data.meshguard whole":     "package other\n\nn := count(object.get(data.meshguard, [\"rules\", \"egress\", \"invalid-host\", \"findings\"], []))\n",
		"a complete findings":      "package meshguard.rules.egress[\"zz\"]\n\nfindings := {{\"code\": \"MG2999\"}} if input.object.kind == \"Egress\"\n",
		"findings below a rule":    "package meshguard.rules.egress\n\nmy_rule.findings contains {\"code\": \"MG2999\"} if input.object.kind == \"Egress\"\n",
		"the engine's own package": "package meshguard.flat.egress\n\nx := 1\n",
	} {
		t.Run(name, func(t *testing.T) {
			e, err := New(context.Background(), WithExtraModules(map[string]string{"extra/x.rego": src}))
			if err != nil {
				t.Fatal(err)
			}
			e.flattenNow()
			if e.flattened.Load() {
				t.Fatal("flattened")
			}
			fs, err := e.Evaluate(context.Background(), Input{Operation: "CREATE", Object: map[string]any{
				"apiVersion": "policy.openservicemesh.io/v1alpha1", "kind": "Egress",
				"metadata": map[string]any{"name": "e", "namespace": "ns"},
				"spec": map[string]any{
					"sources": []any{map[string]any{"kind": "ServiceAccount", "name": "sa", "namespace": "ns"}},
					"hosts":   []any{"a.example.com"},
					"ports":   []any{map[string]any{"number": int64(443), "protocol": "grpc"}},
				},
			}})
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, f := range fs {
				found = found || f.Rule == "MG2003"
			}
			if !found {
				t.Errorf("as written, the rules found no MG2003: %+v", fs)
			}
		})
	}
}

// TestEngineFlattensAfterUse: an engine evaluates the rules as written at
// first and switches to the flattened rules in the background after
// flattenAfter evaluations, with the same findings before and after.
func TestEngineFlattensAfterUse(t *testing.T) {
	defer func(old int64) { flattenAfter = old }(flattenAfter)
	flattenAfter = 3
	e := newEngine(t)
	in := Input{Operation: "CREATE", Object: map[string]any{
		"apiVersion": "policy.openservicemesh.io/v1alpha1", "kind": "Egress",
		"metadata": map[string]any{"name": "e", "namespace": "ns"},
		"spec": map[string]any{
			"sources": []any{map[string]any{"kind": "ServiceAccount", "name": "sa", "namespace": "ns"}},
			"ports":   []any{map[string]any{"number": int64(443), "protocol": "grpc"}},
		},
	}}
	first, err := e.Evaluate(context.Background(), in)
	if err != nil || len(first) == 0 {
		t.Fatalf("%+v %v", first, err)
	}
	if e.flattened.Load() {
		t.Fatal("flattened before any use")
	}
	deadline := time.Now().Add(10 * time.Second)
	for !e.flattened.Load() && time.Now().Before(deadline) {
		if _, err := e.Evaluate(context.Background(), in); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if !e.flattened.Load() {
		t.Fatal("not flattened after use")
	}
	after, err := e.Evaluate(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(first, after) {
		t.Errorf("findings changed when the rules were flattened:\n%+v\n%+v", first, after)
	}
}
