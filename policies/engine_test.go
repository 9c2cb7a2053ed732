package policies

import (
	"context"
	"fmt"
	rulefs "github.com/meshguard/meshguard/rego"
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
	// Another bad value in the same field is the update's own: denied.
	fs, err = e.Evaluate(context.Background(), Input{Operation: "UPDATE", Object: mc("48x", 2048), OldObject: old})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if f.Rule == "MG1006" && (f.Severity != Deny || strings.HasPrefix(f.Message, "already so")) {
			t.Errorf("a new bad duration where the old one was: %+v", f)
		}
	}
	// A CREATE is judged as it is.
	fs, err = e.Evaluate(context.Background(), Input{Operation: "CREATE", Object: mc("24x", 2048)})
	if err != nil || len(fs) == 0 || fs[0].Rule != "MG1006" || fs[0].Severity != Deny {
		t.Errorf("create: %+v %v", fs, err)
	}
	// A violation the stored object had under meshguard.io/ignore was
	// there all the same: an update that removes the annotation (kubectl
	// annotate ... meshguard.io/ignore-) is warned of it, not denied.
	ignored := mc("24x", 2048)
	ignored["metadata"].(map[string]any)["annotations"] = map[string]any{"meshguard.io/ignore": "MG1006"}
	fs, err = e.Evaluate(context.Background(), Input{Operation: "UPDATE", Object: mc("24x", 2048), OldObject: ignored})
	if err != nil {
		t.Fatal(err)
	}
	if got := codes(fs); len(fs) != 1 || fs[0].Rule != "MG1006" || fs[0].Severity != Warn || !strings.HasPrefix(fs[0].Message, "already so") {
		t.Errorf("ignore annotation removed: %v %+v", got, fs)
	}
	if _, ok := ignored["metadata"].(map[string]any)["annotations"].(map[string]any)["meshguard.io/ignore"]; !ok {
		t.Error("Evaluate changed the old object")
	}
}

// regoIndex evaluates rego/index, the definition of the index, on an input.
func regoIndex(t *testing.T, input ast.Value) any {
	t.Helper()
	mods, err := loadModules(rulefs.FS, false)
	if err != nil {
		t.Fatal(err)
	}
	args := []func(*rego.Rego){rego.Query("data.meshguard.index.index"), rego.SetRegoVersion(ast.RegoV1), rego.ParsedInput(input)}
	for _, m := range mods {
		args = append(args, rego.ParsedModule(m))
	}
	rs, err := rego.New(args...).Eval(context.Background())
	if err != nil || len(rs) != 1 {
		t.Fatalf("index: %v %v", rs, err)
	}
	return rs[0].Expressions[0].Value
}

