package policies

import (
	"context"
	"io/fs"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/tester"

	rulefs "github.com/meshguard/meshguard/rego"
)

// TestRego runs every _test.rego beside the rules through OPA's tester, so that
// go test ./... covers both languages.
func TestRego(t *testing.T) {
	mods, err := loadModules(rulefs.FS, true)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ch, err := tester.NewRunner().
		SetModules(mods).
		SetDefaultRegoVersion(ast.RegoV1).
		SetCompiler(ast.NewCompiler().WithStrict(true).WithEnablePrintStatements(true)).
		CapturePrintOutput(true).
		RaiseBuiltinErrors(true).
		Run(ctx, mods)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for r := range ch {
		n++
		name := r.Package + "." + r.Name
		if r.Error != nil {
			t.Errorf("%s: error: %v", name, r.Error)
		} else if r.Fail {
			t.Errorf("%s (%s): failed\n%s", name, r.Location, r.Output)
		}
	}
	if n == 0 {
		t.Fatal("no Rego tests ran")
	}
	t.Logf("%d Rego tests", n)
}

// TestRegoStrict compiles the whole bundle, tests included, as opa check --strict does.
func TestRegoStrict(t *testing.T) {
	mods, err := loadModules(rulefs.FS, true)
	if err != nil {
		t.Fatal(err)
	}
	c := ast.NewCompiler().WithStrict(true)
	c.Compile(mods)
	if c.Failed() {
		t.Fatalf("opa check --strict: %v", c.Errors)
	}
}

// TestEveryRegoFileHasATest keeps a _test.rego beside every module.
func TestEveryRegoFileHasATest(t *testing.T) {
	err := fs.WalkDir(rulefs.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".rego") || strings.HasSuffix(p, "_test.rego") {
			return err
		}
		if _, err := fs.Stat(rulefs.FS, strings.TrimSuffix(p, ".rego")+"_test.rego"); err != nil {
			t.Errorf("%s has no %s_test.rego beside it", p, strings.TrimSuffix(p, ".rego"))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
