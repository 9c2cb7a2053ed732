package check_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/meshguard/meshguard/policies/check"
)

// chartEgress parses as YAML, but as another object: the namespace is a map
// ({".Release.Namespace": null}), which the schema would deny.
const chartEgress = `apiVersion: policy.openservicemesh.io/v1alpha1
kind: Egress
metadata:
  name: httpbin
  namespace: {{ .Release.Namespace }}
spec:
  sources: [{kind: ServiceAccount, name: curl, namespace: curl}]
  hosts: [httpbin.org]
  ports: [{number: 443, protocol: https}]
`

// TestHelmChartTemplatesAreSkipped: a file under a Helm chart's templates
// folder that holds template actions is not a manifest. It is reported as
// skipped, with what to run instead, and neither judged nor an input error;
// the chart's plain files are checked as usual.
func TestHelmChartTemplatesAreSkipped(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
	grpc := strings.Replace(strings.Replace(chartEgress, "{{ .Release.Namespace }}", "curl", 1), "https", "grpc", 1)
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"charts/web/Chart.yaml":                     "apiVersion: v2\nname: web\nversion: 0.1.0\n",
		"charts/web/values.yaml":                    "egress: true\n",
		"charts/web/templates/egress.yaml":          "{{- if .Values.egress }}\n" + chartEgress + "{{- end }}\n",
		"charts/web/templates/parses.yaml":          chartEgress,
		"charts/web/templates/static.yaml":          grpc,
		"charts/web/charts/db/Chart.yaml":           "apiVersion: v2\nname: db\nversion: 0.1.0\n",
		"charts/web/charts/db/templates/a/b/e.yaml": chartEgress,
		// templates without a chart: read as YAML, as before
		"notachart/templates/broken.yaml": "{{- if .Values.egress }}\n" + chartEgress,
	})
	for _, tc := range []struct {
		name    string
		paths   []string
		skipped []string
		errors  []string
		rules   []string
	}{{
		name:    "a folder walk skips the templates and checks the rest",
		paths:   []string{dir},
		skipped: []string{"charts/web/charts/db/templates/a/b/e.yaml", "charts/web/templates/egress.yaml", "charts/web/templates/parses.yaml"},
		errors:  []string{"notachart/templates/broken.yaml:1"},
		rules:   []string{"MG2003@static.yaml", "MG3001@static.yaml"},
	}, {
		name:    "a template named on its own is skipped too",
		paths:   []string{filepath.Join(dir, "charts/web/templates/parses.yaml")},
		skipped: []string{"charts/web/templates/parses.yaml"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := check.Run(ctx, e, check.Options{Paths: tc.paths})
			if err != nil {
				t.Fatal(err)
			}
			rel := func(p string) string {
				r, err := filepath.Rel(dir, p)
				if err != nil {
					t.Fatal(err)
				}
				return filepath.ToSlash(r)
			}
			skipped := []string{}
			for _, s := range res.Skipped {
				skipped = append(skipped, rel(s.File))
				if !strings.Contains(s.Message, "helm template ") || !strings.Contains(s.Message, "| meshguard validate -") {
					t.Errorf("skipped message %q does not say what to run", s.Message)
				}
			}
			errs := []string{}
			for _, ie := range res.Errors {
				errs = append(errs, rel(ie.File)+":"+strconv.Itoa(ie.Line))
				if !strings.Contains(ie.Message, "helm template CHART") {
					t.Errorf("error %q gives no hint about templates", ie.Message)
				}
			}
			rules := []string{}
			for _, f := range res.Findings {
				rules = append(rules, f.Rule+"@"+filepath.Base(f.File))
			}
			sort.Strings(skipped)
			sort.Strings(rules)
			for _, c := range []struct {
				what      string
				got, want []string
			}{{"skipped", skipped, tc.skipped}, {"errors", errs, tc.errors}, {"findings", rules, tc.rules}} {
				if strings.Join(c.got, " ") != strings.Join(c.want, " ") {
					t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
				}
			}
			if res.Summary.Skipped != len(tc.skipped) {
				t.Errorf("summary counts %d skipped, want %d", res.Summary.Skipped, len(tc.skipped))
			}
		})
	}
}

