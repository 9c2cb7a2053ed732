package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

const injectNamespaces = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {openservicemesh.io/monitored-by: osm}
  annotations: {openservicemesh.io/sidecar-injection: enabled}
---
apiVersion: v1
kind: Namespace
metadata:
  name: quiet
  labels: {openservicemesh.io/monitored-by: osm}
  annotations: {openservicemesh.io/sidecar-injection: disabled}
---
apiVersion: v1
kind: Namespace
metadata:
  name: bare
  labels: {openservicemesh.io/monitored-by: osm}
---
apiVersion: v1
kind: Namespace
metadata:
  name: outside
`

func podDoc(name, ns, extra string) string {
	return "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\n  namespace: " + ns + "\n" + extra + "spec:\n  containers:\n  - name: app\n    image: app:1\n"
}

// --explain answers "why not injected" for every reason of osm-edge's
// selection (spec §4.2), and why injected.
func TestInjectExplainsEveryReason(t *testing.T) {
	dir := t.TempDir()
	hostNet := strings.Replace(podDoc("host", "shop", ""), "spec:\n", "spec:\n  hostNetwork: true\n", 1)
	injected := podDoc("done", "shop", "  labels: {osm-proxy-uuid: u1}\n") + "  volumes:\n  - name: sidecar-bootstrap-config-volume\n    secret: {secretName: sidecar-bootstrap-config-u1}\n"
	file := write(t, dir, "pods.yaml", injectNamespaces+
		podDoc("accepted", "shop", "")+
		hostNet+
		podDoc("system", "kube-system", "")+
		podDoc("control", "osm-system", "")+
		podDoc("unmonitored", "outside", "")+
		podDoc("optout", "shop", "  annotations: {openservicemesh.io/sidecar-injection: disabled}\n")+
		podDoc("nsoff", "quiet", "")+
		podDoc("noann", "bare", "")+
		podDoc("optin", "quiet", "  annotations: {openservicemesh.io/sidecar-injection: enabled}\n")+
		injected+
		podDoc("bad", "shop", "  annotations: {openservicemesh.io/sidecar-injection: \"on\"}\n"))
	out, errOut, code := cli(t, "", "inject", "-f", file, "--explain")
	if code != 1 {
		t.Fatalf("exit %d, want 1 (one pod osm-edge rejects)\n%s%s", code, out, errOut)
	}
	for pod, want := range map[string]string{
		"Pod accepted: injected":                   "namespace shop's openservicemesh.io/sidecar-injection annotation enables injection",
		"Pod host: not injected":                   "spec.hostNetwork is true",
		"Pod system: not injected":                 "namespace kube-system is never injected",
		"Pod control: not injected":                "namespace osm-system is never injected",
		"Pod unmonitored: not injected":            "namespace outside has no openservicemesh.io/monitored-by=osm label",
		"Pod optout: not injected":                 "the pod's openservicemesh.io/sidecar-injection annotation disables injection",
		"Pod nsoff: not injected":                  "namespace quiet's openservicemesh.io/sidecar-injection annotation disables injection",
		"Pod noann: not injected":                  "neither the pod nor namespace bare has the openservicemesh.io/sidecar-injection annotation",
		"Pod optin: injected":                      "the pod's openservicemesh.io/sidecar-injection annotation enables injection",
		"Pod done: not injected":                   "already injected",
		"Pod bad: rejected by osm-edge's injector": `invalid value "on" of annotation "openservicemesh.io/sidecar-injection" on the pod`,
	} {
		i := strings.Index(out, pod)
		if i < 0 {
			t.Errorf("no verdict %q in:\n%s", pod, out)
			continue
		}
		rest := out[i:]
		if j := strings.Index(rest[1:], "\npods.yaml"); j > 0 {
			rest = rest[:j+1]
		}
		if !strings.Contains(rest, want) {
			t.Errorf("%s: explanation lacks %q:\n%s", pod, want, rest)
		}
	}
	if !strings.Contains(out, "outbound TCP: redirected to the sidecar (port 15001)") {
		t.Errorf("no interception summary for the injected pods:\n%s", out)
	}
}

// inject prints workloads with their pod template injected, in YAML or JSON,
// and leaves other objects as they are.
func TestInjectWorkloads(t *testing.T) {
	dir := t.TempDir()
	file := write(t, dir, "deploy.yaml", `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: web:1}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: shop}
spec:
  schedule: "0 0 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: job, image: job:1}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  ports: [{port: 80}]
