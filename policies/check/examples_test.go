package check_test

import (
	"context"
	"path/filepath"
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