// TestHelmTemplatesFoundWhateverTheName: a template is told by where it is
// on disk, not by how it is named: from inside the templates folder, or
// through a link to it.
func TestHelmTemplatesFoundWhateverTheName(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"chart/Chart.yaml":            "apiVersion: v2\nname: web\nversion: 0.1.0\n",
		"chart/templates/egress.yaml": "{{- if .Values.egress }}\n" + chartEgress + "{{- end }}\n",
	})
	if err := os.Symlink(filepath.Join(dir, "chart", "templates"), filepath.Join(dir, "tpl")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ cwd, path, chart string }{
		{"chart/templates", ".", ".."},
		{"chart/templates", "egress.yaml", ".."},
		{"chart", "templates", "."},
		{".", "tpl", "chart"},
		{".", "tpl/egress.yaml", "chart"},
	} {
		t.Run(tc.cwd+" "+tc.path, func(t *testing.T) {
			t.Chdir(filepath.Join(dir, tc.cwd))
			res, err := check.Run(ctx, e, check.Options{Paths: []string{tc.path}})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Skipped) != 1 || len(res.Errors) != 0 {
				t.Fatalf("skipped %+v, errors %+v; want the template skipped", res.Skipped, res.Errors)
			}
			if want := "helm template " + tc.chart + " |"; !strings.Contains(res.Skipped[0].Message, want) {
				t.Errorf("message %q does not say %q", res.Skipped[0].Message, want)
			}
		})
	}
}

// TestScriptApplyingATemplateIsNotSkipped: kubectl apply -f of a chart's
// template is a mistake in the script; the file is read as kubectl would
// read it, and reported, even when the folder walk also finds it.
func TestScriptApplyingATemplateIsNotSkipped(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"chart/Chart.yaml":            "apiVersion: v2\nname: web\nversion: 0.1.0\n",
		"chart/templates/egress.yaml": chartEgress,
		"deploy.sh":                   "kubectl apply -f chart/templates/egress.yaml\n",
	})
	t.Chdir(dir)
	for _, paths := range [][]string{{"deploy.sh"}, {"."}} {
		res, err := check.Run(ctx, e, check.Options{Paths: paths})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Errors) != 1 || len(res.Skipped) != 0 || !strings.Contains(res.Errors[0].Message, "helm template CHART") {
			t.Errorf("validate %v: errors %+v, skipped %+v; want the template's parse error, with the hint", paths, res.Errors, res.Skipped)
		}
	}
}

