package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// cli runs meshguard in-process and returns stdout, stderr and the exit code.
func cli(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), code
}

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const typoMeshConfig = `apiVersion: config.openservicemesh.io/v1alpha2
kind: MeshConfig
metadata:
  name: osm-mesh-config
  namespace: osm-system
spec:
  traffic:
    interceptionMode: iptables
    enableEngress: false
`

const grpcEgress = `apiVersion: policy.openservicemesh.io/v1alpha1
kind: Egress
metadata:
  name: grpc
  namespace: curl
spec:
  sources:
  - kind: ServiceAccount
    name: curl
    namespace: curl
  ipAddresses: [10.0.0.0/8]
  ports:
  - number: 50051
    protocol: grpc
`

const cleanEgress = `apiVersion: policy.openservicemesh.io/v1alpha1
kind: Egress
metadata:
  name: httpbin
  namespace: curl
  annotations:
    meshguard.io/ignore: MG3001
spec:
  sources:
  - kind: ServiceAccount
    name: curl
    namespace: curl
  hosts: [httpbin.org]
  ports:
  - number: 80
    protocol: http
`

type jsonReport struct {
	Findings []struct {
		Rule, Severity, Message, File, Kind, Namespace, Name, Path string
		Line                                                       int
	}
	Errors []struct {
		File, Message string
		Line          int
	}
	Summary struct{ Files, Documents, Findings, Deny, Warn, Info, Errors int }
}

func parseJSON(t *testing.T, out string) jsonReport {
	t.Helper()
	var r jsonReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	return r
}

func TestValidateExitCodes(t *testing.T) {
	dir := t.TempDir()
	clean := write(t, dir, "clean.yaml", cleanEgress)
	deny := write(t, dir, "deny.yaml", grpcEgress)
	broken := write(t, dir, "broken.yaml", "apiVersion: v1\nkind: [\n")
	cases := []struct {
		name   string
		args   []string
		want   int
		stderr string
	}{
		{"clean file exits 0", []string{"validate", clean}, 0, ""},
		{"deny finding exits 1", []string{"validate", deny}, 1, ""},
		{"missing file exits 2", []string{"validate", filepath.Join(dir, "nope.yaml")}, 2, ""},
		{"unparsable file exits 2 even with findings elsewhere", []string{"validate", deny, broken}, 2, ""},
		{"no input exits 2", []string{"validate"}, 2, "nothing to validate"},
		{"unknown flag exits 2", []string{"validate", "--bogus", clean}, 2, "unknown flag"},
		{"unknown output format exits 2", []string{"validate", "-o", "xml", clean}, 2, "unknown output format"},
		{"unknown disabled code exits 2", []string{"validate", "--disable", "MG9999", clean}, 2, "MG9999"},
		{"disabling the only deny rule exits 0", []string{"validate", "--disable", "MG2003", deny}, 0, ""},
		{"unknown command exits 2", []string{"frobnicate"}, 2, "unknown command"},
		{"bad namespace labels exit 2", []string{"validate", "--namespace-labels", "nolabels", clean}, 2, "NAMESPACE:key=value"},
		{"non-kubectl command after -- exits 2", []string{"validate", "--", "helm", "install"}, 2, "kubectl command"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := cli(t, "", tc.args...)
			if code != tc.want {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.want, out, errOut)
			}
			if !strings.Contains(errOut, tc.stderr) {
				t.Errorf("stderr %q does not mention %q", errOut, tc.stderr)
			}
		})
	}
}

