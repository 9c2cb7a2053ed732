package policies

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"sigs.k8s.io/yaml"
)

func newEngine(t testing.TB, opts ...Option) *Engine {
	t.Helper()
	e, err := New(context.Background(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func obj(t testing.TB, y string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal([]byte(y), &m); err != nil {
		t.Fatal(err)
	}
	return deepCopy(m)
}

func codes(fs []Finding) string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule+"@"+f.Path)
	}
	return strings.Join(out, ",")
}

func TestEngineFindsTyposAndSuggests(t *testing.T) {
	e := newEngine(t)
	cases := []struct {
		name, yaml, want, message string
	}{
		{
			name: "sibling typo suggests enableEgress",
			yaml: `
apiVersion: config.openservicemesh.io/v1alpha2
kind: MeshConfig
metadata: {name: osm-mesh-config, namespace: osm-system}
spec:
  traffic: {enableEngress: false}
`,
			want:    "MG1001@spec.traffic.enableEngress",
			message: `did you mean "enableEgress"?`,
		},
		{
			name: "field at the wrong path suggests its real path",
			yaml: `
apiVersion: config.openservicemesh.io/v1alpha2
kind: MeshConfig
metadata: {name: osm-mesh-config, namespace: osm-system}
spec:
  observability: {serviceCertValidityDuration: 24h}
`,
			want:    "MG1001@spec.observability.serviceCertValidityDuration",
			message: "did you mean spec.certificate.serviceCertValidityDuration?",
		},
		{
			name: "egress typo inside an array item",
			yaml: `
apiVersion: policy.openservicemesh.io/v1alpha1
kind: Egress
metadata: {name: e, namespace: ns}
spec:
  sources: [{kind: ServiceAccount, name: sa, namespace: ns}]
  ports: [{number: 443, protocol: https, nubmer: 1}]
  hosts: [example.com]
`,
			want:    "MG2001@spec.ports[0].nubmer",
			message: `did you mean "number"?`,
		},
		{
			name: "wrong type is the API server's error",
			yaml: `
apiVersion: config.openservicemesh.io/v1alpha2
kind: MeshConfig
metadata: {name: osm-mesh-config, namespace: osm-system}
spec:
  traffic: {enableEgress: "no"}
`,
			want:    "MG1002@spec.traffic.enableEgress",
			message: "must be of type boolean",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fs, err := e.Evaluate(context.Background(), Input{Object: obj(t, tc.yaml)})
			if err != nil {
				t.Fatal(err)
			}
			var hit *Finding
			for i := range fs {
				if fs[i].Rule+"@"+fs[i].Path == tc.want {
					hit = &fs[i]
				}
			}
			if hit == nil {
				t.Fatalf("want %s, got %s", tc.want, codes(fs))
			}
			if !strings.Contains(hit.Message, tc.message) {
				t.Errorf("message %q does not contain %q", hit.Message, tc.message)
			}
		})
	}
}

func TestEngineLastAppliedRemoval(t *testing.T) {
	e := newEngine(t)
	old := obj(t, `
apiVersion: config.openservicemesh.io/v1alpha2
kind: MeshConfig
metadata: {name: osm-mesh-config, namespace: osm-system}
spec: {traffic: {enableEgress: true}}
`)
	cur := obj(t, `
apiVersion: config.openservicemesh.io/v1alpha2
kind: MeshConfig
metadata:
  name: osm-mesh-config
  namespace: osm-system
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{"apiVersion":"config.openservicemesh.io/v1alpha2","kind":"MeshConfig","metadata":{"name":"osm-mesh-config","namespace":"osm-system"},"spec":{"traffic":{"enableEngress":false}}}'
spec: {traffic: {}}
`)
	fs, err := e.Evaluate(context.Background(), Input{Operation: "UPDATE", Object: cur, OldObject: old})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if f.Rule == "MG1001" && strings.Contains(f.Message, "would remove spec.traffic.enableEgress") && strings.Contains(f.Message, `"enableEgress"`) {
			return
		}
	}
	t.Fatalf("want MG1001 naming the removed field, got %+v", fs)
}

func TestEngineDisabledAndUnknownCodes(t *testing.T) {
	if _, err := New(context.Background(), WithDisabled("MG9999")); err == nil || !strings.Contains(err.Error(), "MG9999") {
		t.Fatalf("want an error naming MG9999, got %v", err)
	}
	e := newEngine(t, WithDisabled("mg2003"))
	fs, err := e.Evaluate(context.Background(), Input{Object: obj(t, `
apiVersion: policy.openservicemesh.io/v1alpha1
kind: Egress
metadata: {name: e, namespace: ns}
spec:
  sources: [{kind: ServiceAccount, name: sa, namespace: ns}]
  ports: [{number: 50051, protocol: grpc}]
`)})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if f.Rule == "MG2003" {
			t.Fatalf("MG2003 is disabled but reported: %+v", f)
		}
	}
}

// TestEngineConcurrent evaluates from many goroutines; run with -race.
func TestEngineConcurrent(t *testing.T) {
	e := newEngine(t)
	in := Input{Object: obj(t, `
apiVersion: config.openservicemesh.io/v1alpha2
kind: MeshConfig
metadata: {name: osm-mesh-config, namespace: osm-system}
spec: {traffic: {enableEngress: false}}
`)}
	want, err := e.Evaluate(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 20; j++ {
				got, err := e.Evaluate(context.Background(), in)
				if err != nil || codes(got) != codes(want) {
					t.Errorf("concurrent evaluation differs: %v %s vs %s", err, codes(got), codes(want))
					return
				}
			}
		}()
	}
	wg.Wait()
}