// TestKustomizePatchesAreCheckedForFieldNames: an overlay's patch files are
// parts of objects. Their field names are checked (a misspelled one is
// denied as anywhere), nothing they leave out is, they do not join the
// cluster view, and a JSON patch is skipped. The base's resources are
// checked whole.
func TestKustomizePatchesAreCheckedForFieldNames(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
	grpc := strings.Replace(strings.Replace(chartEgress, "{{ .Release.Namespace }}", "curl", 1), "https", "grpc", 1)
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"base/kustomization.yaml": "resources: [egress.yaml]\n",
		"base/egress.yaml":        grpc,
		"overlays/prod/kustomization.yml": `resources: [../../base]
patchesStrategicMerge:
- mesh.yaml
- |-
  apiVersion: v1
  kind: Namespace
  metadata: {name: curl}
patches:
- path: egress-patch.yaml
- path: ../../shared/ports.yaml
  target: {kind: Egress}
patchesJson6902:
- path: hosts.yaml
  target: {kind: Egress, name: httpbin}
`,
		"overlays/prod/mesh.yaml": "apiVersion: config.openservicemesh.io/v1alpha2\nkind: MeshConfig\nmetadata: {name: osm-mesh-config, namespace: osm-system}\nspec:\n  traffic:\n    enableEngress: false\n",
		// a port with tcp-server-first would conflict with base's grpc
		// port if the patch joined the mesh's policies
		"overlays/prod/egress-patch.yaml": "apiVersion: policy.openservicemesh.io/v1alpha1\nkind: Egress\nmetadata: {name: httpbin, namespace: curl}\nspec:\n  ports: [{number: 443, protocol: tcp-server-first}]\n",
		"shared/ports.yaml":               "apiVersion: policy.openservicemesh.io/v1alpha1\nkind: Egress\nmetadata: {name: httpbin}\nspec:\n  hostz: [a.example.com]\n",
		"overlays/prod/hosts.yaml":        "- op: add\n  path: /spec/hosts/-\n  value: example.org\n",
	})
	t.Chdir(dir)
	res, err := check.Run(ctx, e, check.Options{Paths: []string{"."}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range res.Findings {
		got = append(got, f.Rule+"@"+f.File+":"+strconv.Itoa(f.Line))
	}
	sort.Strings(got)
	want := []string{
		"MG0003@overlays/prod/egress-patch.yaml:1",
		"MG0003@overlays/prod/mesh.yaml:1",
		"MG0003@shared/ports.yaml:1",
		"MG1001@overlays/prod/mesh.yaml:6",
		"MG2001@shared/ports.yaml:5",
		"MG2003@base/egress.yaml:9",
		"MG3001@base/egress.yaml:1",
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("findings %v\nwant %v", got, want)
	}
	if len(res.Errors) != 0 {
		t.Errorf("errors: %+v", res.Errors)
	}
	if len(res.Skipped) != 1 || res.Skipped[0].File != "overlays/prod/hosts.yaml" || !strings.Contains(res.Skipped[0].Message, "kubectl kustomize overlays/prod |") {
		t.Errorf("skipped %+v, want the JSON patch, with the command", res.Skipped)
	}
	for _, f := range res.Findings {
		if f.Rule == "MG0003" && !strings.HasPrefix(f.Message, "kustomize patch of ") {
			t.Errorf("MG0003 says %q", f.Message)
		}
	}
}

// TestHereDocumentExpansions: the shell expands $VAR, ${VAR}, $(...) and
// `...` in a here-document whose delimiter is not quoted. meshguard does not
// know those values: it says nothing about the fields that hold them, judges
// the rest, and names the expansion where a message shows the value. A body
// that is YAML only once the shell has run its expansions is reported as not
// checked, not as broken. With a quoted delimiter the body is as written.
func TestHereDocumentExpansions(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
	egress := func(delim, name, ip, protocol string) string {
		return "kubectl apply -f - <<" + delim + `
apiVersion: policy.openservicemesh.io/v1alpha1
kind: Egress
metadata: {name: ` + name + `, namespace: curl}
spec:
  sources: [{kind: ServiceAccount, name: curl, namespace: curl}]
  ipAddresses:
  - ` + ip + `
  ports: [{number: 5432, protocol: ` + protocol + `}]
EOF
`
	}
	for _, tc := range []struct {
		name, script string
		want         []string // rule@line message-part
	}{{
		name:   "a value from a variable is not judged",
		script: egress("EOF", "db", "${db_ip}/32", "tcp"),
		want:   []string{"MG3001@2 curl/db"},
	}, {
		name:   "a quoted delimiter keeps the text as written",
		script: egress("'EOF'", "db", "${db_ip}/32", "tcp"),
		want:   []string{"MG2002@8 ${db_ip}/32", "MG3001@2 curl/db"},
	}, {
		name:   "the rest of the object is judged, the expansion named in messages",
		script: egress("EOF", "$(whoami)", "10.0.0.1/32", "grpc"),
		want:   []string{"MG2003@9 grpc", "MG3001@2 curl/$(whoami)"},
	}, {
		name: "a body that is YAML only after the shell ran is not checked",
		script: "kubectl apply -f - <<EOF\napiVersion: policy.openservicemesh.io/v1alpha1\nkind: Egress\nmetadata:\n  name: db\n" +
			"spec:\n`cat spec.yaml | sed 's/^/  /'`\nEOF\n",
		want: []string{"MG0003@2 kubectl apply of Egress db not checked"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, map[string]string{"run.sh": tc.script})
			res, err := check.Run(ctx, e, check.Options{Paths: []string{filepath.Join(dir, "run.sh")}})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Errors) > 0 {
				t.Fatalf("errors: %+v", res.Errors)
			}
			var got []string
			for _, f := range res.Findings {
				got = append(got, f.Rule+"@"+strconv.Itoa(f.Line)+" "+f.Message)
				if strings.Contains(f.Message, "MESHGUARD") {
					t.Errorf("message shows a placeholder: %s", f.Message)
				}
			}
			sort.Strings(got)
			if len(got) != len(tc.want) {
				t.Fatalf("findings %q\nwant %q", got, tc.want)
			}
			for i, w := range tc.want {
				rule, part, _ := strings.Cut(w, " ")
				if !strings.HasPrefix(got[i], rule+" ") || !strings.Contains(got[i], part) {
					t.Errorf("finding %q, want %s with %q", got[i], rule, part)
				}
			}
		})
	}
}