func TestValidateNamesFileLineAndField(t *testing.T) {
	dir := t.TempDir()
	f := write(t, dir, "mesh.yaml", "# leading comment\n---\n"+typoMeshConfig+"---\n"+grpcEgress)
	out, _, code := cli(t, "", "validate", "-o", "json", f)
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	r := parseJSON(t, out)
	got := map[string]int{}
	for _, x := range r.Findings {
		got[x.Rule+" "+x.Path] = x.Line
		if x.File != f {
			t.Errorf("file %q, want %q", x.File, f)
		}
	}
	// enableEngress is on line 11 of the file; the grpc protocol on line 26.
	if got["MG1001 spec.traffic.enableEngress"] != 11 {
		t.Errorf("MG1001 line %d, want 11; findings %v", got["MG1001 spec.traffic.enableEngress"], got)
	}
	if got["MG2003 spec.ports[0].protocol"] != 26 {
		t.Errorf("MG2003 line %d, want 26; findings %v", got["MG2003 spec.ports[0].protocol"], got)
	}
	if r.Summary.Documents != 2 || r.Summary.Files != 1 || r.Summary.Deny < 2 {
		t.Errorf("summary %+v", r.Summary)
	}
}

func TestValidateTextFormat(t *testing.T) {
	dir := t.TempDir()
	f := write(t, dir, "mesh.yaml", typoMeshConfig)
	out, _, _ := cli(t, "", "validate", f)
	want := f + `:9: [MG1001] unknown field "spec.traffic.enableEngress" is dropped by the API server; did you mean "enableEgress"? (spec.traffic.enableEngress)`
	if !strings.Contains(out, want) {
		t.Errorf("text output lacks\n%s\ngot:\n%s", want, out)
	}
	if strings.Contains(out, "\x1b") {
		t.Error("colour escape in output that is not a terminal")
	}
}

