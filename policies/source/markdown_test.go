package source

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestCodeBlocks(t *testing.T) {
	md := "# T\n\n```yaml\nkind: A\n```\n\n- item\n\n  ~~~bash {.line-numbers}\n  kubectl get x\n  ~~~\n\n````\napiVersion: v1\nkind: B\n```\nnot a fence end\n````\n"
	blocks := CodeBlocks([]byte(md))
	if len(blocks) != 3 {
		t.Fatalf("got %d blocks: %+v", len(blocks), blocks)
	}
	if blocks[0].Lang != "yaml" || blocks[0].Line != 4 || string(blocks[0].Body) != "kind: A\n" || !blocks[0].IsYAML() {
		t.Errorf("block 0: %+v", blocks[0])
	}
	if blocks[1].Lang != "bash" || blocks[1].Line != 10 || strings.TrimSpace(string(blocks[1].Body)) != "kubectl get x" || !blocks[1].IsShell() {
		t.Errorf("block 1: %+v %q", blocks[1], blocks[1].Body)
	}
	if blocks[2].Lang != "" || !blocks[2].IsYAML() || blocks[2].Line != 14 {
		t.Errorf("block 2 should be an unlabelled manifest: %+v", blocks[2])
	}
}

func TestCommandsKeepsPromptedLinesAndHeredocs(t *testing.T) {
	in := "$ kubectl get x\nNAME AGE\n$ kubectl apply -f - <<END\n> kind: A\n> END\nok\n$ kubectl patch a b \\\n  -p '{}'\n"
	want := "kubectl get x\n\nkubectl apply -f - <<END\nkind: A\nEND\n\nkubectl patch a b \\\n  -p '{}'\n"
	if got := string(Commands([]byte(in))); got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	plain := "kubectl get x\necho hi\n"
	if got := string(Commands([]byte(plain))); got != plain {
		t.Errorf("a block without prompts must not change: %q", got)
	}
}

func TestHeredocDelimiter(t *testing.T) {
	for line, want := range map[string]string{
		"kubectl apply -f - <<END":         "END",
		"cat <<-'YAML' | kubectl apply":    "YAML",
		`kubectl apply -f - << "STOP"`:     "STOP",
		"kubectl apply -f - <<< 'kind: X'": "",
		"kubectl get pods":                 "",
	} {
		if got := heredocDelimiter(line); got != want {
			t.Errorf("%q: got %q, want %q", line, got, want)
		}
	}
}

func TestMarkdownScanner(t *testing.T) {
	md := "```yaml\napiVersion: policy.openservicemesh.io/v1alpha1\nkind: Egress\nmetadata: {name: a}\n```\n\n" +
		"```sh\nRun this: it is prose in a shell block (\nkubectl patch meshconfig osm-mesh-config --type=merge -p '{\"spec\":{}}'\n```\n\n" +
		"```yaml\nsome: [broken\n```\n"
	var got []string
	sc := &Scanner{Bases: stubBases{}, Emit: func(d *Document) error {
		got = append(got, d.Kind()+"@"+itoa(d.Line))
		return nil
	}}
	if err := sc.Markdown("r.md", []byte(md)); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "Egress@2,MeshConfig@9" {
		t.Errorf("got %v", got)
	}
	err := sc.Markdown("r.md", []byte("```yaml\napiVersion: v1\nkind: Egress\nmetadata: [\n```\n"))
	if pe, ok := err.(*ParseError); !ok || pe.Line < 2 {
		t.Errorf("a broken manifest block is an error with its line: %v", err)
	}
}