// TestFolderFilesThatAreNoManifests: a folder holds more than manifests. A
// file found there that does not parse and has no apiVersion or kind (a
// tsconfig.json or devcontainer.json with comments), or has them only
// nested (an Ansible playbook's k8s task), is skipped, saying why; one that
// may be a manifest (the keys at a document's top level, also in a list
// of them), and any file named itself, is an input error, in the words of
// its format.
func TestFolderFilesThatAreNoManifests(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"tsconfig.json":      "{\n  // the compiler's options\n  \"compilerOptions\": {\"strict\": true},\n}\n",
		"notes.yaml":         "steps: [\n",
		"broken-egress.json": "{\n  // a comment\n  \"apiVersion\": \"policy.openservicemesh.io/v1alpha1\",\n  \"kind\": \"Egress\"\n}\n",
		"broken.yaml":        "apiVersion: policy.openservicemesh.io/v1alpha1\nkind: Egress\nspec: [\n",
		"flow.yaml":          "{apiVersion: policy.openservicemesh.io/v1alpha1, kind: Egress, spec: [}\n",
		"playbook.yml":       "- hosts: all\n  tasks:\n  - kubernetes.core.k8s:\n      definition:\n        apiVersion: v1\n        kind: ConfigMap\n",
		"list.yaml":          "-   apiVersion: v1\n    kind: ConfigMap\n",
		"bom.json":           "\ufeff{\n  // a comment\n  \"kind\": \"Egress\"\n}\n",
		"indented.yaml":      "# an Egress, indented as a whole\n  apiVersion: policy.openservicemesh.io/v1alpha1\n  kind: Egress\n  spec: [\n",
	})
	res, err := check.Run(ctx, e, check.Options{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	var skipped, errs []string
	for _, s := range res.Skipped {
		skipped = append(skipped, filepath.Base(s.File))
		if !strings.Contains(s.Message, "no apiVersion or kind at its top level: not a Kubernetes manifest") {
			t.Errorf("%s: %s", s.File, s.Message)
		}
	}
	for _, e := range res.Errors {
		errs = append(errs, filepath.Base(e.File)+":"+strconv.Itoa(e.Line)+": "+strings.SplitN(e.Message, ":", 2)[0])
	}
	sort.Strings(skipped)
	sort.Strings(errs)
	if strings.Join(skipped, " ") != "notes.yaml playbook.yml tsconfig.json" {
		t.Errorf("skipped %v", skipped)
	}
	if strings.Join(errs, " | ") != "bom.json:2: invalid JSON | broken-egress.json:2: invalid JSON | broken.yaml:3: invalid YAML | flow.yaml:1: invalid YAML | indented.yaml:4: invalid YAML | list.yaml:1: document 1 is a list, not an object" {
		t.Errorf("errors %v", errs)
	}
	// Named itself, it is checked, and cannot be.
	res, err = check.Run(ctx, e, check.Options{Paths: []string{filepath.Join(dir, "tsconfig.json")}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) != 1 || len(res.Skipped) != 0 || !strings.HasPrefix(res.Errors[0].Message, "invalid JSON") {
		t.Errorf("tsconfig.json named itself: errors %+v, skipped %+v", res.Errors, res.Skipped)
	}
}

// TestWorkloadFindingsAtTheirTemplateLines: a workload's pod findings are
// reported at the template's field (a CI annotation lands on the
// annotation), not at the workload's own metadata.
func TestWorkloadFindingsAtTheirTemplateLines(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
	got, _ := findingsIn(ctx, t, e, map[string]string{"deploy.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: curl
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
      annotations:
        openservicemesh.io/outbound-port-exclusion-list: "abc"
    spec:
      containers:
      - name: web
        image: nginx
        ports:
        - containerPort: 15000
`, "cron.yaml": `apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: curl}
spec:
  schedule: "0 0 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: job
            image: busybox
            securityContext: {runAsUser: 1500}
`})
	if want := "MG4003@deploy.yaml:13 MG4007@cron.yaml:14 MG4007@deploy.yaml:19"; strings.Join(got, " ") != want {
		t.Errorf("findings %v, want %s", got, want)
	}
}
