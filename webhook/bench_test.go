package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	admissionv1 "k8s.io/api/admission/v1"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/meshguard/meshguard/policies"
	rulefs "github.com/meshguard/meshguard/rego"
)

// Benchmarks of the validating handler in-process, the webhook benchmark's
// (test/bench/webhook.sh) figures without HTTPS and without a client sharing
// the CPUs:
//
//	go test ./webhook -run '^$' -bench . -benchmem
//
// Validator: one AdmissionReview through the handler the server registers
// (StatusCodes around controller-runtime's admission.Webhook around
// Validator, with metrics), from the request body to the answer's bytes:
// the fixture egress-passthrough-warning against its cluster view.
// Rules10x loads nine generated copies of every rule beside the originals,
// each under its own package (data.meshguard.rules.<group>["<name>-copyN"],
// where rego/main collects them) and code (MG<group><N><nn>), so that every
// copy is evaluated and its finding shows in the answer.

const benchFixture = "testdata/admission/egress-passthrough-warning"

func BenchmarkValidator(b *testing.B) { benchValidator(b, testEngine(b), 1, false) }

func BenchmarkValidatorRules10x(b *testing.B) { benchValidator(b, rules10xEngine(b), 10, false) }

// Parallel: as many handlers at once as GOMAXPROCS, the handler's throughput
// on this machine (ns/op is wall time per request over all CPUs).
func BenchmarkValidatorParallel(b *testing.B) { benchValidator(b, testEngine(b), 1, true) }

// Evaluate: the engine alone, on the input the handler builds.
func BenchmarkEvaluate(b *testing.B) { benchEvaluate(b, testEngine(b), 1) }

func BenchmarkEvaluateRules10x(b *testing.B) { benchEvaluate(b, rules10xEngine(b), 10) }

// PrepareInventory1000: what ClusterInventory.rebuild spends, after every
// change to a watched object, to prepare a view of 1,000 Egress policies (the
// conversion and the rego/index lookup tables), as in the webhook benchmark's
// 1,000 creates.
func BenchmarkPrepareInventory1000(b *testing.B) {
	e := testEngine(b)
	egresses := make([]map[string]any, 1000)
	for i := range egresses {
		name := fmt.Sprintf("bench-%05d", i)
		egresses[i] = map[string]any{
			"apiVersion": "policy.openservicemesh.io/v1alpha1", "kind": "Egress",
			"metadata": map[string]any{"name": name, "namespace": "curl"},
			"spec": map[string]any{
				"sources": []any{map[string]any{"kind": "ServiceAccount", "name": "curl", "namespace": "curl"}},
				"hosts":   []any{name + ".example.com"},
				"ports":   []any{map[string]any{"number": int64(80), "protocol": "http"}},
			},
		}
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		inv := &policies.Inventory{MeshConfig: e.DefaultMeshConfig(), Egresses: egresses,
			Namespaces: []map[string]any{}, UpstreamTrafficSettings: []map[string]any{}}
		if err := e.PrepareInventory(ctx, inv); err != nil {
			b.Fatal(err)
		}
	}
}

func benchValidator(b *testing.B, e *policies.Engine, copies int, parallel bool) {
	inv := inventoryOf(b, e, readDocs(b, filepath.Join(benchFixture, "cluster.yaml")), true)
	body, err := os.ReadFile(filepath.Join(benchFixture, "request.json"))
	if err != nil {
		b.Fatal(err)
	}
	m, err := NewMetrics(prometheus.NewRegistry(), e.Catalog())
	if err != nil {
		b.Fatal(err)
	}
	v := &Validator{Engine: e, Inventory: StaticInventory{inv}, Metrics: m}
	h := StatusCodes(&admission.Webhook{Handler: v})
	once := func() *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, ValidatePath, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	rec := once()
	var ar admissionv1.AdmissionReview
	if err := json.Unmarshal(rec.Body.Bytes(), &ar); err != nil || rec.Code != http.StatusOK || ar.Response == nil || !ar.Response.Allowed {
		b.Fatalf("HTTP %d, %v: %s", rec.Code, err, rec.Body.String())
	}
	if got := warnedCodes(ar.Response.Warnings); len(got) != copies {
		b.Fatalf("the answer warns with %d codes (%v), want %d: are the rule copies evaluated?", len(got), got, copies)
	}
	b.ReportAllocs()
	b.ResetTimer()
	if parallel {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if rec := once(); rec.Code != http.StatusOK {
					b.Errorf("HTTP %d", rec.Code)
					return
				}
			}
		})
		return
	}
	for b.Loop() {
		if rec := once(); rec.Code != http.StatusOK {
			b.Fatalf("HTTP %d", rec.Code)
		}
	}
}