func TestValidateSARIFAndJUnitParse(t *testing.T) {
	dir := t.TempDir()
	f := write(t, dir, "egress.yaml", grpcEgress)
	out, _, code := cli(t, "", "validate", "-o", "sarif", f)
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	var sarif struct {
		Version string
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string
					Rules []struct{ ID string }
				}
			}
			Results []struct {
				RuleID    string
				Level     string
				Locations []struct {
					PhysicalLocation struct {
						Region struct{ StartLine int }
					}
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &sarif); err != nil {
		t.Fatal(err)
	}
	if sarif.Version != "2.1.0" || len(sarif.Runs) != 1 || len(sarif.Runs[0].Tool.Driver.Rules) < 20 {
		t.Fatalf("unexpected SARIF: %+v", sarif)
	}
	found := false
	for _, r := range sarif.Runs[0].Results {
		if r.RuleID == "MG2003" && r.Level == "error" && r.Locations[0].PhysicalLocation.Region.StartLine == 14 {
			found = true
		}
	}
	if !found {
		t.Errorf("no MG2003 error at line 14 in SARIF results: %+v", sarif.Runs[0].Results)
	}

	out, _, code = cli(t, "", "validate", "-o", "junit", f)
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	var suites struct {
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Failure *struct {
					Message string `xml:"message,attr"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal([]byte(out), &suites); err != nil {
		t.Fatalf("JUnit is not XML: %v\n%s", err, out)
	}
	if len(suites.Suites) != 1 || suites.Suites[0].Name != f || suites.Failures < 1 {
		t.Fatalf("unexpected JUnit: %+v", suites)
	}
}

func TestValidateSARIFLocatesAnAbsolutePath(t *testing.T) {
	// The test runs in cmd/meshguard, so a temporary file is outside the
	// working directory: its uri must be an absolute file:// URI, not the bare
	// path, which is no URI and which GitHub code scanning cannot place.
	f := write(t, t.TempDir(), "a b.yaml", grpcEgress)
	out, _, code := cli(t, "", "validate", "-o", "sarif", f)
	if code != 1 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	var log struct {
		Runs []struct {
			Results []struct {
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI       string
							URIBaseID string `json:"uriBaseId"`
						}
					}
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil || len(log.Runs) != 1 || len(log.Runs[0].Results) == 0 {
		t.Fatalf("unexpected SARIF (%v):\n%s", err, out)
	}
	for _, r := range log.Runs[0].Results {
		a := r.Locations[0].PhysicalLocation.ArtifactLocation
		u, err := url.Parse(a.URI)
		if err != nil || u.Scheme != "file" || u.Path != filepath.ToSlash(f) || a.URIBaseID != "" {
			t.Errorf("uri %q uriBaseId %q, want file://%s and no base", a.URI, a.URIBaseID, filepath.ToSlash(f))
		}
	}
}

func TestValidatePatch(t *testing.T) {
	dir := t.TempDir()
	base := write(t, dir, "egress.yaml", cleanEgress)
	cases := []struct {
		name string
		args []string
		want int
		rule string
		text string
	}{
		{"merge patch typo is denied with did you mean", []string{"--type", "merge", "-p", `{"spec":{"traffic":{"enableEngress":false}}}`}, 1, "MG1001", `did you mean "enableEgress"`},
		{"yaml patch is accepted as kubectl does", []string{"--type", "merge", "-p", "spec:\n  traffic:\n    enableEgress: false\n"}, 0, "", ""},
		{"strategic default is denied", []string{"-p", `{"spec":{"traffic":{"enableEgress":false}}}`}, 1, "MG0001", "strategic"},
		{"json patch on a missing path is denied with a suggestion", []string{"--type", "json", "-p", `[{"op":"replace","path":"/spec/traffic/enableEngress","value":false}]`}, 1, "MG0002", "did you mean spec.traffic.enableEgress"},
		{"invalid patch exits 2", []string{"--type", "merge", "-p", `{"spec":`}, 2, "", ""},
		{"json patch that is not a list exits 2", []string{"--type", "json", "-p", `{"spec":{}}`}, 2, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"validate", "patch", "meshconfig", "osm-mesh-config", "-o", "json"}, tc.args...)
			out, errOut, code := cli(t, "", args...)
			if code != tc.want {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, tc.want, out, errOut)
			}
			if tc.rule == "" {
				if tc.want == 0 {
					if fs := parseJSON(t, out).Findings; len(fs) > 0 {
						t.Errorf("a patch that changes spec should report nothing, got %+v", fs)
					}
				}
				return
			}
			for _, f := range parseJSON(t, out).Findings {
				if f.Rule == tc.rule && strings.Contains(f.Message, tc.text) {
					return
				}
			}
			t.Errorf("no %s mentioning %q in\n%s", tc.rule, tc.text, out)
		})
	}
	t.Run("egress patch needs a base", func(t *testing.T) {
		_, errOut, code := cli(t, "", "validate", "patch", "egress", "httpbin", "-n", "curl", "--type", "merge", "-p", `{}`)
		if code != 2 || !strings.Contains(errOut, "--base") {
			t.Fatalf("exit %d, stderr %q", code, errOut)
		}
	})
	t.Run("egress patch with base and kind.group name", func(t *testing.T) {
		out, _, code := cli(t, "", "validate", "patch", "egresses.policy.openservicemesh.io/httpbin", "--base", base, "--type", "json",
			"-p", `[{"op":"replace","path":"/spec/ports/0/protocol","value":"grpc"}]`)
		if code != 1 || !strings.Contains(out, "MG2003") {
			t.Fatalf("exit %d\n%s", code, out)
		}
	})
	t.Run("a MeshConfig patched through v1alpha1", func(t *testing.T) {
		mesh := filepath.Join(t.TempDir(), "mesh.yaml")
		if err := os.WriteFile(mesh, []byte("apiVersion: config.openservicemesh.io/v1alpha2\nkind: MeshConfig\nmetadata: {name: osm-mesh-config, namespace: osm-system}\n"+
			"spec:\n  sidecar: {localProxyMode: PodIP}\n  traffic: {interceptionMode: iptables}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		out, _, code := cli(t, "", "validate", "patch", "meshconfigs.v1alpha1.config.openservicemesh.io", "osm-mesh-config", "--base", mesh, "--type", "merge",
			"-p", `{"spec":{"traffic":{"enableEgress":false}}}`)
		if code != 0 || !strings.Contains(out, "MG1004") || !strings.Contains(out, `spec.sidecar.localProxyMode ("PodIP")`) || strings.Contains(out, "MG1001") {
			t.Fatalf("want MG1004 naming the dropped value of spec.sidecar.localProxyMode and no unknown field; exit %d\n%s", code, out)
		}
	})
	t.Run("a version the API server does not serve exits 2", func(t *testing.T) {
		_, errOut, code := cli(t, "", "validate", "patch", "meshconfigs.v9.config.openservicemesh.io", "osm-mesh-config", "--type", "merge", "-p", "{}")
		if code != 2 || !strings.Contains(errOut, "does not serve MeshConfig in version v9 (it serves v1alpha1, v1alpha2)") {
			t.Fatalf("exit %d, stderr %q", code, errOut)
		}
	})
	for _, tc := range []struct{ name, arg, want string }{
		{"a second slash is refused as kubectl refuses it", "meshconfig/osm-mesh-config/x", "arguments in resource/name form may not have more than one slash"},
		{"an empty name after the slash is refused", "meshconfig/", "arguments in resource/name form must have a single resource and name"},
		{"an empty resource before the slash is refused", "/osm-mesh-config", "arguments in resource/name form must have a single resource and name"},
		{"two resources before the slash are refused", "meshconfig,egress/osm-mesh-config", "arguments in resource/name form must have a single resource and name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := cli(t, "", "validate", "patch", tc.arg, "--type", "merge", "-p", "{}")
			if code != 2 || !strings.Contains(errOut, tc.want) {
				t.Fatalf("exit %d, stderr %q; want 2 and %q\n%s", code, errOut, tc.want, out)
			}
		})
	}
	t.Run("unknown kind exits 2", func(t *testing.T) {
		_, errOut, code := cli(t, "", "validate", "patch", "deployment", "x", "-p", "{}")
		if code != 2 || !strings.Contains(errOut, "meshconfig") {
			t.Fatalf("exit %d, stderr %q", code, errOut)
		}
	})
}

func TestValidatePatchPicksTheBaseObjectByNamespace(t *testing.T) {
	// Two Egress policies named web: curl/web is clean, other/web has a
	// protocol osm-edge ignores, so MG2003 (a warning: already so before the
	// patch) shows which one was patched.
	web := strings.Replace(cleanEgress, "name: httpbin", "name: web", 1)
	otherWeb := strings.NewReplacer("name: grpc", "name: web", "  namespace: curl\nspec:", "  namespace: other\n  annotations:\n    meshguard.io/ignore: MG3001\nspec:").Replace(grpcEgress)
	base := write(t, t.TempDir(), "base2.yaml", web+"---\n"+otherWeb)
	patch := []string{"--base", base, "--type", "merge", "-p", `{"metadata":{"labels":{"team":"web"}}}`, "-o", "json"}
	cases := []struct {
		name   string
		args   []string
		code   int
		stderr []string // each must be in the error
		other  bool     // other/web was patched
	}{
		{"-n other patches other/web", []string{"egress", "web", "-n", "other"}, 0, nil, true},
		{"-n curl patches curl/web", []string{"egress", "web", "-n", "curl"}, 0, nil, false},
		{"without -n two namespaces are a usage error naming both", []string{"egress", "web"}, 2,
			[]string{"2 objects that match Egress web", "Egress curl/web, Egress other/web", "-n"}, false},
		{"a namespace that holds none says what the file holds", []string{"egress", "web", "-n", "nope"}, 2,
			[]string{"holds no Egress web in namespace nope", "it holds Egress curl/web, Egress other/web"}, false},
		{"a name that is not there says what the file holds", []string{"egress", "db", "-n", "curl"}, 2,
			[]string{"holds no Egress db in namespace curl", "it holds Egress curl/web, Egress other/web"}, false},
		{"a kind that is not there says what the file holds", []string{"upstreamtrafficsetting", "web", "-n", "curl"}, 2,
			[]string{"holds no UpstreamTrafficSetting web in namespace curl", "it holds Egress curl/web, Egress other/web"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := cli(t, "", append(append([]string{"validate", "patch"}, tc.args...), patch...)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, tc.code, out, errOut)
			}
			for _, want := range tc.stderr {
				if !strings.Contains(errOut, want) {
					t.Errorf("stderr %q does not say %q", errOut, want)
				}
			}
			if code == 2 {
				return
			}
			other := false
			for _, f := range parseJSON(t, out).Findings {
				other = other || f.Rule == "MG2003" && f.Namespace == "other" && f.Name == "web"
			}
			if other != tc.other {
				t.Errorf("patched other/web: %v, want %v\n%s", other, tc.other, out)
			}
		})
	}
}

func TestValidateMeshConfigFlag(t *testing.T) {
	dir := t.TempDir()
	egress := write(t, dir, "egress.yaml", strings.Replace(cleanEgress, "  annotations:\n    meshguard.io/ignore: MG3001\n", "", 1))
	mesh := func(name string, egress bool) string {
		return fmt.Sprintf("apiVersion: config.openservicemesh.io/v1alpha2\nkind: MeshConfig\nmetadata: {name: %s, namespace: osm-system}\n"+
			"spec:\n  traffic: {enableEgress: %v}\n", name, egress)
	}
	scratch := write(t, dir, "scratch.yaml", mesh("scratch", false))
	both := write(t, dir, "both.yaml", mesh("scratch", false)+"---\n"+mesh("osm-mesh-config", true))
	noMesh := write(t, dir, "nomesh.yaml", cleanEgress)
	cases := []struct {
		name    string
		file    string
		code    int
		mg3001  bool
		stderr  []string
		notSaid string
	}{
		{"osm-mesh-config is taken over a MeshConfig of another name before it", both, 0, true, nil, ""},
		{"a file with no osm-mesh-config is a usage error saying why", scratch, 2, false,
			[]string{"--mesh-config " + scratch + " holds MeshConfig osm-system/scratch but none named osm-mesh-config", "governs nothing"}, ""},
		{"a file with no MeshConfig names the flag", noMesh, 2, false,
			[]string{"--mesh-config " + noMesh + " holds no MeshConfig; it holds Egress curl/httpbin"}, "--base"},
		{"an unreadable file names the flag", filepath.Join(dir, "nope.yaml"), 2, false,
			[]string{"read --mesh-config: open "}, "--base"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := cli(t, "", "validate", "--mesh-config", tc.file, egress)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, tc.code, out, errOut)
			}
			if strings.Contains(out, "MG3001") != tc.mg3001 {
				t.Errorf("MG3001 reported: %v, want %v\n%s", !tc.mg3001, tc.mg3001, out)
			}
			for _, want := range tc.stderr {
				if !strings.Contains(errOut, want) {
					t.Errorf("stderr %q does not say %q", errOut, want)
				}
			}
			if tc.notSaid != "" && strings.Contains(errOut, tc.notSaid) {
				t.Errorf("stderr %q names %s, a flag not given", errOut, tc.notSaid)
			}
		})
	}
}

func TestValidatePastedCommand(t *testing.T) {
	out, _, code := cli(t, "", "validate", "--", "kubectl", "patch", "meshconfig", "osm-mesh-config", "-n", "osm-system",
		"-p", `{"spec":{"traffic":{"enableEngress":false}}}`, "--type=merge")
	if code != 1 || !strings.Contains(out, `did you mean "enableEgress"`) {
		t.Fatalf("exit %d\n%s", code, out)
	}
}

func TestValidateScriptsAndRunbooks(t *testing.T) {
	dir := t.TempDir()
	script := write(t, dir, "setup.sh", `#!/bin/sh
set -e
kubectl get pods
kubectl patch meshconfig osm-mesh-config -n osm-system \
  --type=merge -p '{"spec":{"traffic":{"enableEngress":false}}}'
kubectl apply -f - <<EOF
`+grpcEgress+`EOF
cat <<'YAML' | kubectl apply -f -
`+grpcEgress+`YAML
`)
	runbook := write(t, dir, "runbook.md", "# Egress\n\nTurn passthrough off:\n\n```bash\nkubectl patch meshconfig osm-mesh-config -n osm-system -p '{\"spec\":{\"traffic\":{\"enableEngress\":false}}}' --type=merge\n```\n\nThen apply:\n\n```yaml\n"+grpcEgress+"```\n\n```console\n$ kubectl patch meshconfig osm-mesh-config -n osm-system --type=merge -p '{\"spec\":{\"traffic\":{\"enableEngress\":true}}}'\nmeshconfig.config.openservicemesh.io/osm-mesh-config patched\n```\n")
	out, errOut, code := cli(t, "", "validate", "-o", "json", script, runbook)
	if code != 1 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	got := map[string]bool{}
	for _, f := range parseJSON(t, out).Findings {
		got[filepath.Base(f.File)+":"+itoa(f.Line)+":"+f.Rule] = true
	}
	for _, want := range []string{
		"setup.sh:4:MG1001",    // the patch command's line
		"setup.sh:20:MG2003",   // protocol line inside the first here-document
		"setup.sh:36:MG2003",   // inside the piped here-document
		"runbook.md:6:MG1001",  // the command in the bash block
		"runbook.md:25:MG2003", // protocol line of the YAML block
		"runbook.md:29:MG1001", // the prompted command of the console block
	} {
		if !got[want] {
			t.Errorf("missing %s; got %v", want, got)
		}
	}
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

func TestValidateStdinListsAndSuppression(t *testing.T) {
	list := "apiVersion: v1\nkind: List\nitems:\n- " + strings.ReplaceAll(strings.TrimSuffix(grpcEgress, "\n"), "\n", "\n  ") + "\n"
	out, _, code := cli(t, list, "validate", "-o", "json", "-")
	if code != 1 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	r := parseJSON(t, out)
	if len(r.Findings) == 0 || r.Findings[0].File != "-" || r.Findings[0].Name != "grpc" {
		t.Fatalf("unexpected findings %+v", r.Findings)
	}
	annotated := strings.Replace(grpcEgress, "namespace: curl\nspec", "namespace: curl\n  annotations:\n    meshguard.io/ignore: MG2003\nspec", 1)
	out, _, code = cli(t, annotated, "validate", "-o", "json", "-")
	for _, f := range parseJSON(t, out).Findings {
		if f.Rule == "MG2003" {
			t.Fatalf("MG2003 reported despite the annotation (exit %d)", code)
		}
	}
}

func TestRulesCommand(t *testing.T) {
	out, _, code := cli(t, "", "rules", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var r struct {
		Rules []struct{ Code, Severity, Title, Fix, Docs string }
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Rules) < 30 {
		t.Fatalf("only %d rules", len(r.Rules))
	}
	admission := map[string]string{}
	var withAdmission struct {
		Rules []struct{ Code, AdmissionSeverity string }
	}
	if err := json.Unmarshal([]byte(out), &withAdmission); err != nil {
		t.Fatal(err)
	}
	for _, rule := range withAdmission.Rules {
		admission[rule.Code] = rule.AdmissionSeverity
	}
	if admission["MG3005"] != "warn" || admission["MG1001"] != "" {
		t.Errorf("admission severities: MG3005 %q, MG1001 %q", admission["MG3005"], admission["MG1001"])
	}
	out, _, _ = cli(t, "", "rules")
	if !strings.Contains(out, "MG1001") || !strings.Contains(out, "meshconfig/unknown-field") {
		t.Errorf("text catalog lacks MG1001:\n%s", out)
	}
	if !regexp.MustCompile(`MG3005 +deny \(warn at admission\)`).MatchString(out) {
		t.Errorf("text catalog does not show MG3005's admission severity:\n%s", out)
	}
}

func TestValidateChecksManifestsAScriptApplies(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "egress/grpc.yaml", grpcEgress)
	script := write(t, dir, "deploy.sh", "kubectl apply -f egress/ -f missing.yaml -f https://example.com/x.yaml\n")
	out, errOut, code := cli(t, "", "validate", "-o", "json", script)
	if code != 1 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	r := parseJSON(t, out)
	if r.Summary.Files != 2 || len(r.Findings) == 0 || filepath.Base(r.Findings[0].File) != "grpc.yaml" {
		t.Fatalf("the applied manifest was not checked: %+v", r)
	}
}

// TestWatchdogEndsABlockedRun: a run blocked in the kernel (opening a named
// pipe no one writes to) never sees its context: Ctrl-C left validate
// running until SIGKILL. The watchdog ends the process soon after the
// context is cancelled, with the shell's code for the signal, and does
// nothing for a run that returns.
func TestWatchdogEndsABlockedRun(t *testing.T) {
	codes := make(chan int, 1)
	exit = func(code int) { codes <- code }
	defer func() { exit = os.Exit }()
	ctx, cancel := context.WithCancel(context.Background())
	var errOut strings.Builder
	stop := watchdog(ctx, &errOut)
	defer stop()
	cancel()
	select {
	case code := <-codes:
		if code != 130 || !strings.Contains(errOut.String(), "interrupted") {
			t.Errorf("exit %d, stderr %q; want 130 and a word", code, errOut.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the watchdog did not end the run")
	}
	ctx2, cancel2 := context.WithCancel(context.Background())
	watchdog(ctx2, &errOut)() // the run returned
	cancel2()
	select {
	case code := <-codes:
		t.Errorf("exit %d after the run returned", code)
	case <-time.After(1500 * time.Millisecond):
	}
}

// TestValidateListInAList: kubectl apply refuses a List inside a List
// (it flattens one level), so validate does not pass one as checked.
func TestValidateListInAList(t *testing.T) {
	inner := "- " + strings.ReplaceAll(strings.TrimSuffix(grpcEgress, "\n"), "\n", "\n    ")
	list := "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: List\n  items:\n  " + inner + "\n"
	out, _, code := cli(t, list, "validate", "-o", "json", "-")
	r := parseJSON(t, out)
	if code != 2 || len(r.Errors) != 1 || r.Errors[0].Line != 4 || !strings.Contains(r.Errors[0].Message, "itself a list") {
		t.Fatalf("exit %d, errors %+v; want exit 2 and the inner list refused at line 4", code, r.Errors)
	}
}

// TestValidateJSONStream: JSON objects one after another, as jq -c writes
// them, are each a document at its own line, in a file, on stdin and in a
// script's here-document (kubectl apply reads them so).
func TestValidateJSONStream(t *testing.T) {
	egress := func(name string) string {
		return `{"apiVersion":"policy.openservicemesh.io/v1alpha1","kind":"Egress","metadata":{"name":"` + name +
			`","namespace":"curl"},"spec":{"sources":[{"kind":"ServiceAccount","name":"curl","namespace":"curl"}],` +
			`"ipAddresses":["10.0.0.0/8"],"ports":[{"number":50051,"protocol":"grpc"}]}}`
	}
	stream := egress("a") + "\n" + egress("b") + "\n" + egress("c") + "\n"
	dir := t.TempDir()
	file := write(t, dir, "stream.json", stream)
	script := write(t, dir, "apply.sh", "#!/bin/sh\nkubectl apply -f - <<'EOF'\n"+stream+"EOF\n")
	for _, tc := range []struct {
		name, stdin, arg string
		lines            string // of MG2003, by object name
	}{
		{"file", "", file, "a:1 b:2 c:3"},
		{"stdin", stream, "-", "a:1 b:2 c:3"},
		{"here-document", "", script, "a:3 b:4 c:5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, _, code := cli(t, tc.stdin, "validate", "-o", "json", tc.arg)
			r := parseJSON(t, out)
			var got []string
			for _, f := range r.Findings {
				if f.Rule == "MG2003" {
					got = append(got, f.Name+":"+itoa(f.Line))
				}
			}
			if code != 1 || len(r.Errors) != 0 || strings.Join(got, " ") != tc.lines {
				t.Fatalf("exit %d, errors %+v, MG2003 at %v; want exit 1, no errors, MG2003 at %s", code, r.Errors, got, tc.lines)
			}
		})
	}
}
