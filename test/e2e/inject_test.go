package e2e

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/meshguard/meshguard/test/cluster"
)

const podManifest = `apiVersion: v1
kind: Pod
metadata:
  name: NAME
  namespace: NS
  annotations: ANNOTATIONS
spec:
  serviceAccountName: bookstore
  containers:
  - name: bookstore
    image: flomesh/bookstore:1
    ports:
    - {name: web, containerPort: 14001}
    livenessProbe:
      httpGet: {path: /liveness, port: web}
    readinessProbe:
      tcpSocket: {port: 14001}
`

func podYAML(ns, name, annotations string) string {
	if annotations == "" {
		annotations = "{}"
	}
	r := strings.NewReplacer("NAME", name, "NS", ns, "ANNOTATIONS", annotations)
	return r.Replace(podManifest)
}

type podJSON struct {
	Metadata struct {
		Labels map[string]string `json:"labels"`
	} `json:"metadata"`
	Spec struct {
		InitContainers []map[string]any `json:"initContainers"`
		Containers     []map[string]any `json:"containers"`
		Volumes        []map[string]any `json:"volumes"`
	} `json:"spec"`
}

func getPod(t *testing.T, ns, name string) podJSON {
	t.Helper()
	var p podJSON
	if err := json.Unmarshal([]byte(ok(t, "", "get", "pod", name, "-n", ns, "-o", "json").Stdout), &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func names(cs []map[string]any) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c["name"].(string))
	}
	return out
}

func injectionNamespace(t *testing.T, name string, labels map[string]string) {
	t.Helper()
	m := "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + name + "\n  annotations:\n    openservicemesh.io/sidecar-injection: enabled\n  labels:\n"
	for k, v := range labels {
		m += "    " + k + ": " + v + "\n"
	}
	if len(labels) == 0 {
		m += "    {}\n"
		m = strings.Replace(m, "  labels:\n    {}\n", "  labels: {}\n", 1)
	}
	ok(t, m, "apply", "-f", "-")
}