// An UPDATE is not denied for a violation the stored object already had, only
// warned; a new violation in the same update is still denied.
func TestEvaluateExistingViolations(t *testing.T) {
	e := newEngine(t)
	mc := func(duration string, bits int) map[string]any {
		m := e.DefaultMeshConfig()
		spec := m["spec"].(map[string]any)
		spec["certificate"] = map[string]any{"serviceCertValidityDuration": duration, "certKeyBitSize": int64(bits)}
		return m
	}
	old := mc("24x", 2048)
	// Only the (valid) key size changes; the bad duration was already stored.
	fs, err := e.Evaluate(context.Background(), Input{Operation: "UPDATE", Object: mc("24x", 4096), OldObject: old})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Finding{}
	for _, f := range fs {
		got[f.Rule] = f
	}
	if f, ok := got["MG1006"]; !ok || f.Severity != Warn || !strings.HasPrefix(f.Message, "already so before this update") {
		t.Errorf("existing MG1006: %+v", got["MG1006"])
	}
	// A new violation next to the existing one is denied.
	fs, err = e.Evaluate(context.Background(), Input{Operation: "UPDATE", Object: mc("24x", 1024), OldObject: old})
	if err != nil {
		t.Fatal(err)
	}
	sev := map[string]Severity{}
	for _, f := range fs {
		sev[f.Rule] = f.Severity
	}
	if sev["MG1007"] != Deny || sev["MG1006"] != Warn {
		t.Errorf("severities = %v, want MG1007 deny and MG1006 warn", sev)
	}
	// A CREATE is judged as it is.
	fs, err = e.Evaluate(context.Background(), Input{Operation: "CREATE", Object: mc("24x", 2048)})
	if err != nil || len(fs) == 0 || fs[0].Rule != "MG1006" || fs[0].Severity != Deny {
		t.Errorf("create: %+v %v", fs, err)
	}
}

// TestIndexOfProjectedEgresses: PrepareInventory indexes projections of the
// Egress policies; the index must be the one the whole objects give, on every
// Egress among the examples (so a rule or index change that reads another
// field fails here).
func TestIndexOfProjectedEgresses(t *testing.T) {
	e := newEngine(t)
	var egresses []map[string]any
	_ = filepath.WalkDir("../examples", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaml") {
			return nil
		}
		b, _ := os.ReadFile(p)
		for _, doc := range strings.Split(string(b), "\n---") {
			var obj map[string]any
			if yaml.Unmarshal([]byte(doc), &obj) == nil && obj["kind"] == "Egress" {
				egresses = append(egresses, obj)
			}
		}
		return nil
	})
	if len(egresses) < 20 {
		t.Fatalf("only %d Egress examples", len(egresses))
	}
	index := func(list []any) any {
		v, err := ast.InterfaceToValue(map[string]any{"inventory": map[string]any{"egresses": list}})
		if err != nil {
			t.Fatal(err)
		}
		rs, err := e.index.Eval(context.Background(), rego.EvalParsedInput(v))
		if err != nil || len(rs) != 1 {
			t.Fatalf("index: %v %v", rs, err)
		}
		return rs[0].Expressions[0].Value
	}
	whole := make([]any, len(egresses))
	for i, eg := range egresses {
		whole[i] = eg
	}
	if got, want := index(projectEgresses(egresses)), index(whole); !reflect.DeepEqual(got, want) {
		t.Errorf("the index of the projections differs:\n got %v\nwant %v", got, want)
	}
}

// TestIndexInBatches: the index merged from batches equals the index of one
// evaluation, entries and order included.
func TestIndexInBatches(t *testing.T) {
	e := newEngine(t)
	var egresses []map[string]any
	for i := 0; i < 250; i++ {
		protocol := []string{"http", "tcp", "tcp-server-first", "https", "grpc"}[i%5]
		egresses = append(egresses, map[string]any{
			"apiVersion": "policy.openservicemesh.io/v1alpha1", "kind": "Egress",
			"metadata": map[string]any{"name": fmt.Sprintf("e%03d", (i*37)%250), "namespace": fmt.Sprintf("ns%d", i%3)},
			"spec": map[string]any{
				"sources": []any{map[string]any{"kind": "ServiceAccount", "name": fmt.Sprintf("sa%d", i%4), "namespace": "app"}},
				"ports":   []any{map[string]any{"number": int64(5000 + i%6), "protocol": protocol}},
			},
		})
	}
	frozen := func(batch int) *ast.Term {
		defer func(old int) { indexBatch = old }(indexBatch)
		indexBatch = batch
		inv := &Inventory{MeshConfig: e.DefaultMeshConfig(), Egresses: egresses, Namespaces: []map[string]any{}}
		if err := e.PrepareInventory(context.Background(), inv); err != nil {
			t.Fatal(err)
		}
		return inv.frozen
	}
	whole, batched := frozen(1000), frozen(7)
	if !whole.Equal(batched) {
		t.Errorf("batched index differs:\n%v\n%v", whole, batched)
	}
	if !strings.Contains(whole.String(), "tcp-server-first") {
		t.Error("the index holds no server-first entries: the test proves nothing")
	}
}
