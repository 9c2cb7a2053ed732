package check_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/meshguard/meshguard/policies"
	"github.com/meshguard/meshguard/policies/check"
)

// TestExamples checks every rule's examples through the same path as
// meshguard validate: an invalid example fires its rule, a valid one does not
// and has nothing at deny level. YAML, shell and Markdown examples alike.
func TestExamples(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
	for _, r := range e.Catalog() {
		t.Run(r.Code+"-"+r.Name, func(t *testing.T) {
			dir := filepath.Join("..", "..", "examples", r.Group, r.Name)
			for _, kind := range []string{"valid", "invalid"} {
				files, _ := filepath.Glob(filepath.Join(dir, kind+".*"))
				if len(files) == 0 {
					t.Errorf("no %s example in %s", kind, dir)
				}
				for _, file := range files {
					res, err := check.Run(ctx, e, check.Options{Paths: []string{file}})
					if err != nil {
						t.Fatal(err)
					}
					if len(res.Errors) > 0 {
						t.Errorf("%s: input errors: %+v", file, res.Errors)
					}
					fired := false
					var deny []string
					for _, f := range res.Findings {
						fired = fired || f.Rule == r.Code
						if f.Severity == policies.Deny {
							deny = append(deny, f.Rule+": "+f.Message)
						}
					}
					switch {
					case kind == "invalid" && !fired:
						t.Errorf("%s: %s does not fire; got %+v", file, r.Code, res.Findings)
					case kind == "valid" && fired:
						t.Errorf("%s: %s fires on the valid example", file, r.Code)
					case kind == "valid" && len(deny) > 0:
						t.Errorf("%s: valid example has deny findings: %v", file, deny)
					}
				}
			}
		})
	}
}

// TestExamplesFolder checks what the README promises: meshguard validate
// examples/ shows every rule firing, and the valid examples report nothing.
func TestExamplesFolder(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
	res, err := check.Run(ctx, e, check.Options{Paths: []string{filepath.Join("..", "..", "examples")}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) > 0 {
		t.Fatalf("input errors: %+v", res.Errors)
	}
	fired := map[string]bool{}
	for _, f := range res.Findings {
		base := filepath.Base(f.File)
		if len(base) >= 5 && base[:5] == "valid" {
			t.Errorf("%s:%d: valid example reports %s: %s", f.File, f.Line, f.Rule, f.Message)
		}
		fired[f.Rule] = true
	}
	for _, r := range e.Catalog() {
		if !fired[r.Code] {
			t.Errorf("%s (%s) fires nowhere in examples/", r.Code, r.Name)
		}
	}
}

// TestEgressRunbook pins the seed story: the enableEngress typo in a runbook is
// denied at its line with "did you mean enableEgress".
func TestEgressRunbook(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
	res, err := check.Run(ctx, e, check.Options{Paths: []string{filepath.Join("..", "..", "examples", "egress-runbook.md")}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"MG1001@103": `did you mean "enableEgress"?`,
		"MG2003@93":  `"grpc"`,
		"MG2004@72":  "5432",
		"MG3001@40":  "httpbin-80",
	}
	for _, f := range res.Findings {
		k := f.Rule + "@" + strconv.Itoa(f.Line)
		if text, ok := want[k]; ok && strings.Contains(f.Message, text) {
			delete(want, k)
		}
	}
	if len(want) > 0 {
		t.Errorf("missing %v in %+v", want, res.Findings)
	}
}

// TestViewReadsEncodedManifests: a manifest the first pass must not pass over
// although its bytes do not spell the kind (UTF-16, as Windows PowerShell
// redirects kubectl's output, and a JSON escape): the UpstreamTrafficSettings
// in them exist for the Egress that names them, so no MG3005.
func TestViewReadsEncodedManifests(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
	dir := t.TempDir()
	write := func(name string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	uts := "apiVersion: policy.openservicemesh.io/v1alpha1\nkind: UpstreamTrafficSetting\nmetadata: {name: u, namespace: a}\nspec: {host: h.example.com}\n"
	utf16 := []byte{0xff, 0xfe}
	for _, r := range uts {
		utf16 = append(utf16, byte(r), 0)
	}
	write("u.yaml", utf16)
	// One plain manifest, so the view knows UpstreamTrafficSettings at all.
	write("other.yaml", []byte(strings.ReplaceAll(strings.ReplaceAll(uts, "name: u", "name: other"), "h.example.com", "o.example.com")))
	write("v.json", []byte(`{"apiVersion": "policy.openservicemesh.io/v1alpha1", "kind": "\u0055pstreamTrafficSetting", "metadata": {"name": "v", "namespace": "a"}, "spec": {"host": "v.example.com"}}`))
	write("egress.yaml", []byte(`apiVersion: policy.openservicemesh.io/v1alpha1
kind: Egress
metadata: {name: e, namespace: a}
spec:
  sources: [{kind: ServiceAccount, name: sa, namespace: a}]
  hosts: [h.example.com]
  ports: [{number: 443, protocol: https}]
  matches:
  - {apiGroup: policy.openservicemesh.io/v1alpha1, kind: UpstreamTrafficSetting, name: u}
  - {apiGroup: policy.openservicemesh.io/v1alpha1, kind: UpstreamTrafficSetting, name: v}
`))
	res, err := check.Run(ctx, e, check.Options{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) > 0 {
		t.Fatalf("input errors: %+v", res.Errors)
	}
	if res.Summary.Documents != 4 {
		t.Fatalf("judged %d documents, want 4", res.Summary.Documents)
	}
	for _, f := range res.Findings {
		if f.Rule == "MG3005" {
			t.Errorf("%s:%d: %s", f.File, f.Line, f.Message)
		}
	}
}