// TestIndexMatchesRego: the index PrepareInventory builds in Go equals what
// rego/index computes, entries and order included, over objects that vary
// every field the index reads.
func TestIndexMatchesRego(t *testing.T) {
	var egresses []map[string]any
	for i := 0; i < 250; i++ {
		protocol := []any{"http", "TCP", "tcp-server-first", "https", "grpc", "Tcp-Server-First", 7}[i%7]
		var number any = int64(5000 + i%6)
		switch i % 11 {
		case 3:
			number = float64(443)
		case 5:
			number = "443"
		case 7:
			number = 8080.9
		}
		sources := []any{
			map[string]any{"kind": "ServiceAccount", "name": fmt.Sprintf("sa%d", i%4), "namespace": "app"},
			map[string]any{"kind": "ServiceAccount", "name": fmt.Sprintf("sa%d", i%4), "namespace": "app"}, // repeated
		}
		switch i % 9 {
		case 2:
			sources = append(sources, map[string]any{"kind": "Service", "name": "svc", "namespace": "app"})
		case 4:
			sources = []any{map[string]any{"kind": "ServiceAccount", "name": "", "namespace": "app"}}
		case 6:
			sources = append(sources, map[string]any{"kind": "ServiceAccount", "name": "other", "namespace": "ops"})
		}
		// Names the API server would refuse still get one id in Go and Rego.
		var name any = fmt.Sprintf("e%03d", (i*37)%250)
		switch i % 13 {
		case 4:
			name = int64(1000 + i)
		case 8:
			name = 1.5
		case 10:
			name = map[string]any{"b": true, "a": []any{int64(1), "x"}}
		case 12:
			name = nil
		}
		egresses = append(egresses, map[string]any{
			"apiVersion": "policy.openservicemesh.io/v1alpha1", "kind": "Egress",
			"metadata": map[string]any{"name": name, "namespace": fmt.Sprintf("ns%d", i%3)},
			"spec": map[string]any{
				"sources": sources,
				"ports":   []any{map[string]any{"number": number, "protocol": protocol}, map[string]any{"number": int64(80), "protocol": "http"}},
			},
		})
	}
	egresses = append(egresses, exampleEgresses(t)...)
	var upstreams, namespaces []map[string]any
	for i := 0; i < 40; i++ {
		meta := map[string]any{"name": fmt.Sprintf("u%d", i%7), "namespace": fmt.Sprintf("ns%d", i%5)}
		spec := map[string]any{"host": fmt.Sprintf("h%d.example.com", i%6)}
		switch i % 8 {
		case 1:
			delete(spec, "host")
		case 3:
			spec["host"] = 12
		case 5:
			delete(meta, "namespace")
		case 7:
			meta["name"] = int64(42)
		}
		upstreams = append(upstreams, map[string]any{"apiVersion": "policy.openservicemesh.io/v1alpha1", "kind": "UpstreamTrafficSetting", "metadata": meta, "spec": spec})
		ns := map[string]any{"name": fmt.Sprintf("ns%d", i%9), "labels": map[string]any{"n": fmt.Sprint(i)}}
		switch i % 6 {
		case 2:
			delete(ns, "labels")
		case 4:
			ns["labels"] = nil
		}
		namespaces = append(namespaces, map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": ns})
	}
	inv := &Inventory{Egresses: egresses, UpstreamTrafficSettings: upstreams, Namespaces: namespaces}
	want := regoIndex(t, mustValue(t, map[string]any{"inventory": inv.value()})).(map[string]any)
	var summaries []EgressSummary
	for _, e := range egresses {
		summaries = append(summaries, SummarizeEgress(e))
	}
	half := len(egresses) / 2
	for _, got := range []map[string]any{
		inventoryIndex(&Inventory{Egresses: egresses, UpstreamTrafficSettings: upstreams, Namespaces: namespaces}),
		inventoryIndex(&Inventory{EgressSummaries: summaries, UpstreamTrafficSettings: upstreams, Namespaces: namespaces}),
		inventoryIndex(&Inventory{Egresses: egresses[:half], EgressSummaries: summaries[half:], UpstreamTrafficSettings: upstreams, Namespaces: namespaces}),
	} {
		if len(got) != len(want) {
			t.Errorf("Go builds %d tables, rego/index %d", len(got), len(want))
		}
		for k := range want {
			if !reflect.DeepEqual(got[k], want[k]) {
				t.Errorf("%s differs from rego/index:\n got %v\nwant %v", k, got[k], want[k])
			}
		}
	}
	for _, k := range []string{"egressServerFirst", "egressNotServerFirst", "upstreamHosts", "upstreamNamespaces", "namespaceLabels"} {
		if len(want[k].(map[string]any)) < 5 {
			t.Errorf("%s has %d keys: the test proves little", k, len(want[k].(map[string]any)))
		}
	}
	empty := inventoryIndex(&Inventory{})
	if want := regoIndex(t, mustValue(t, map[string]any{"inventory": map[string]any{}})); !reflect.DeepEqual(empty, want) {
		t.Errorf("index of an empty inventory:\n got %v\nwant %v", empty, want)
	}
}

// exampleEgresses are the Egress policies among the YAML examples.
func exampleEgresses(t *testing.T) []map[string]any {
	t.Helper()
	var egresses []map[string]any
	for _, obj := range exampleDocs() {
		if obj["kind"] == "Egress" {
			egresses = append(egresses, obj)
		}
	}
	if len(egresses) < 20 {
		t.Fatalf("only %d Egress examples", len(egresses))
	}
	return egresses
}

// exampleDocs are the documents of the YAML examples.
func exampleDocs() []map[string]any {
	var docs []map[string]any
	_ = filepath.WalkDir("../examples", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaml") {
			return nil
		}
		b, _ := os.ReadFile(p)
		for _, doc := range strings.Split(string(b), "\n---") {
			var obj map[string]any
			if yaml.Unmarshal([]byte(doc), &obj) == nil && obj != nil {
				docs = append(docs, obj)
			}
		}
		return nil
	})
	return docs
}