`)
	out, errOut, code := cli(t, "", "inject", "-f", file, "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var list struct {
		Items []map[string]any `json:"items"`
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list.Items) != 3 {
		t.Fatalf("want a List of 3: %v\n%s", err, out)
	}
	containers := func(obj map[string]any, path ...string) []string {
		cur := obj
		for _, k := range path {
			cur = cur[k].(map[string]any)
		}
		var names []string
		for _, c := range cur["containers"].([]any) {
			names = append(names, c.(map[string]any)["name"].(string))
		}
		return names
	}
	if got := containers(list.Items[0], "spec", "template", "spec"); strings.Join(got, ",") != "web,sidecar" {
		t.Errorf("Deployment containers %v", got)
	}
	if got := containers(list.Items[1], "spec", "jobTemplate", "spec", "template", "spec"); strings.Join(got, ",") != "job,sidecar" {
		t.Errorf("CronJob containers %v", got)
	}
	if _, ok := list.Items[2]["spec"].(map[string]any)["containers"]; ok || list.Items[2]["kind"] != "Service" {
		t.Errorf("the Service changed: %v", list.Items[2])
	}
	// YAML output, twice: the same ids (stable preview).
	a, _, _ := cli(t, "", "inject", "-f", file)
	b, _, _ := cli(t, "", "inject", "-f", file)
	var first map[string]any
	if err := yaml.Unmarshal([]byte(strings.Split(a, "\n---\n")[0]), &first); err != nil || a != b {
		t.Errorf("YAML output unstable or unreadable: %v", err)
	}
}

func TestInjectUsage(t *testing.T) {
	if _, _, code := cli(t, "", "inject"); code != 2 {
		t.Errorf("no -f: exit %d, want 2", code)
	}
	if _, errOut, code := cli(t, "", "inject", "-f", "/nonexistent.yaml"); code != 2 || !strings.Contains(errOut, "/nonexistent.yaml") {
		t.Errorf("missing file: exit %d, %s", code, errOut)
	}
	if _, _, code := cli(t, "kind: Pod\nmetadata: {name: a}\nspec: {containers: [{name: a}]}\n", "inject", "-f", "-", "-o", "xml"); code != 2 {
		t.Errorf("-o xml: exit %d, want 2", code)
	}
}

// validate reports a workload whose pod template cannot be read as an input
// error (exit 2) naming the field, instead of passing it unjudged.
func TestValidateUnreadableTemplate(t *testing.T) {
	dir := t.TempDir()
	file := write(t, dir, "deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  template:\n    metadata:\n      annotations:\n        openservicemesh.io/sidecar-injection: yes\n    spec:\n      containers: [{name: a, image: a}]\n")
	_, errOut, code := cli(t, "", "validate", file)
	out, _, _ := cli(t, "", "validate", file, "-o", "json")
	if code != 2 || !strings.Contains(out+errOut, "quote the value") || !strings.Contains(out+errOut, "Deployment web") {
		t.Errorf("exit %d\n%s\n%s", code, out, errOut)
	}
}

// A script's patch of an Egress starts from that Egress's manifest among the
// inputs, whole (the view keeps only summaries of manifest Egresses and
// reads the manifest again for a base).
func TestValidateScriptPatchesAnEgressFromItsManifest(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "egress.yaml", `apiVersion: policy.openservicemesh.io/v1alpha1
kind: Egress
metadata:
  name: httpbin
  namespace: curl
spec:
  sources:
  - kind: ServiceAccount
    name: curl
    namespace: curl
  hosts:
  - httpbin.org
  ports:
  - number: 80
    protocol: http
`)
	write(t, dir, "change.sh", "#!/bin/sh\nkubectl patch egress httpbin -n curl --type=json -p '[{\"op\":\"replace\",\"path\":\"/spec/hosts/0\",\"value\":\"https://httpbin.org\"}]'\n")
	out, errOut, code := cli(t, "", "validate", dir, "-o", "json")
	var res struct {
		Findings []struct {
			Rule string `json:"rule"`
			File string `json:"file"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s%s", err, out, errOut)
	}
	found := false
	for _, f := range res.Findings {
		// The replace applies only if the base has spec.hosts[0]: a
		// summary has no hosts, and the patch would not apply (MG0002).
		if strings.HasSuffix(f.File, "change.sh") {
			if f.Rule == "MG0002" {
				t.Errorf("the patch did not apply to the manifest: %s", out)
			}
			found = found || f.Rule == "MG2006"
		}
	}
	if !found || code != 1 {
		t.Errorf("exit %d, want MG2006 on change.sh:\n%s%s", code, out, errOut)
	}
}

// osm-healthcheck runs with the injector's log level, not the sidecar's:
// osm-edge passes its own (info by default), and a Pipy level such as
// critical is none osm-healthcheck takes.
func TestInjectHealthcheckVerbosity(t *testing.T) {
	dir := t.TempDir()
	probed := strings.Replace(podDoc("probed", "shop", ""), "    image: app:1\n", "    image: app:1\n    livenessProbe: {tcpSocket: {port: 3306}}\n", 1)
	pods := write(t, dir, "pods.yaml", injectNamespaces+probed)
	defaults, err := os.ReadFile("../../manifests/defaults/osm-mesh-config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	critical := strings.Replace(string(defaults), "logLevel: error", "logLevel: critical", 1)
	if critical == string(defaults) {
		t.Fatal("the install defaults set no logLevel: error")
	}
	mc := write(t, dir, "mc.yaml", critical)
	verbosity := func(args ...string) string {
		t.Helper()
		out, errOut, code := cli(t, "", append([]string{"inject", "-f", pods, "--mesh-config", mc, "-o", "json"}, args...)...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var list struct {
			Items []struct {
				Kind string
				Spec struct {
					Containers []struct {
						Name string
						Args []string
					}
				}
			}
		}
		if err := json.Unmarshal([]byte(out), &list); err != nil {
			t.Fatal(err)
		}
		for _, it := range list.Items {
			for _, c := range it.Spec.Containers {
				if c.Name == "osm-healthcheck" {
					return strings.Join(c.Args, " ")
				}
			}
		}
		t.Fatalf("no osm-healthcheck container in %s", out)
		return ""
	}
	if got := verbosity(); got != "--verbosity info" {
		t.Errorf("default: args %q, want --verbosity info", got)
	}
	if got := verbosity("--injector-log-level", "debug"); got != "--verbosity debug" {
		t.Errorf("--injector-log-level debug: args %q", got)
	}
	_, errOut, code := cli(t, "", "inject", "-f", pods, "--injector-log-level", "critical")
	if code != 2 || !strings.Contains(errOut, "not a level osm-healthcheck takes") {
		t.Errorf("--injector-log-level critical: exit %d, %s", code, errOut)
	}
}