func benchEvaluate(b *testing.B, e *policies.Engine, copies int) {
	inv := inventoryOf(b, e, readDocs(b, filepath.Join(benchFixture, "cluster.yaml")), true)
	raw, err := os.ReadFile(filepath.Join(benchFixture, "request.json"))
	if err != nil {
		b.Fatal(err)
	}
	var ar admissionv1.AdmissionReview
	if err := json.Unmarshal(raw, &ar); err != nil {
		b.Fatal(err)
	}
	in, err := Input(*ar.Request)
	if err != nil {
		b.Fatal(err)
	}
	in.Inventory = *inv
	ctx := context.Background()
	found, err := e.Evaluate(ctx, in)
	if err != nil {
		b.Fatal(err)
	}
	if len(found) != copies {
		b.Fatalf("%d findings, want %d: are the rule copies evaluated?", len(found), copies)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := e.Evaluate(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}

// warnedCodes are the distinct rule codes of the answer's warnings.
func warnedCodes(warnings []string) []string {
	seen := map[string]bool{}
	for _, w := range warnings {
		if code, _, ok := strings.Cut(strings.TrimPrefix(w, "["), "]"); ok && strings.HasPrefix(w, "[") {
			seen[code] = true
		}
	}
	var out []string
	for c := range seen {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

var (
	rules10xOnce sync.Once
	rules10x     *policies.Engine
	rules10xErr  error
)

func rules10xEngine(b *testing.B) *policies.Engine {
	b.Helper()
	rules10xOnce.Do(func() {
		var mods map[string]string
		if mods, rules10xErr = ruleCopies(9); rules10xErr == nil {
			rules10x, rules10xErr = policies.New(context.Background(), policies.WithExtraModules(mods))
		}
	})
	if rules10xErr != nil {
		b.Fatal(rules10xErr)
	}
	if got, want := len(rules10x.Catalog()), 10*len(testEngine(b).Catalog()); got != want {
		b.Fatalf("%d rules loaded, want %d", got, want)
	}
	return rules10x
}

var (
	codeLine = regexp.MustCompile(`(?m)^(#\s+code:\s+MG\d)0(\d\d)\s*$`)
	docsLine = regexp.MustCompile(`(?m)^(#\s+docs:\s+docs/rules\.md#mg\d)0(\d\d)\s*$`)
)

// ruleCopies returns n copies of every rule module of rego/rules, as the
// catalog accepts them: copy k of rules/<group>/<name>/<name>.rego is
// rules/<group>/<name>-copyk/<name>_copyk.rego, package
// meshguard.rules.<group>["<name>-copyk"], code MG<g><k><nn> for MG<g>0<nn>.
func ruleCopies(n int) (map[string]string, error) {
	mods := map[string]string{}
	err := fs.WalkDir(rulefs.FS, "rules", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".rego") || strings.HasSuffix(p, "_test.rego") {
			return err
		}
		parts := strings.Split(p, "/")
		if len(parts) != 4 {
			return fmt.Errorf("%s: not rules/<group>/<name>/<file>.rego", p)
		}
		group, name := parts[1], parts[2]
		raw, err := fs.ReadFile(rulefs.FS, p)
		if err != nil {
			return err
		}
		src := string(raw)
		pkg := fmt.Sprintf("package meshguard.rules.%s[%q]", group, name)
		if strings.Count(src, pkg) != 1 || len(codeLine.FindAllString(src, -1)) != 1 || len(docsLine.FindAllString(src, -1)) != 1 {
			return fmt.Errorf("%s: no single %s, code MGx0xx and docs line to rewrite", p, pkg)
		}
		for k := 1; k <= n; k++ {
			copyName := fmt.Sprintf("%s-copy%d", name, k)
			s := strings.Replace(src, pkg, fmt.Sprintf("package meshguard.rules.%s[%q]", group, copyName), 1)
			s = codeLine.ReplaceAllString(s, fmt.Sprintf("${1}%d${2}", k))
			s = docsLine.ReplaceAllString(s, fmt.Sprintf("${1}%d${2}", k))
			mods[fmt.Sprintf("rules/%s/%s/%s.rego", group, copyName, strings.ReplaceAll(copyName, "-", "_"))] = s
		}
		return nil
	})
	return mods, err
}
