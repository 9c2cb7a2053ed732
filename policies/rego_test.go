package policies

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/format"
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

// TestRegoFormatted keeps every module as opa fmt writes it. Rewrite with:
// go test ./policies -run TestRegoFormatted -update
func TestRegoFormatted(t *testing.T) {
	err := fs.WalkDir(rulefs.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".rego") {
			return err
		}
		src, err := fs.ReadFile(rulefs.FS, p)
		if err != nil {
			return err
		}
		got, err := format.SourceWithOpts(p, src, format.Opts{RegoVersion: ast.RegoV1})
		if err != nil {
			t.Errorf("%s: %v", p, err)
			return nil
		}
		if string(got) != string(src) {
			if *update {
				return os.WriteFile(filepath.Join("..", "rego", p), got, 0o644)
			}
			t.Errorf("%s is not as opa fmt writes it; run: go test ./policies -run TestRegoFormatted -update", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestRulesReadEgressesThroughIndex: a prepared inventory carries the index,
// not the Egress policies themselves (PrepareInventory), so only rego/index
// may read input.inventory.egresses.
func TestRulesReadEgressesThroughIndex(t *testing.T) {
	mods, err := loadModules(rulefs.FS, false)
	if err != nil {
		t.Fatal(err)
	}
	target := ast.MustParseRef("input.inventory.egresses")
	for file, m := range mods {
		if strings.HasPrefix(file, "index/") {
			continue
		}
		ast.WalkRefs(m, func(r ast.Ref) bool {
			if r.HasPrefix(target) {
				t.Errorf("%s:%d reads %v; read Egress policies through data.meshguard.kube (rego/index)", file, r[0].Location.Row, r)
			}
			return false
		})
	}
}
