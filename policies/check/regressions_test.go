package check_test

// Cases a review of the readers of here-documents, kustomize overlays and
// Markdown found wrong; each test says what was.

import (
	"context"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/meshguard/meshguard/policies/check"
	"github.com/meshguard/meshguard/policies/report"
)

func runTree(t *testing.T, files map[string]string) (report.Result, []string) {
	t.Helper()
	ctx := context.Background()
	e := newEngine(t)
	dir := t.TempDir()
	writeTree(t, dir, files)
	t.Chdir(dir)
	res, err := check.Run(ctx, e, check.Options{Paths: []string{"."}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range res.Findings {
		got = append(got, f.Rule+"@"+f.File+":"+strconv.Itoa(f.Line)+" "+f.Message)
	}
	return res, got
}

func hasFinding(got []string, prefix string) bool {
	for _, g := range got {
		if strings.HasPrefix(g, prefix) {
			return true
		}
	}
	return false
}

const heredocEgress = "kubectl apply -f - <<EOF\napiVersion: policy.openservicemesh.io/v1alpha1\nkind: Egress\n"

// 13797de: a misspelled field whose value holds an expansion is dropped as
// "a field that holds a placeholder": MG2001 is lost, exit 0.
func TestTypoNextToAnExpansionIsDenied(t *testing.T) {
	_, got := runTree(t, map[string]string{"run.sh": heredocEgress +
		"metadata: {name: db, namespace: curl}\nspec:\n  sources: [{kind: ServiceAccount, name: curl, namespace: curl}]\n" +
		"  ipAdresses:\n  - ${DB_IP}/32\n  ports: [{number: 5432, protocol: tcp}]\nEOF\n"})
	if !hasFinding(got, "MG2001@run.sh:7") {
		t.Errorf("findings %q, want MG2001 for spec.ipAdresses at line 7", got)
	}
}

// 13797de: any YAML error in a here-document that has an expansion anywhere
// becomes MG0003 info (exit 0) instead of an input error.
func TestBrokenHereDocumentWithAVariableIsAnError(t *testing.T) {
	res, got := runTree(t, map[string]string{"run.sh": heredocEgress +
		"metadata:\n  name: db\n  namespace: $NS\nspec:\n  sources:\n  - kind: ServiceAccount\n    name: curl\n     namespace: curl\nEOF\n"})
	if len(res.Errors) == 0 {
		t.Errorf("no input error; findings %q", got)
	}
}

// 13797de: an expansion spanning lines is collapsed to one placeholder, so
// every line below it in the body is reported too high.
func TestLinesAfterAMultiLineExpansion(t *testing.T) {
	_, got := runTree(t, map[string]string{"run.sh": heredocEgress +
		"metadata:\n  name: db\n  namespace: curl\n  labels:\n    owner: \"$(whoami |\n      tr a-z A-Z)\"\n" +
		"spec:\n  sources: [{kind: ServiceAccount, name: curl, namespace: curl}]\n  ipAddresses: [10.0.0.1/32]\n" +
		"  ports:\n  - number: 5432\n    protocol: grpc\nEOF\n"})
	if !hasFinding(got, "MG2003@run.sh:15") {
		t.Errorf("findings %q, want MG2003 at line 15 (protocol: grpc)", got)
	}
}

// 13797de + 6ec0ad9: placeholders leak into messages of other objects and of
// the MG0003 stand-in, and are numbered per here-document, so two Egress
// policies named $A and $B become one id.
func TestPlaceholdersDoNotLeak(t *testing.T) {
	eg := func(name, ip string) string {
		return heredocEgress + "metadata: {name: " + name + ", namespace: curl}\nspec:\n" +
			"  sources: [{kind: ServiceAccount, name: curl, namespace: curl}]\n  ipAddresses: [" + ip + "]\n  ports: [{number: 5432, protocol: tcp}]\nEOF\n"
	}
	_, got := runTree(t, map[string]string{
		"a.sh": eg("$A", "10.0.0.1/32") + eg("$B", "10.0.0.2/32") +
			"kubectl apply -f - <<EOF\napiVersion: config.openservicemesh.io/v1alpha2\nkind: MeshConfig\n" +
			"metadata: {name: osm-mesh-config, namespace: osm-system}\nspec:\n  featureFlags: {enableEgressPolicy: false}\nEOF\n",
		"b.sh": heredocEgress + "metadata:\n  name: $NAME\n  namespace: curl\nspec:\n$(cat spec.yaml | sed 's/^/  /')\nEOF\n",
	})
	for _, g := range got {
		if strings.Contains(g, "MESHGUARD_UNKNOWN") {
			t.Errorf("placeholder in %q", g)
		}
	}
	if !hasFinding(got, "MG3003@a.sh:") {
		t.Errorf("findings %q, want MG3003", got)
	}
}

// 4ae3ecb: a file that is a resource of the kustomization as well as a
// patch loses its whole-object checks and leaves the cluster view (its
// enableEgress: false is forgotten, so the base Egress gets MG3001).
func TestKustomizeResourceThatIsAlsoAPatch(t *testing.T) {
	_, got := runTree(t, map[string]string{
		"base/kustomization.yaml": "resources: [egress.yaml]\n",
		"base/egress.yaml": "apiVersion: policy.openservicemesh.io/v1alpha1\nkind: Egress\nmetadata: {name: httpbin, namespace: curl}\n" +
			"spec:\n  sources: [{kind: ServiceAccount, name: curl, namespace: curl}]\n  hosts: [httpbin.org]\n  ports: [{number: 443, protocol: https}]\n",
		"overlay/kustomization.yaml": "resources: [../base, mesh.yaml]\npatches:\n- path: mesh.yaml\n",
		"overlay/mesh.yaml": "apiVersion: config.openservicemesh.io/v1alpha2\nkind: MeshConfig\nmetadata: {name: osm-mesh-config, namespace: osm-system}\n" +
			"spec:\n  sidecar: {logLevel: error}\n  traffic:\n    enableEgress: false\n",
	})
	if !hasFinding(got, "MG1012@overlay/mesh.yaml") || hasFinding(got, "MG3001@base/egress.yaml") {
		t.Errorf("findings %q, want MG1012 on mesh.yaml (a resource) and no MG3001", got)
	}
}

// 4ae3ecb: strategic-merge directives kustomize honours ($patch,
// $retainKeys) are denied as unknown fields.
func TestKustomizeDirectivesAreNotFields(t *testing.T) {
	_, got := runTree(t, map[string]string{
		"overlay/kustomization.yaml": "resources: [../base]\npatches:\n- path: drop.yaml\n- path: keys.yaml\n",
		"overlay/drop.yaml":          "apiVersion: policy.openservicemesh.io/v1alpha1\nkind: Egress\nmetadata: {name: httpbin, namespace: curl}\n$patch: delete\n",
		"overlay/keys.yaml": "apiVersion: config.openservicemesh.io/v1alpha2\nkind: MeshConfig\nmetadata: {name: osm-mesh-config, namespace: osm-system}\n" +
			"spec:\n  traffic:\n    $retainKeys: [enableEgress]\n    enableEgress: false\n    outboundPortExclusionList:\n    - $patch: replace\n    - 6379\n  sidecar:\n    logLevl: debug\n",
	})
	if hasFinding(got, "MG2001@") || hasFinding(got, "MG1001@overlay/keys.yaml:7") || hasFinding(got, "MG1002@") {
		t.Errorf("findings %q: a directive is taken for a field", got)
	}
	if !hasFinding(got, "MG1001@overlay/keys.yaml:12") {
		t.Errorf("findings %q: the misspelled logLevl beside the directives is not denied", got)
	}
}

// 069be45: a powershell block was parsed as bash; PowerShell's quoting of
// JSON for native commands ('{\"spec\":...}') became an input error, exit 2.
func TestPowerShellBlocksAreNotReadAsShell(t *testing.T) {
	res, got := runTree(t, map[string]string{"page.md": "```powershell\n" +
		`kubectl patch meshconfig osm-mesh-config -n osm-system --type=merge -p '{\"spec\":{\"traffic\":{\"enableEgress\":false}}}'` + "\n```\n"})
	if len(res.Errors) > 0 {
		t.Errorf("input errors %+v (findings %q)", res.Errors, got)
	}
}

// An unquoted here-document drops the backslash of \$: "\${IP}/32" is the
// literal text ${IP}/32, no expansion, and judged as such.
func TestEscapedDollarInAHereDocument(t *testing.T) {
	res, got := runTree(t, map[string]string{"run.sh": heredocEgress +
		"metadata: {name: db, namespace: curl}\nspec:\n  sources: [{kind: ServiceAccount, name: curl, namespace: curl}]\n" +
		"  ipAddresses:\n  - \"\\${IP}/32\"\n  ports: [{number: 5432, protocol: tcp}]\nEOF\n"})
	if len(res.Errors) > 0 {
		t.Fatalf("input errors %+v", res.Errors)
	}
	if !hasFinding(got, "MG2002@run.sh:8 spec.ipAddresses[0]: Invalid value: \"${IP}/32\"") {
		t.Errorf("findings %q, want the literal ${IP}/32 denied", got)
	}
}

// A here-string or an echo into kubectl with a variable is read as a
// here-document is: its typo denied, the variable's value not judged.
func TestHereStringsWithVariables(t *testing.T) {
	egress := `apiVersion: policy.openservicemesh.io/v1alpha1
kind: Egress
metadata: {name: db, namespace: $NS}
spec:
  sources: [{kind: ServiceAccount, name: curl, namespace: curl}]
  ipAdresses: [10.0.0.1/32]
  ports: [{number: 5432, protocol: tcp}]`
	res, got := runTree(t, map[string]string{"run.sh": "kubectl apply -f - <<< \"" + egress + "\"\necho \"" + egress + "\" | kubectl apply -f -\n"})
	if len(res.Errors) > 0 {
		t.Fatalf("input errors %+v", res.Errors)
	}
	if !hasFinding(got, "MG2001@run.sh:6") || !hasFinding(got, "MG2001@run.sh:13") {
		t.Errorf("findings %q, want the misspelled ipAdresses denied in both", got)
	}
	for _, g := range got {
		if strings.Contains(g, "MESHGUARD") {
			t.Errorf("placeholder in %q", g)
		}
	}
}

const hereEgressHead = "apiVersion: policy.openservicemesh.io/v1alpha1\nkind: Egress\n"

// 4c43000 read here-strings and echo/printf pipes with variables, but a
// value that is the whole manifest ("$X") is not a "writes lines" expansion
// there (wordValue ignores aloneOnLine): the most common idioms are now an
// input error, exit 2 (exit 0 at 73a6e06).
func TestHereStringOfAWholeVariableIsNotAnError(t *testing.T) {
	for _, script := range []string{
		"kubectl apply -f - <<< \"$MANIFEST\"\n",
		"echo \"$MANIFEST\" | kubectl apply -f -\n",
		"printf '%s\\n' \"$MANIFEST\" | kubectl apply -f -\n",
		"kubectl apply -f - <<< \"" + hereEgressHead + "${REST}\"\n",
	} {
		res, got := runTree(t, map[string]string{"run.sh": script})
		if len(res.Errors) > 0 {
			t.Errorf("%q: input errors %+v (findings %q)", script, res.Errors, got)
		}
	}
}

// withoutUnknown drops every finding whose message quotes an unknown value
// of the object, whatever field the finding is about: MG2003 on a
// misspelled protocol is lost because its message names the port, $PORT
// (exit 0; 73a6e06 denied it).
func TestTypoKeptWhenItsMessageNamesAnUnknownValue(t *testing.T) {
	_, got := runTree(t, map[string]string{"run.sh": "kubectl apply -f - <<EOF\n" + hereEgressHead +
		"metadata: {name: db, namespace: curl}\nspec:\n  sources: [{kind: ServiceAccount, name: curl, namespace: curl}]\n" +
		"  hosts: [httpbin.org]\n  ports:\n  - number: $PORT\n    protocol: htttp\nEOF\n"})
	if !hasFinding(got, "MG2003@run.sh:10") {
		t.Errorf("findings %q, want MG2003 for protocol htttp at line 10", got)
	}
}

// withoutUnknown walks keys as a.b.c, rules name annotation paths
// metadata.annotations["openservicemesh.io/..."]: an annotation whose value
// is a variable is denied (exit 1), and so is a Deployment in a Namespace
// whose injection annotation is one (the value is another object's).
func TestAnnotationFromAVariableIsNotJudged(t *testing.T) {
	_, got := runTree(t, map[string]string{"run.sh": "kubectl apply -f - <<EOF\napiVersion: v1\nkind: Namespace\n" +
		"metadata:\n  name: shop\n  annotations:\n    openservicemesh.io/sidecar-injection: $INJECT\nEOF\n" +
		"kubectl apply -f - <<EOF\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: shop\n  annotations:\n" +
		"    openservicemesh.io/outbound-port-exclusion-list: \"$PORTS\"\nspec:\n  containers: [{name: a, image: a}]\nEOF\n"})
	for _, g := range got {
		if strings.HasPrefix(g, "MG4001") || strings.HasPrefix(g, "MG4003") {
			t.Errorf("an unknown value is judged: %q", g)
		}
	}
}

// named() fixes messages only: Entry.Name and Entry.Namespace (JSON name
// and namespace, SARIF fullyQualifiedName, JUnit testcase name) still hold
// the placeholders, and so do input errors that quote a value.
func TestNoPlaceholderInEntriesOrErrors(t *testing.T) {
	res, _ := runTree(t, map[string]string{
		"a.sh": "kubectl apply -f - <<EOF\n" + hereEgressHead + "metadata:\n  name: ${NAME}\n  namespace: $NS\nspec:\n  portz: 1\nEOF\n",
		"b.sh": "kubectl apply -f - <<EOF\n" + hereEgressHead + "metadata:\n  name: *$A\nEOF\n",
	})
	for _, f := range res.Findings {
		if strings.Contains(f.Name+f.Namespace, "MESHGUARD") {
			t.Errorf("placeholder in entry %s/%s (%s)", f.Namespace, f.Name, f.Rule)
		}
	}
	for _, e := range res.Errors {
		if strings.Contains(e.Message, "MESHGUARD") {
			t.Errorf("placeholder in input error %q", e.Message)
		}
	}
}

// expandHdoc keeps the lines a multi-line expansion or a continuation takes;
// wordValue (here-strings, echo) does not: findings below are too high.
func TestHereStringLinesBelowAMultiLineExpansion(t *testing.T) {
	_, got := runTree(t, map[string]string{"run.sh": "kubectl apply -f - <<< \"" + hereEgressHead +
		"metadata:\n  name: x\n  namespace: curl\n  labels:\n    a: $(echo one\ntwo)\n    b: lo\\\nng\nspec:\n  portz: 1\n\"\n"})
	if !hasFinding(got, "MG2001@run.sh:12") {
		t.Errorf("findings %q, want MG2001 at line 12 (portz)", got)
	}
}

// With CRLF line ends the closing "EOF\r" line is
// kept in the body (literal(r.Word) is "EOF"), so every here-document of a
// CRLF script or runbook is an input error.
func TestCRLFHereDocument(t *testing.T) {
	res, got := runTree(t, map[string]string{"run.sh": strings.ReplaceAll("kubectl apply -f - <<EOF\n"+hereEgressHead+
		"metadata: {name: x, namespace: curl}\nspec:\n  portz: 1\nEOF\n", "\n", "\r\n")})
	if len(res.Errors) > 0 || !hasFinding(got, "MG2001@run.sh:6") {
		t.Errorf("errors %+v findings %q, want MG2001 at line 6", res.Errors, got)
	}
}

// eaa6093 review: what cat sends is what bash makes of its words. A
// pattern matches in the script's folder however the script is named
// (deploy/run.sh here, read from the folder above), not a dotfile, and a
// quoted pattern is no pattern; braces list files too.
func TestCatSendsWhatBashExpands(t *testing.T) {
	egress := func(name, protocol string) string {
		return "---\napiVersion: policy.openservicemesh.io/v1alpha1\nkind: Egress\nmetadata: {name: " + name + ", namespace: app}\n" +
			"spec:\n  sources: [{kind: ServiceAccount, name: api, namespace: app}]\n  hosts: [example.com]\n  ports: [{number: 443, protocol: " + protocol + "}]\n"
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"deploy/run.sh":       "cat *.yaml | kubectl apply -f -\ncat '*.yaml' | kubectl apply -f -\ncat {b,c}.yaml | kubectl apply -f -\n",
		"deploy/a.yaml":       egress("a", "htps"),
		"deploy/b.yaml":       egress("b", "https"),
		"deploy/c.yaml":       egress("c", "hhtp"),
		"deploy/.hidden.yaml": egress("hidden", "grpc"),
	})
	t.Chdir(dir)
	// Only the script is named: the manifests are read because it sends them.
	res, err := check.Run(context.Background(), newEngine(t), check.Options{Paths: []string{"deploy/run.sh"}})
	if err != nil {
		t.Fatal(err)
	}
	var denied, got []string
	for _, f := range res.Findings {
		got = append(got, f.Rule+"@"+f.File+":"+strconv.Itoa(f.Line))
		if f.Rule == "MG2003" {
			denied = append(denied, f.Rule+"@"+f.File+":"+strconv.Itoa(f.Line))
		}
	}
	sort.Strings(denied)
	if want := "MG2003@deploy/a.yaml:8 MG2003@deploy/c.yaml:8"; strings.Join(denied, " ") != want {
		t.Errorf("MG2003 at %v, want %s\n%q", denied, want, got)
	}
}

// 3faa2f4 review: a MeshConfig osm-edge never reads (not named
// osm-mesh-config, MG1005) governs nothing: the Egress beside it is judged
// against the install defaults, passthrough on.
func TestMeshConfigNeverReadGovernsNothing(t *testing.T) {
	_, got := runTree(t, map[string]string{
		"other.yaml":  "apiVersion: config.openservicemesh.io/v1alpha2\nkind: MeshConfig\nmetadata: {name: other-config, namespace: osm-system}\nspec:\n  traffic: {enableEgress: false, interceptionMode: iptables}\n",
		"egress.yaml": "apiVersion: policy.openservicemesh.io/v1alpha1\nkind: Egress\nmetadata: {name: httpbin, namespace: curl}\nspec:\n  sources: [{kind: ServiceAccount, name: curl, namespace: curl}]\n  hosts: [httpbin.org]\n  ports: [{number: 443, protocol: https}]\n",
	})
	if !hasFinding(got, "MG1005@other.yaml") || !hasFinding(got, "MG3001@egress.yaml:1 Egress curl/httpbin restricts nothing: spec.traffic.enableEgress is true in MeshConfig osm-system/osm-mesh-config") {
		t.Errorf("findings %q, want MG1005 on other.yaml and MG3001 against the defaults on egress.yaml", got)
	}
}

// An input error in one command of a script or runbook (a patch that is
// neither JSON nor YAML) used to end the reading of the file: the commands
// after it went unchecked. Each is now an error at its line, and the rest
// is read.
func TestInputErrorsDoNotHideTheRestOfAScript(t *testing.T) {
	const bad = "kubectl patch meshconfig osm-mesh-config -n osm-system --type=merge -p '{bad'\n"
	const typo = "kubectl patch meshconfig osm-mesh-config -n osm-system --type=merge -p '{\"spec\":{\"traffic\":{\"enableEngress\":false}}}'\n"
	res, got := runTree(t, map[string]string{
		"run.sh": bad + typo + bad,
		"run.md": "```bash\n" + bad + "```\n\n```bash\n" + typo + "```\n\nInline: `" + strings.TrimSpace(bad) + "`.\n",
	})
	var errs []string
	for _, e := range res.Errors {
		errs = append(errs, e.File+":"+strconv.Itoa(e.Line))
	}
	sort.Strings(errs)
	if want := "run.md:2 run.md:9 run.sh:1 run.sh:3"; strings.Join(errs, " ") != want {
		t.Errorf("input errors at %v, want %s", errs, want)
	}
	if !hasFinding(got, "MG1001@run.sh:2") || !hasFinding(got, "MG1001@run.md:6") {
		t.Errorf("the typo after an input error is not reported: %q", got)
	}
}

// A script that writes a manifest with a here-document and applies the
// file was passed over (0 documents, exit 0), and a MeshConfig written so
// did not turn passthrough off for the Egress policies below it; a file of
// that name on disk was read instead.
func TestScriptAppliesTheFileItWrote(t *testing.T) {
	res, got := runTree(t, map[string]string{
		"egress.yaml": "apiVersion: policy.openservicemesh.io/v1alpha1\nkind: Egress\nmetadata: {name: old, namespace: curl}\n" +
			"spec:\n  sources: [{kind: ServiceAccount, name: curl, namespace: curl}]\n  hosts: [a.example.com]\n  ports: [{number: 80, protocol: http}]\n",
		"run.sh": "cat <<'EOF' > mc.yaml\n" +
			"apiVersion: config.openservicemesh.io/v1alpha2\nkind: MeshConfig\nmetadata: {name: osm-mesh-config, namespace: osm-system}\n" +
			"spec:\n  traffic: {enableEgress: false}\nEOF\n" + // 1-7
			"kubectl apply -f mc.yaml\n" + // 8
			"cat > egress.yaml <<EOF\n" + // 9
			"apiVersion: policy.openservicemesh.io/v1alpha1\nkind: Egress\nmetadata: {name: grpc, namespace: curl}\n" +
			"spec:\n  sources: [{kind: ServiceAccount, name: curl, namespace: curl}]\n  hosts: [a.example.com]\n" +
			"  ports: [{number: 80, protocol: grpc}]\nEOF\n" + // 10-17
			"kubectl apply -f egress.yaml\n", // 18
	})
	if !hasFinding(got, "MG2003@run.sh:16") {
		t.Errorf("findings %q, want MG2003 at the here-document's line 16", got)
	}
	for _, g := range got {
		if strings.HasPrefix(g, "MG3001@run.sh") {
			t.Errorf("finding %q: the script's MeshConfig turned passthrough off above", g)
		}
	}
	if res.Summary.Deny == 0 {
		t.Errorf("summary %+v, want a deny", res.Summary)
	}
}

// A script's osm namespace add and kubectl label of a Namespace it applied
// did not change the view: a pod osm-edge rejects passed, and a policy in a
// namespace the script had just added to the mesh was warned unmonitored
// (MG3004). A cleanup's osm namespace remove, below the policies of the
// namespace, must not make them unmonitored; a namespace added with
// injection disabled injects no pod.
func TestScriptNamespaceChangesReachTheView(t *testing.T) {
	ns := func(name, meta string) string {
		return "kubectl apply -f - <<EOF\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + name + "\n" + meta + "EOF\n"
	}
	pod := func(name string) string {
		return "kubectl apply -f - <<EOF\napiVersion: v1\nkind: Pod\nmetadata:\n  name: app\n  namespace: " + name + "\n" +
			"  annotations: {openservicemesh.io/outbound-port-exclusion-list: \"6379;7070\"}\nspec:\n  containers: [{name: app, image: app}]\nEOF\n"
	}
	egress := "kubectl apply -f - <<EOF\napiVersion: policy.openservicemesh.io/v1alpha1\nkind: Egress\nmetadata: {name: e, namespace: curl}\n" +
		"spec:\n  sources: [{kind: ServiceAccount, name: curl, namespace: curl}]\n  hosts: [a.example.com]\n  ports: [{number: 80, protocol: http}]\nEOF\n"
	_, got := runTree(t, map[string]string{
		"added.sh": ns("bookstore", "") + "osm namespace add bookstore\n" + pod("bookstore"),
		"removed.sh": "osm install --set osm.enableEgress=false\n" + ns("shop", "  labels: {openservicemesh.io/monitored-by: osm}\n") +
			strings.ReplaceAll(egress, "curl", "shop") + "osm namespace remove shop\n",
		"disabled.sh": ns("books", "") + "osm namespace add books --disable-sidecar-injection\n" + pod("books"),
		"labelled.sh": "osm install --set osm.enableEgress=false\n" + ns("curl", "") +
			"kubectl label namespace curl openservicemesh.io/monitored-by=osm\n" + egress,
	})
	if !hasFinding(got, "MG4003@added.sh:") {
		t.Errorf("findings %q, want MG4003 for the pod in the namespace osm namespace add put in the mesh", got)
	}
	for _, g := range got {
		if strings.HasPrefix(g, "MG3004@removed.sh") || strings.HasPrefix(g, "MG3004@labelled.sh") || strings.HasPrefix(g, "MG4003@disabled.sh") {
			t.Errorf("finding %q: the script changed the namespace", g)
		}
	}
}

// kubectl label without --overwrite refuses to change a label's value, and
// changes nothing: it was applied, and a policy in a namespace osm
// namespace add had put in the mesh was warned unmonitored (MG3004).
func TestLabelWithoutOverwriteChangesNothing(t *testing.T) {
	egress := "kubectl apply -f - <<EOF\napiVersion: policy.openservicemesh.io/v1alpha1\nkind: Egress\nmetadata: {name: e, namespace: curl}\n" +
		"spec:\n  sources: [{kind: ServiceAccount, name: curl, namespace: curl}]\n  hosts: [a.example.com]\n  ports: [{number: 80, protocol: http}]\nEOF\n"
	ns := "kubectl apply -f - <<EOF\napiVersion: v1\nkind: Namespace\nmetadata: {name: curl}\nEOF\nosm namespace add curl\n"
	for _, tc := range []struct {
		flag     string
		unwanted bool
	}{{"", false}, {" --overwrite", true}} {
		dir := t.TempDir()
		writeTree(t, dir, map[string]string{"run.sh": ns + "kubectl label namespace curl openservicemesh.io/monitored-by=other" + tc.flag + "\n" + egress})
		res, err := check.Run(context.Background(), newEngine(t), check.Options{Paths: []string{filepath.Join(dir, "run.sh")}, MeshName: "osm"})
		if err != nil {
			t.Fatal(err)
		}
		got := false
		for _, f := range res.Findings {
			got = got || f.Rule == "MG3004"
		}
		if got != tc.unwanted {
			t.Errorf("label%s: MG3004 %v, want %v (%+v)", tc.flag, got, tc.unwanted, res.Findings)
		}
	}
}

// Documentation leaves <placeholders> for its reader to fill in; MG2012
// denied upstream onboarding guides for a source named "<app pod's service
// account name>". They are values meshguard does not know, in YAML blocks
// and here-documents alike; a misspelled field beside one is still denied.
func TestRunbookPlaceholdersAreNotValues(t *testing.T) {
	egress := "apiVersion: policy.openservicemesh.io/v1alpha1\nkind: Egress\nmetadata: {name: e, namespace: test}\nspec:\n" +
		"  sources:\n  - kind: ServiceAccount\n    name: <app pod's service account name>\n    namespace: <app namespace>\n" +
		"  hosts: [a.example.com]\n  ports: [{number: 80, protocol: http}]\n"
	_, got := runTree(t, map[string]string{
		"guide.md": "```yaml\n" + egress + "```\n\n```bash\nkubectl apply -f - <<EOF\n" + strings.Replace(egress, "hosts:", "hostz:", 1) + "EOF\n```\n",
	})
	for _, g := range got {
		if strings.HasPrefix(g, "MG2012") {
			t.Errorf("finding %q about a placeholder", g)
		}
	}
	if !hasFinding(got, "MG2001@guide.md:24") {
		t.Errorf("findings %q, want the misspelled hostz denied", got)
	}
}

// Run from the script's own folder (meshguard validate .), kubectl apply -f
// . of a folder the script wrote a manifest into found nothing: the
// folder's name, ".", and the written file's were not compared alike.
func TestScriptAppliesTheFolderItRunsIn(t *testing.T) {
	_, got := runTree(t, map[string]string{"run.sh": "cat <<'EOF' > egress.yaml\napiVersion: policy.openservicemesh.io/v1alpha1\nkind: Egress\n" +
		"metadata: {name: e1, namespace: curl}\nspec:\n  sources: [{kind: ServiceAccount, name: curl, namespace: curl}]\n" +
		"  hostz: [httpbin.org]\n  ports: [{number: 80, protocol: http}]\nEOF\nkubectl apply -f .\nkubectl apply -f ./egress.yaml\n"})
	n := 0
	for _, g := range got {
		if strings.HasPrefix(g, "MG2001@run.sh:7") {
			n++
		}
	}
	if n != 2 {
		t.Errorf("findings %q, want MG2001 for both applies", got)
	}
}

// A MeshConfig not named osm-mesh-config governs nothing (MG1005), but a
// script's patch of one turned passthrough off for the policies below it.
func TestPatchOfAnotherMeshConfigGovernsNothing(t *testing.T) {
	_, got := runTree(t, map[string]string{"run.sh": `kubectl patch meshconfig osm-mesh-config-staging -n osm-system --type merge -p '{"spec":{"traffic":{"enableEgress":false}}}'` + "\n" +
		"kubectl apply -f - <<EOF\napiVersion: policy.openservicemesh.io/v1alpha1\nkind: Egress\nmetadata: {name: e1, namespace: curl}\n" +
		"spec:\n  sources: [{kind: ServiceAccount, name: curl, namespace: curl}]\n  hosts: [httpbin.org]\n  ports: [{number: 80, protocol: http}]\nEOF\n"})
	if !hasFinding(got, "MG3001@run.sh:3") {
		t.Errorf("findings %q, want MG3001: the mesh's MeshConfig still has passthrough on", got)
	}
}