func mustValue(t *testing.T, v any) ast.Value {
	t.Helper()
	value, err := ast.InterfaceToValue(v)
	if err != nil {
		t.Fatal(err)
	}
	return value
}

// TestPrepareInventoriesShares: inventories prepared together, sharing their
// Namespaces and UpstreamTrafficSettings, get the terms each would get alone,
// and share the converted lists.
func TestPrepareInventoriesShares(t *testing.T) {
	e := newEngine(t)
	ctx := context.Background()
	upstreams := []map[string]any{
		{"apiVersion": "policy.openservicemesh.io/v1alpha1", "kind": "UpstreamTrafficSetting", "metadata": map[string]any{"name": "u", "namespace": "a"}, "spec": map[string]any{"host": "h.example.com"}},
	}
	namespaces := []map[string]any{{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": "a", "labels": map[string]any{"k": "v"}}}}
	egresses := exampleEgresses(t)
	make2 := func() []*Inventory {
		var out []*Inventory
		for i, mc := range []bool{true, false} {
			m := e.DefaultMeshConfig()
			m["spec"].(map[string]any)["traffic"].(map[string]any)["enableEgress"] = mc
			out = append(out, &Inventory{MeshConfig: m, Egresses: egresses[i*3 : i*3+5], UpstreamTrafficSettings: upstreams, Namespaces: namespaces, MeshName: "osm"})
		}
		// The first one's Egress policies again, with another MeshConfig and
		// no Namespaces: the Egress tables are shared, the rest is its own.
		m := e.DefaultMeshConfig()
		m["spec"].(map[string]any)["traffic"].(map[string]any)["enableEgress"] = false
		return append(out, &Inventory{MeshConfig: m, Egresses: egresses[0:5], UpstreamTrafficSettings: upstreams, MeshName: "osm"})
	}
	together, alone := make2(), make2()
	if err := e.PrepareInventories(ctx, together...); err != nil {
		t.Fatal(err)
	}
	for i, inv := range alone {
		if err := e.PrepareInventory(ctx, inv); err != nil {
			t.Fatal(err)
		}
		if !inv.frozen.Equal(together[i].frozen) {
			t.Errorf("inventory %d prepared together differs:\n%v\n%v", i, together[i].frozen, inv.frozen)
		}
		want := map[string]any{"index": inventoryIndex(inv), "upstreamTrafficSettings": objects(upstreams), "meshConfig": inv.MeshConfig, "meshName": "osm"}
		if inv.Namespaces != nil {
			want["namespaces"] = objects(namespaces)
		}
		if w := mustValue(t, want); !inv.frozen.Equal(ast.NewTerm(w)) {
			t.Errorf("inventory %d: frozen\n%v\nwant\n%v", i, inv.frozen, w)
		}
	}
	ids := func(inv *Inventory) ast.Value {
		return inv.frozen.Value.(ast.Object).Get(ast.StringTerm("index")).Value.(ast.Object).Get(ast.StringTerm("egressIds")).Value
	}
	if ids(together[0]) != ids(together[2]) {
		t.Error("the shared Egress policies were indexed twice")
	}
	a := together[0].frozen.Value.(ast.Object).Get(ast.StringTerm("upstreamTrafficSettings"))
	b := together[1].frozen.Value.(ast.Object).Get(ast.StringTerm("upstreamTrafficSettings"))
	if a == nil || b == nil || a.Value.(*ast.Array) != b.Value.(*ast.Array) {
		t.Error("the shared UpstreamTrafficSettings were converted twice")
	}
}

// TestSummariesNeedPreparing: Egress summaries are read only when the
// inventory is prepared; evaluating against an unprepared one is an error,
// not a view without those policies.
func TestSummariesNeedPreparing(t *testing.T) {
	e := newEngine(t)
	egress := exampleEgresses(t)[0]
	inv := Inventory{MeshConfig: e.DefaultMeshConfig(), Egresses: []map[string]any{}, EgressSummaries: []EgressSummary{SummarizeEgress(egress)}}
	if _, err := e.Evaluate(context.Background(), Input{Operation: "CREATE", Object: egress, Inventory: inv}); err == nil {
		t.Fatal("an unprepared inventory with summaries was evaluated")
	}
	if err := e.PrepareInventory(context.Background(), &inv); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Evaluate(context.Background(), Input{Operation: "CREATE", Object: egress, Inventory: inv}); err != nil {
		t.Fatal(err)
	}
}

// inventoryIndex is every table of the index of inv, as PrepareInventories
// builds them part by part.
func inventoryIndex(inv *Inventory) map[string]any {
	idx := egressIndex(inv.summaries())
	for k, v := range upstreamIndex(inv.UpstreamTrafficSettings) {
		idx[k] = v
	}
	for k, v := range namespaceIndex(inv.Namespaces) {
		idx[k] = v
	}
	return idx
}

// TestStored: an object as the API server stores it, the unknown field
// pruned and the defaults set, without changing the object given; a kind
// without a CRD comes back as it is.
func TestStored(t *testing.T) {
	e := newEngine(t)
	mc := map[string]any{
		"apiVersion": "config.openservicemesh.io/v1alpha2", "kind": "MeshConfig",
		"metadata": map[string]any{"name": "osm-mesh-config", "namespace": "osm-system"},
		"spec":     map[string]any{"traffic": map[string]any{"enableEngress": false, "enableEgress": false}},
	}
	got := e.Stored(mc)
	traffic := got["spec"].(map[string]any)["traffic"].(map[string]any)
	if _, ok := traffic["enableEngress"]; ok {
		t.Errorf("the unknown field survived: %v", traffic)
	}
	if traffic["enableEgress"] != false {
		t.Errorf("enableEgress = %v, want false", traffic["enableEgress"])
	}
	if _, ok := mc["spec"].(map[string]any)["traffic"].(map[string]any)["enableEngress"]; !ok {
		t.Error("Stored changed the object it was given")
	}
	pod := map[string]any{"apiVersion": "v1", "kind": "Pod", "metadata": map[string]any{"name": "p"}, "extra": true}
	if got := e.Stored(pod); got["extra"] != true {
		t.Errorf("a Pod was changed: %v", got)
	}
}

// TestUpstreamTrafficSettingHeaders: spec.httpHeaders, osm-edge's rate limits
// by request header, is a field of the CRD, not an unknown one; a misspelled
// field inside it is.
func TestUpstreamTrafficSettingHeaders(t *testing.T) {
	e := newEngine(t)
	const uts = `
apiVersion: policy.openservicemesh.io/v1alpha1
kind: UpstreamTrafficSetting
metadata: {name: limit, namespace: bookstore}
spec:
  host: bookstore.bookstore.svc.cluster.local
  httpHeaders:
  - headers: [{name: header-a, value: a}]
    rateLimit: {local: {requests: 3, unit: minute, burst: 10}}
`
	ctx := context.Background()
	fs, err := e.Evaluate(ctx, Input{Operation: "CREATE", Object: obj(t, uts)})
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) > 0 {
		t.Errorf("findings on a valid UpstreamTrafficSetting: %s", codes(fs))
	}
	fs, err = e.Evaluate(ctx, Input{Operation: "CREATE", Object: obj(t, strings.Replace(uts, "requests: 3", "request: 3", 1))})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range fs {
		found = found || (f.Rule == "MG2001" && f.Path == "spec.httpHeaders[0].rateLimit.local.request" && strings.Contains(f.Message, `did you mean "requests"`))
	}
	if !found {
		t.Errorf("no MG2001 with a suggestion for the misspelled field: %+v", fs)
	}
}

// TestInstalled: osm install's chart values land on the MeshConfig fields
// the chart presets; every field the table names is one the CRD keeps.
func TestInstalled(t *testing.T) {
	e := newEngine(t)
	mc := e.Installed("osm-edge", map[string]any{
		"osm.enableEgress":                    false,
		"osm.enablePermissiveTrafficPolicy":   false,
		"osm.featureFlags.enableEgressPolicy": false,
		"osm.image.registry":                  "example.com",
	})
	spec := mc["spec"].(map[string]any)
	traffic := spec["traffic"].(map[string]any)
	if traffic["enableEgress"] != false || traffic["enablePermissiveTrafficPolicyMode"] != false ||
		spec["featureFlags"].(map[string]any)["enableEgressPolicy"] != false {
		t.Errorf("values not applied: %v", spec)
	}
	if ns := mc["metadata"].(map[string]any)["namespace"]; ns != "osm-edge" {
		t.Errorf("namespace %v", ns)
	}
	if _, ok := spec["image"]; ok {
		t.Error("a chart value that presets nothing reached the MeshConfig")
	}
	// osm-edge's eBPF guide: --set=osm.trafficInterceptionMode=ebpf injects no osm-init.
	if mode := e.Installed("", map[string]any{"osm.trafficInterceptionMode": "ebpf"})["spec"].(map[string]any)["traffic"].(map[string]any)["interceptionMode"]; mode != "ebpf" {
		t.Errorf("osm.trafficInterceptionMode=ebpf left interceptionMode %v", mode)
	}
	if traffic := e.Installed("", nil)["spec"].(map[string]any)["traffic"].(map[string]any); traffic["enableEgress"] != true {
		t.Error("an install without values is not the install default")
	}
	for key, path := range e.installValues {
		stored := e.Stored(e.Installed("", map[string]any{key: "x"}))
		var v any = stored
		for _, p := range strings.Split(path, ".") {
			m, _ := v.(map[string]any)
			v = m[p]
		}
		if v != "x" {
			t.Errorf("%s: %s is not a field the MeshConfig CRD keeps", key, path)
		}
	}
}

// An update through v1alpha1 drops what the stored MeshConfig sets in the
// fields v1alpha1 lacks; MG1004 names them and their values. The request's
// old object is read through v1alpha1 already (pruned), so the stored
// MeshConfig is the inventory's.
func TestV1alpha1UpdateNamesWhatItDrops(t *testing.T) {
	e := newEngine(t)
	stored := e.Stored(e.DefaultMeshConfig()) // with v1alpha2's defaults, as stored
	spec := stored["spec"].(map[string]any)
	spec["traffic"].(map[string]any)["networkInterfaceExclusionList"] = []any{"eth1"}
	spec["sidecar"].(map[string]any)["tlsMaxProtocolVersion"] = "TLSv1_2"
	through := deepCopy(stored)
	through["apiVersion"] = "config.openservicemesh.io/v1alpha1"
	old := e.Stored(through) // as the API server reads it through v1alpha1
	obj := deepCopy(old)
	obj["spec"].(map[string]any)["sidecar"].(map[string]any)["logLevel"] = "debug"
	fs, err := e.Evaluate(context.Background(), Input{Operation: "UPDATE", Object: obj, OldObject: old, Inventory: Inventory{MeshConfig: stored}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if f.Rule != "MG1004" {
			continue
		}
		_, dropped, _ := strings.Cut(f.Message, "; this update drops ")
		// The list and the value that is not a default are lost; the
		// settings v1alpha2's defaults give back, and zero values, are not.
		for _, want := range []string{`spec.traffic.networkInterfaceExclusionList (["eth1"])`, `spec.sidecar.tlsMaxProtocolVersion ("TLSv1_2")`} {
			if !strings.Contains(dropped, want) {
				t.Errorf("MG1004 does not name %s: %s", want, f.Message)
			}
		}
		for _, not := range []string{"tlsMinProtocolVersion", "localProxyMode", "localDNSProxy", "outboundIPRangeInclusionList"} {
			if strings.Contains(dropped, not) {
				t.Errorf("MG1004 names %s, which is not lost: %s", not, f.Message)
			}
		}
		return
	}
	t.Errorf("no MG1004 in %+v", fs)
}

// A rule's METADATA custom holds only the keys the catalog reads: a misspelt
// one (admission-severity) would otherwise be ignored.
func TestCatalogRefusesUnknownCustomKeys(t *testing.T) {
	rule := func(custom string) string {
		return `# METADATA
# title: A test rule
# description: |
#   For the test.
# custom:
#   code: MG2099
#   severity: deny
` + custom + `#   fix: Do not.
#   docs: docs/rules.md#mg2099
package meshguard.rules.egress["test-rule"]

findings contains {"code": "MG2099"} if false
`
	}
	_, err := New(context.Background(), WithExtraModules(map[string]string{"rules/egress/test-rule/test_rule.rego": rule("#   admission-severity: warn\n")}))
	if err == nil || !strings.Contains(err.Error(), "custom.admission-severity is not one of") {
		t.Errorf("a misspelt custom key: %v", err)
	}
	e, err := New(context.Background(), WithExtraModules(map[string]string{"rules/egress/test-rule/test_rule.rego": rule("#   admission_severity: warn\n")}))
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := e.Catalog().Lookup("MG2099"); r.AdmissionSeverity != Warn {
		t.Errorf("admission severity %q", r.AdmissionSeverity)
	}
}

// TestRejected: the API server refuses an object its schema rejects, but
// lets an update keep an invalid value it does not change (ratcheting).
func TestRejected(t *testing.T) {
	e := newEngine(t)
	mc := func(traffic string) map[string]any {
		return obj(t, "apiVersion: config.openservicemesh.io/v1alpha2\nkind: MeshConfig\nmetadata: {name: osm-mesh-config, namespace: osm-system}\nspec:\n  traffic: "+traffic+"\n")
	}
	valid := mc(`{enableEgress: false, interceptionMode: iptables}`)
	invalid := mc(`{enableEgress: "false", interceptionMode: iptables}`)
	invalidToo := mc(`{enableEgress: "false", interceptionMode: iptables, enablePermissiveTrafficPolicyMode: true}`)
	otherInvalid := mc(`{enableEgress: "no", interceptionMode: iptables}`)
	for _, tc := range []struct {
		name     string
		obj, old map[string]any
		want     bool
	}{
		{"valid create", valid, nil, false},
		{"invalid create", invalid, nil, true},
		{"update to an invalid value", invalid, valid, true},
		{"update keeping an invalid value", invalidToo, invalid, false},
		{"update to another invalid value", otherInvalid, invalid, true},
		{"update to valid", valid, invalid, false},
		// atomic lists are compared whole: a changed list is not ratcheted
		// item by item
		{"list kept", mc(`{interceptionMode: iptables, outboundPortExclusionList: [0], enableEgress: true}`), mc(`{interceptionMode: iptables, outboundPortExclusionList: [0]}`), false},
		{"list changed", mc(`{interceptionMode: iptables, outboundPortExclusionList: [0, 8080]}`), mc(`{interceptionMode: iptables, outboundPortExclusionList: [0]}`), true},
	} {
		if got := e.Rejected(tc.obj, tc.old); got != tc.want {
			t.Errorf("%s: Rejected = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestQuietStandingAndTheIgnoreAnnotation: a warning the old object's
// meshguard.io/ignore hid was never shown, so an update that removes the
// annotation reports it; one that keeps the annotation does not repeat
// the warnings the old object drew (MG0004 on the annotation itself).
func TestQuietStandingAndTheIgnoreAnnotation(t *testing.T) {
	e := newEngine(t)
	mc := func(logLevel string, ignore string) map[string]any {
		m := e.DefaultMeshConfig()
		traffic := m["spec"].(map[string]any)["traffic"].(map[string]any)
		delete(traffic, "interceptionMode") // MG1012, a warning
		m["spec"].(map[string]any)["sidecar"].(map[string]any)["logLevel"] = logLevel
		if ignore != "" {
			m["metadata"].(map[string]any)["annotations"] = map[string]any{"meshguard.io/ignore": ignore}
		}
		return m
	}
	old := mc("error", "MG1012, NOPE")
	for _, tc := range []struct {
		name string
		obj  map[string]any
		want string
	}{
		{"annotation removed", mc("error", ""), "MG1012@spec.traffic.interceptionMode"},
		{"annotation kept", mc("debug", "MG1012, NOPE"), ""},
	} {
		fs, err := e.Evaluate(context.Background(), Input{Operation: "UPDATE", Object: tc.obj, OldObject: old, QuietStanding: true})
		if err != nil {
			t.Fatal(err)
		}
		if got := codes(fs); got != tc.want {
			t.Errorf("%s: findings %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestQuietStandingAndTheName: an update cannot change the name, so a
// MeshConfig osm-edge never reads (MG1005) is told so where it is created,
// not again on each label or apply of the same file; unless the old object
// is one the caller assumed under the update's name, which nothing said.
// The version stays each request's own (MG1004 on a v1alpha1 write).
func TestQuietStandingAndTheName(t *testing.T) {
	e := newEngine(t)
	mc := func(name string, labels map[string]any) map[string]any {
		m := e.DefaultMeshConfig()
		m["metadata"].(map[string]any)["name"] = name
		if labels != nil {
			m["metadata"].(map[string]any)["labels"] = labels
		}
		return m
	}
	old := mc("mesh-config", nil)
	labelled := mc("mesh-config", map[string]any{"team": "mesh"})
	for _, tc := range []struct {
		name string
		in   Input
		want string
	}{
		{"create", Input{Operation: "CREATE", Object: old}, "MG1005@metadata.name"},
		{"label", Input{Operation: "UPDATE", Object: labelled, OldObject: old, QuietStanding: true}, ""},
		{"an assumed old object", Input{Operation: "UPDATE", Object: labelled, OldObject: old, QuietStanding: true, AssumedOld: true}, "MG1005@metadata.name"},
		{"without QuietStanding (validate patch)", Input{Operation: "UPDATE", Object: labelled, OldObject: old}, "MG1005@metadata.name"},
	} {
		fs, err := e.Evaluate(context.Background(), tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := codes(fs); got != tc.want {
			t.Errorf("%s: findings %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestInjectorFact: a sidecarClass meshguard's injector cannot inject is
// denied at admission only when the caller injects by that MeshConfig
// (serve); an update of a MeshConfig that already had it is warned, since
// the stored object is judged with the same fact.
func TestInjectorFact(t *testing.T) {
	e := newEngine(t)
	mc := func(class, logLevel string) map[string]any {
		m := e.DefaultMeshConfig()
		sidecar := m["spec"].(map[string]any)["sidecar"].(map[string]any)
		sidecar["sidecarClass"], sidecar["logLevel"] = class, logLevel
		return m
	}
	const injecting = "osm-system/osm-mesh-config"
	for _, tc := range []struct {
		name     string
		old, obj map[string]any
		injector string
		want     string
	}{
		{"change to envoy, meshguard injecting", mc("pipy", "error"), mc("envoy", "error"), injecting, "MG1025 deny"},
		{"change to envoy, meshguard only validating", mc("pipy", "error"), mc("envoy", "error"), "", "MG1024 warn"},
		{"change to envoy, meshguard injecting by another", mc("pipy", "error"), mc("envoy", "error"), "osm-system/other", "MG1024 warn"},
		{"envoy already stored", mc("envoy", "error"), mc("envoy", "debug"), injecting, "MG1025 warn already so"},
		// meshguard injecting: osm-injector injects nothing, no restart to tell of
		{"back to pipy", mc("envoy", "error"), mc("pipy", "error"), injecting, ""},
		{"back to pipy, meshguard only validating", mc("envoy", "error"), mc("pipy", "error"), "", "MG1024 warn"},
	} {
		fs, err := e.Evaluate(context.Background(), Input{
			Operation: "UPDATE", Object: tc.obj, OldObject: tc.old,
			Admission: true, QuietStanding: true, InjectorMeshConfig: tc.injector,
		})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range fs {
			if f.Path != "spec.sidecar.sidecarClass" {
				continue
			}
			s := f.Rule + " " + string(f.Severity)
			if strings.HasPrefix(f.Message, "already so before this update") {
				s += " already so"
			}
			got = append(got, s)
		}
		if g := strings.Join(got, ","); g != tc.want {
			t.Errorf("%s: %q, want %q (%v)", tc.name, g, tc.want, fs)
		}
	}
}

// TestPathLess: paths in the order a reader counts. Sorted as text,
// spec.ports[10] came before spec.ports[2], and the webhook's cap on
// warnings hid ports 2 to 9 while it showed 10 to 19.
func TestPathLess(t *testing.T) {
	want := []string{"", "spec", "spec.hosts[0]", "spec.ports[1]", "spec.ports[2].number", "spec.ports[9]", "spec.ports[10]", "spec.ports[10].number", "spec.ports[100]", "spec.sources[3]"}
	for i := range want {
		for j := range want {
			if got := PathLess(want[i], want[j]); got != (i < j) {
				t.Errorf("PathLess(%q, %q) = %v", want[i], want[j], got)
			}
		}
	}
}