// subset reports whether every field of want is in got with the same value
// (got may have more: the API server's defaults).
func subset(want, got any) bool {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return false
		}
		for k, v := range w {
			if !subset(v, g[k]) {
				return false
			}
		}
		return true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if !subset(w[i], g[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(want, got)
}

// A pod created in a monitored namespace is stored with osm-init, the sidecar
// and osm-healthcheck, its bootstrap Secret exists with a certificate the mesh
// CA signed, and what was injected equals `meshguard inject`'s output for the
// same pod and MeshConfig (but for the pod's own id).
func TestInjectPod(t *testing.T) {
	injectionNamespace(t, "bookstore", map[string]string{"openservicemesh.io/monitored-by": "osm"})
	manifest := podYAML("bookstore", "bookstore", "")
	ok(t, manifest, "create", "-f", "-")
	defer ok(t, "", "delete", "pod", "bookstore", "-n", "bookstore", "--wait=false")
	p := getPod(t, "bookstore", "bookstore")
	if got := names(p.Spec.InitContainers); !reflect.DeepEqual(got, []string{"osm-init"}) {
		t.Errorf("init containers %v", got)
	}
	if got := names(p.Spec.Containers); !reflect.DeepEqual(got, []string{"bookstore", "osm-healthcheck", "sidecar"}) {
		t.Errorf("containers %v", got)
	}
	id := p.Metadata.Labels["osm-proxy-uuid"]
	if id == "" {
		t.Fatal("no osm-proxy-uuid label")
	}
	var secret struct {
		Data map[string][]byte `json:"data"`
	}
	if err := json.Unmarshal([]byte(ok(t, "", "get", "secret", "sidecar-bootstrap-config-"+id, "-n", "bookstore", "-o", "json").Stdout), &secret); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"bootstrap.yaml", "cacert.pem", "repo_cert.pem", "repo_key.pem"} {
		if len(secret.Data[k]) == 0 {
			t.Errorf("bootstrap Secret lacks %s", k)
		}
	}
	var ca struct {
		Data map[string][]byte `json:"data"`
	}
	if err := json.Unmarshal([]byte(ok(t, "", "get", "secret", "osm-ca-bundle", "-n", "osm-system", "-o", "json").Stdout), &ca); err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca.Data["ca.crt"])
	block, _ := pem.Decode(secret.Data["repo_cert.pem"])
	if block == nil {
		t.Fatal("repo_cert.pem is not PEM")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cert.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		t.Errorf("the sidecar's certificate does not verify against the mesh CA: %v", err)
	}
	if want := id + ".sidecar.bookstore.bookstore.cluster.local"; cert.Subject.CommonName != want {
		t.Errorf("CN %q, want %q", cert.Subject.CommonName, want)
	}

	// The same pod through `meshguard inject`, with the cluster's MeshConfig.
	dir := t.TempDir()
	mc := filepath.Join(dir, "mc.yaml")
	if err := os.WriteFile(mc, []byte(ok(t, "", "get", "meshconfig", "osm-mesh-config", "-n", "osm-system", "-o", "yaml").Stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	pf := filepath.Join(dir, "pod.yaml")
	if err := os.WriteFile(pf, []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(meshguard, "inject", "-f", pf, "--mesh-config", mc, "-o", "json").Output()
	if err != nil {
		t.Fatalf("meshguard inject: %v", err)
	}
	var cli podJSON
	if err := json.Unmarshal(out, &cli); err != nil {
		t.Fatal(err)
	}
	cliID := cli.Metadata.Labels["osm-proxy-uuid"]
	var want, got map[string]any
	wb, _ := json.Marshal(cli.Spec)
	if err := json.Unmarshal([]byte(strings.ReplaceAll(string(wb), cliID, id)), &want); err != nil {
		t.Fatal(err)
	}
	gb, _ := json.Marshal(p.Spec)
	if err := json.Unmarshal(gb, &got); err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{"initContainers", "containers", "volumes"} {
		if !subset(want[field], got[field]) {
			t.Errorf("%s differ between meshguard inject and the webhook:\ninject:  %v\nwebhook: %v", field, want[field], got[field])
		}
	}
}

// --dry-run=server: the injected pod is shown, nothing is stored and no
// Secret is created.
func TestInjectDryRun(t *testing.T) {
	injectionNamespace(t, "bookstore", map[string]string{"openservicemesh.io/monitored-by": "osm"})
	before := ok(t, "", "get", "secrets", "-n", "bookstore", "-o", "name").Stdout
	r := ok(t, podYAML("bookstore", "dry", ""), "create", "--dry-run=server", "-f", "-", "-o", "jsonpath={.spec.containers[*].name}")
	if !strings.Contains(r.Stdout, "sidecar") {
		t.Errorf("the dry run's pod has no sidecar: %q", r.Stdout)
	}
	if stored := kubectl(t, "", "get", "pod", "dry", "-n", "bookstore"); stored.Code == 0 {
		t.Error("a dry run stored the pod")
	}
	if after := ok(t, "", "get", "secrets", "-n", "bookstore", "-o", "name").Stdout; after != before {
		t.Errorf("a dry run created a Secret:\nbefore %q\nafter  %q", before, after)
	}
}

// A pod in a namespace the mesh does not monitor is untouched.
func TestInjectUnmonitored(t *testing.T) {
	injectionNamespace(t, "plain", nil)
	ok(t, podYAML("plain", "plain", ""), "create", "-f", "-")
	defer ok(t, "", "delete", "pod", "plain", "-n", "plain", "--wait=false")
	p := getPod(t, "plain", "plain")
	if got := names(p.Spec.Containers); !reflect.DeepEqual(got, []string{"bookstore"}) || len(p.Spec.InitContainers) != 0 {
		t.Errorf("an unmonitored pod was changed: %v %v", got, names(p.Spec.InitContainers))
	}
}

// An invalid injection annotation is denied, as osm-edge denies it.
func TestInjectInvalidAnnotation(t *testing.T) {
	injectionNamespace(t, "bookstore", map[string]string{"openservicemesh.io/monitored-by": "osm"})
	r := kubectl(t, podYAML("bookstore", "bad", `{openservicemesh.io/sidecar-injection: "on"}`), "create", "-f", "-")
	if r.Code == 0 || !strings.Contains(r.Stderr, "denied the request") || !strings.Contains(r.Stderr, "[MG4001]") || !strings.Contains(r.Stderr, "openservicemesh.io/sidecar-injection") {
		t.Errorf("want a denial naming the annotation: %s", r)
	}
}

// A Deployment's pods are injected: the ReplicaSet controller does not run
// here, so the pod is created from the Deployment's template.
func TestInjectDeploymentPod(t *testing.T) {
	injectionNamespace(t, "bookstore", map[string]string{"openservicemesh.io/monitored-by": "osm"})
	dep := `apiVersion: apps/v1
kind: Deployment
metadata:
  name: reviews
  namespace: bookstore
spec:
  selector:
    matchLabels: {app: reviews}
  template:
    metadata:
      labels: {app: reviews}
    spec:
      containers:
      - name: reviews
        image: reviews:1
`
	ok(t, dep, "apply", "-f", "-")
	defer ok(t, "", "delete", "deployment", "reviews", "-n", "bookstore")
	var d struct {
		Spec struct {
			Template map[string]any `json:"template"`
		} `json:"spec"`
	}
	if err := json.Unmarshal([]byte(ok(t, "", "get", "deployment", "reviews", "-n", "bookstore", "-o", "json").Stdout), &d); err != nil {
		t.Fatal(err)
	}
	pod := map[string]any{"apiVersion": "v1", "kind": "Pod", "metadata": d.Spec.Template["metadata"], "spec": d.Spec.Template["spec"]}
	pod["metadata"].(map[string]any)["name"] = "reviews-1"
	pod["metadata"].(map[string]any)["namespace"] = "bookstore"
	b, _ := json.Marshal(pod)
	ok(t, string(b), "create", "-f", "-")
	defer ok(t, "", "delete", "pod", "reviews-1", "-n", "bookstore", "--wait=false")
	if got := names(getPod(t, "bookstore", "reviews-1").Spec.Containers); !reflect.DeepEqual(got, []string{"reviews", "sidecar"}) {
		t.Errorf("containers %v", got)
	}
}

// A pod created from a copy of an injected pod's manifest (kubectl get -o
// json, renamed) gets an osm-proxy-uuid and a bootstrap Secret of its own,
// as osm-edge gives it, not the original's identity.
func TestInjectCopiedPodGetsItsOwnIdentity(t *testing.T) {
	injectionNamespace(t, "bookstore", map[string]string{"openservicemesh.io/monitored-by": "osm"})
	ok(t, podYAML("bookstore", "original", ""), "apply", "-f", "-")
	defer ok(t, "", "delete", "pod", "original", "-n", "bookstore", "--wait=false")
	var pod map[string]any
	if err := json.Unmarshal([]byte(ok(t, "", "get", "pod", "original", "-n", "bookstore", "-o", "json").Stdout), &pod); err != nil {
		t.Fatal(err)
	}
	meta := pod["metadata"].(map[string]any)
	oldID, _ := meta["labels"].(map[string]any)["osm-proxy-uuid"].(string)
	meta["name"] = "copied"
	for _, k := range []string{"uid", "resourceVersion", "creationTimestamp", "managedFields"} {
		delete(meta, k)
	}
	delete(pod, "status")
	b, _ := json.Marshal(pod)
	ok(t, string(b), "create", "-f", "-")
	defer ok(t, "", "delete", "pod", "copied", "-n", "bookstore", "--wait=false")
	p := getPod(t, "bookstore", "copied")
	newID := p.Metadata.Labels["osm-proxy-uuid"]
	if oldID == "" || newID == "" || newID == oldID {
		t.Fatalf("osm-proxy-uuid: original %q, copy %q", oldID, newID)
	}
	ok(t, "", "get", "secret", "sidecar-bootstrap-config-"+newID, "-n", "bookstore")
	if got := names(p.Spec.Containers); !reflect.DeepEqual(got, []string{"bookstore", "osm-healthcheck", "sidecar"}) {
		t.Errorf("the copy's containers %v: nothing is added to a copy", got)
	}
}

// With the MeshConfig deleted, osm-edge reads an empty one and injects no
// pod: meshguard denies the pods it would inject, naming what is missing,
// and judges Egress policies without a MeshConfig that is not there (no
// MG3001 naming it).
func TestMeshConfigDeleted(t *testing.T) {
	injectionNamespace(t, "bookstore", map[string]string{"openservicemesh.io/monitored-by": "osm"})
	saved := ok(t, "", "get", "meshconfig", "osm-mesh-config", "-n", "osm-system", "-o", "json").Stdout
	var mc map[string]any
	if err := json.Unmarshal([]byte(saved), &mc); err != nil {
		t.Fatal(err)
	}
	meta := mc["metadata"].(map[string]any)
	for _, k := range []string{"uid", "resourceVersion", "creationTimestamp", "managedFields", "generation"} {
		delete(meta, k)
	}
	restore, _ := json.Marshal(mc)
	ok(t, "", "delete", "meshconfig", "osm-mesh-config", "-n", "osm-system")
	defer ok(t, string(restore), "create", "-f", "-")
	// The view follows the delete within a moment.
	var r cluster.Result
	for i := 0; i < 50; i++ {
		r = kubectl(t, podYAML("bookstore", "no-mesh-config", ""), "create", "--dry-run=server", "-f", "-")
		if strings.Contains(r.Stderr, "does not exist") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if r.Code == 0 || !strings.Contains(r.Stderr, "the MeshConfig osm-system/osm-mesh-config cannot be read (it does not exist") {
		t.Errorf("a pod to inject without a MeshConfig: %s", r)
	}
	r = kubectl(t, egress("no-mesh-config", "  hosts: [a.example.org]\n  ports:\n  - number: 80\n    protocol: http\n"), "create", "--dry-run=server", "-f", "-")
	if r.Code != 0 || strings.Contains(r.Stderr, "MeshConfig osm-system/osm-mesh-config") {
		t.Errorf("an Egress without a MeshConfig: %s", r)
	}
}