func TestPlaceholders(t *testing.T) {
	const v = "${MESHGUARD_PLACEHOLDER}"
	in := strings.Join([]string{
		"kubectl patch meshconfig osm-mesh-config -n <osm-namespace> -p '{}' --type=merge",
		"kubectl get pods --namespace=<ns>",
		"cat <<EOF | kubectl apply -f -",
		"metadata: {namespace: <your-ns>}",
		"EOF",
		"kubectl patch meshconfig \\",
		"  <name> -n <ns> \\",
		"  -p '{}'",
		"echo a<b> <c>d <1x> kubectl",
		`kubectl patch meshconfig x -p '{"spec":{"sidecar":{"logLevel":"<level>"}}}'`,
		`kubectl patch meshconfig x -p "{\"spec\":{\"sidecar\":{\"logLevel\":\"<level>\"}}}"`,
		`kubectl patch meshconfig x --type=json -p '[{"op":"add","path":"/spec/x","value": <max> }]'`,
		`kubectl patch meshconfig x -p '{"spec":`,
		`  {"sidecar":{"logLevel":"<level>"}}}'`,
		`kubectl get x # it's <fine>`,
		`no <command> here`,
	}, "\n")
	want := strings.Join([]string{
		`kubectl patch meshconfig osm-mesh-config -n "` + v + `" -p '{}' --type=merge`,
		`kubectl get pods --namespace="` + v + `"`,
		"cat <<EOF | kubectl apply -f -",
		"metadata: {namespace: <your-ns>}",
		"EOF",
		"kubectl patch meshconfig \\",
		`  "` + v + `" -n "` + v + `" \`,
		"  -p '{}'",
		"echo a<b> <c>d <1x> kubectl",
		`kubectl patch meshconfig x -p '{"spec":{"sidecar":{"logLevel":"'"` + v + `"'"}}}'`,
		`kubectl patch meshconfig x -p "{\"spec\":{\"sidecar\":{\"logLevel\":\"` + v + `\"}}}"`,
		`kubectl patch meshconfig x --type=json -p '[{"op":"add","path":"/spec/x","value": '"` + v + `"' }]'`,
		`kubectl patch meshconfig x -p '{"spec":`,
		`  {"sidecar":{"logLevel":"'"` + v + `"'"}}}'`,
		`kubectl get x # it's <fine>`,
		`no <command> here`,
	}, "\n")
	if got := string(Placeholders([]byte(in))); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// TestMarkdownPlaceholderNamespace: a documentation command with a
// <placeholder> namespace is checked, its patch not lost to the shell
// reading the placeholder as redirections.
func TestMarkdownPlaceholderNamespace(t *testing.T) {
	md := "```console\nkubectl patch meshconfig osm-mesh-config -n <osm-namespace> -p '{\"spec\":{\"traffic\":{\"enableEgress\":false}}}' --type=merge\n```\n"
	var got []string
	sc := &Scanner{Bases: stubBases{}, Emit: func(d *Document) error {
		got = append(got, describe(d))
		return nil
	}}
	if err := sc.Markdown("r.md", []byte(md)); err != nil {
		t.Fatal(err)
	}
	if want := "2 MeshConfig  merge false"; len(got) != 1 || got[0] != want {
		t.Errorf("got %q, want [%q]", got, want)
	}
}

// TestMarkdownCommandsUnderYAML: documentation often labels a kubectl apply
// of a here-document with the manifest's language; the block is read as
// the command it is.
func TestMarkdownCommandsUnderYAML(t *testing.T) {
	md := "```yaml\n# apply it\nkubectl apply -f - <<EOF\napiVersion: policy.openservicemesh.io/v1alpha1\nkind: Egress\nmetadata: {name: a}\nEOF\n```\n"
	var got []string
	sc := &Scanner{Bases: stubBases{}, Emit: func(d *Document) error {
		got = append(got, d.Kind()+"@"+itoa(d.Line))
		return nil
	}}
	if err := sc.Markdown("r.md", []byte(md)); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "Egress@4" {
		t.Errorf("got %v", got)
	}
}

// TestMarkdownCommandsUnderOtherLanguages: documentation puts kubectl under
// the label of its own tooling (Microsoft's azurecli-interactive); such a
// block is read when a line is a kubectl command, and left alone otherwise.
// A PowerShell block is not read: its quoting ('{\"a\":1}') is not POSIX.
func TestMarkdownCommandsUnderOtherLanguages(t *testing.T) {
	md := "```azurecli-interactive\naz aks get-credentials -g rg -n aks\nkubectl apply -f - <<EOF\napiVersion: policy.openservicemesh.io/v1alpha1\nkind: Egress\nmetadata: {name: a}\nEOF\n```\n\n" +
		"```console\n$ kubectl apply -f - <<EOF\napiVersion: policy.openservicemesh.io/v1alpha1\nkind: Egress\nmetadata: {name: b}\nEOF\n```\n\n" +
		"```powershell\nkubectl patch meshconfig osm-mesh-config -p '{\\\"spec\\\":{}}' --type=merge\n```\n\n" +
		"```python\nprint('kubectl apply -f x.yaml')\n```\n"
	var got []string
	sc := &Scanner{Bases: stubBases{}, Emit: func(d *Document) error {
		got = append(got, d.Name()+"@"+itoa(d.Line))
		return nil
	}}
	if err := sc.Markdown("r.md", []byte(md)); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "a@4,b@12" {
		t.Errorf("got %v", got)
	}
}

// TestMarkdownBrokenSnippets: in Markdown a here-document or YAML block that
// does not parse is an error only when it names an object meshguard judges;
// in a script it always is.
func TestMarkdownBrokenSnippets(t *testing.T) {
	judged := func(apiVersion, kind string) bool { return strings.HasPrefix(apiVersion, "policy.openservicemesh.io/") }
	// Badly indented, as in documentation pasted from elsewhere.
	broken := func(apiVersion, kind string) string {
		return "kind: " + kind + "\napiVersion: " + apiVersion + "\nmetadata:\nname: x\n  namespace: y\nspec:\nsources:\n    - kind: ServiceAccount\n    name: a\n"
	}
	smi := broken("access.smi-spec.io/v1alpha3", "TrafficTarget")
	egress := broken("policy.openservicemesh.io/v1alpha1", "Egress")
	heredoc := func(yaml string) string { return "kubectl apply -f - <<EOF\n" + yaml + "EOF\n" }
	for _, tc := range []struct {
		name, md string
		fails    bool
	}{
		{"an SMI here-document", "```bash\n" + heredoc(smi) + "```\n", false},
		{"an Egress here-document", "```bash\n" + heredoc(egress) + "```\n", true},
		{"an SMI YAML block", "```yaml\n" + smi + "```\n", false},
		{"an Egress YAML block", "```yaml\n" + egress + "```\n", true},
	} {
		sc := &Scanner{Bases: stubBases{}, Emit: func(*Document) error { return nil }, Judged: judged}
		if err := sc.Markdown("r.md", []byte(tc.md)); (err != nil) != tc.fails {
			t.Errorf("%s: error %v, want an error: %v", tc.name, err, tc.fails)
		}
	}
	sc := &Scanner{Bases: stubBases{}, Emit: func(*Document) error { return nil }, Judged: judged}
	if err := sc.Shell("s.sh", []byte(heredoc(smi))); err == nil {
		t.Error("a script's here-document that does not parse is an error")
	}
}

// TestMarkdownInlineCommands: a kubectl patch quoted in a sentence or a
// table is checked at its line, as a dry run (an example, not a step of the
// runbook); other inline commands, a patch without one and prose are not.
func TestMarkdownInlineCommands(t *testing.T) {
	md := "# Settings\n\n" +
		"| Key | Command |\n|-----|---------|\n" +
		"| a | `kubectl patch meshconfig osm-mesh-config -n <osm-namespace> -p '{\"spec\":{\"traffic\":{\"enableEgress\":\"true\"}}}' --type=merge` |\n" +
		"| b | `$ kubectl patch meshconfig osm-mesh-config -n osm-system\n--type=merge -p '{\"spec\":{}}'` |\n\n" +
		"Use `kubectl patch` or `kubectl patch meshconfig osm-mesh-config -n osm-system` with a patch, " +
		"`kubectl edit meshconfig osm-mesh-config`, `kubectl apply -f egress.yaml`, `kubectl get meshconfig`, " +
		"`osm install --set osm.enableEgress=false`, `kubectl patch meshconfig x -p '{`, `kubectl patch meshconfig x --type=merge -p` and `kubectl`.\n\n" +
		"```bash\nkubectl patch meshconfig osm-mesh-config -n osm-system --type=merge -p '{\"spec\":{}}'\n```\n"
	var got []string
	var refs []string
	sc := &Scanner{Bases: stubBases{}, Emit: func(d *Document) error {
		got = append(got, d.Kind()+"@"+itoa(d.Line)+" "+d.Namespace()+" dry="+strconv.FormatBool(d.DryRun))
		return nil
	}, Ref: func(r Ref) { refs = append(refs, r.Path) }}
	if err := sc.Markdown("r.md", []byte(md)); err != nil {
		t.Fatal(err)
	}
	want := []string{"MeshConfig@5  dry=true", "MeshConfig@6 osm-system dry=true", "MeshConfig@12 osm-system dry=false"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("documents:\n got %q\nwant %q", got, want)
	}
	if len(refs) > 0 {
		t.Errorf("an inline kubectl apply is not a step of the runbook: refs %v", refs)
	}
}

// TestPlaceholderTokensAreStable: a runbook is read more than once, and a
// token must stand for the same <placeholder> each time; they were numbered
// in map order, and a message named <sa> where <namespace> was meant.
func TestPlaceholderTokensAreStable(t *testing.T) {
	obj := func() *Document {
		return &Document{File: "g.md", Line: 2, Object: map[string]any{"metadata": map[string]any{"namespace": "<namespace>", "name": "e1"},
			"spec": map[string]any{"sources": []any{map[string]any{"name": "<sa>", "namespace": "<namespace>"}}, "hosts": []any{"<host>"}, "a": "<a>", "z": "<z>"}}}
	}
	first := obj()
	markPlaceholders(first)
	for i := 0; i < 20; i++ {
		d := obj()
		markPlaceholders(d)
		if !reflect.DeepEqual(d.Object, first.Object) || !reflect.DeepEqual(d.Unknown, first.Unknown) {
			t.Fatalf("read %d: %v, first %v", i, d.Unknown, first.Unknown)
		}
	}
	if ns := first.Object["metadata"].(map[string]any)["namespace"].(string); first.Unknown[ns] != "<namespace>" {
		t.Errorf("namespace token %q stands for %q", ns, first.Unknown[ns])
	}
}
