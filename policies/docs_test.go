package policies_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshguard/meshguard/policies"
	"github.com/meshguard/meshguard/policies/check"
	"github.com/meshguard/meshguard/policies/report"
)

var update = flag.Bool("update", false, "rewrite docs/rules.md from the rule metadata and examples")

const rulesDoc = "../docs/rules.md"

// TestRulesDoc fails when docs/rules.md is not what the rule METADATA and
// examples produce. Regenerate with: go test ./policies -run TestRulesDoc -update
func TestRulesDoc(t *testing.T) {
	got := renderRulesDoc(t)
	if *update {
		if err := os.WriteFile(rulesDoc, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(rulesDoc)
	if err != nil {
		t.Fatalf("%v (generate it with: go test ./policies -run TestRulesDoc -update)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("docs/rules.md is stale; regenerate with: make generate\n%s", diff)
	}
}

var langs = map[string]string{".yaml": "yaml", ".sh": "sh", ".md": "markdown"}

func renderRulesDoc(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	e, err := policies.New(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString(`# meshguard rules

<!-- Generated from the rules' METADATA and examples/ by: make generate. Do not edit. -->

Every finding carries one of these codes. Codes are stable: they are never renumbered or
reused, and a retired code keeps its entry here. Severity ` + "`deny`" + ` fails ` + "`meshguard validate`" + `
(exit 1) and is refused by the admission webhook; ` + "`warn`" + ` is printed (a kubectl ` + "`Warning:`" + ` line);
` + "`info`" + ` is reported only. Silence a rule with ` + "`--disable MG2004`" + ` or, on one object, the annotation
` + "`meshguard.io/ignore: MG2004`" + `.

| Code | Severity | Rule | Title |
| --- | --- | --- | --- |
`)
	for _, r := range e.Catalog() {
		fmt.Fprintf(&b, "| [%s](#%s) | %s | `%s/%s` | %s |\n", r.Code, strings.ToLower(r.Code), r.Severity, r.Group, r.Name, r.Title)
	}
	for _, r := range e.Catalog() {
		fmt.Fprintf(&b, "\n<a id=\"%s\"></a>\n## %s: %s\n\n", strings.ToLower(r.Code), r.Code, r.Title)
		fmt.Fprintf(&b, "Severity: **%s** · rule: [`rego/%s`](../rego/%s)\n\n", r.Severity, r.File, r.File)
		b.WriteString(r.Description + "\n\n")
		fmt.Fprintf(&b, "**Fix:** %s\n", r.Fix)
		files, _ := filepath.Glob(filepath.Join("..", "examples", r.Group, r.Name, "invalid.*"))
		for _, f := range files {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			rel := strings.TrimPrefix(filepath.ToSlash(f), "../")
			fmt.Fprintf(&b, "\nExample, [`%s`](../%s):\n\n```%s\n%s```\n", rel, rel, langs[filepath.Ext(f)], src)
			res, err := check.Run(ctx, e, check.Options{Paths: []string{f}})
			if err != nil {
				t.Fatal(err)
			}
			var keep []report.Entry
			for _, x := range res.Findings {
				if x.Rule == r.Code {
					x.File = rel
					keep = append(keep, x)
				}
			}
			res.Findings = keep
			var out bytes.Buffer
			if err := report.Text(&out, report.Result{Findings: keep, Summary: res.Summary}, report.Options{}); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			fmt.Fprintf(&b, "\n`meshguard validate %s` reports:\n\n```text\n%s\n```\n", rel, strings.Join(lines[:len(lines)-1], "\n"))
		}
	}
	b.WriteString("\n## Retired codes\n\nNone yet.\n")
	return b.String()
}
