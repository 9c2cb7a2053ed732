package check_test

import (
	"context"
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
	e, err := policies.New(ctx)
	if err != nil {
		t.Fatal(err)
	}
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
	e, err := policies.New(ctx)
	if err != nil {
		t.Fatal(err)
	}
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
	e, err := policies.New(ctx)
	if err != nil {
		t.Fatal(err)
	}
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
