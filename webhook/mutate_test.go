package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	jsonpatch "github.com/evanphx/json-patch/v5"

	"github.com/meshguard/meshguard/certs"
	"github.com/meshguard/meshguard/inject"
	"github.com/meshguard/meshguard/policies"
)

// memSecrets is an in-memory SecretStore: the handler's logic is tested
// here, the API server path in test/e2e.
type memSecrets struct {
	secrets map[string]*corev1.Secret
	created []string
}

func (m *memSecrets) Get(_ context.Context, ns, name string) (*corev1.Secret, error) {
	if s, ok := m.secrets[ns+"/"+name]; ok {
		return s.DeepCopy(), nil
	}
	return nil, apierrors.NewNotFound(schema.GroupResource{Resource: "secrets"}, name)
}

func (m *memSecrets) GetService(_ context.Context, ns, name string) (*corev1.Service, error) {
	return nil, apierrors.NewNotFound(schema.GroupResource{Resource: "services"}, name)
}

func (m *memSecrets) Create(_ context.Context, s *corev1.Secret) error {
	s.CreationTimestamp = metav1.Now() // as the API server sets it
	m.secrets[s.Namespace+"/"+s.Name] = s
	m.created = append(m.created, s.Namespace+"/"+s.Name)
	return nil
}

func injector(t testing.TB, withCA bool, more ...map[string]any) (*Injector, *memSecrets) {
	t.Helper()
	e := testEngine(t)
	ns := namespaceObject("bookstore", map[string]any{"openservicemesh.io/sidecar-injection": "enabled"})
	inv := &policies.Inventory{MeshConfig: e.DefaultMeshConfig(), Egresses: []map[string]any{}, Namespaces: append([]map[string]any{ns}, more...)}
	if err := e.PrepareInventory(context.Background(), inv); err != nil {
		t.Fatal(err)
	}
	view, err := NewPodView(inv)
	if err != nil {
		t.Fatal(err)
	}
	store := &memSecrets{secrets: map[string]*corev1.Secret{}}
	if withCA {
		b, err := certs.Generate([]string{"osm-ca"}, 24*3600e9)
		if err != nil {
			t.Fatal(err)
		}
		store.secrets["osm-system/osm-ca-bundle"] = &corev1.Secret{Data: map[string][]byte{"ca.crt": b.CA, "private.key": b.CAKey}}
	}
	return &Injector{Engine: e, View: StaticPodView{view}, Secrets: store, MeshName: "osm", Namespace: "osm-system"}, store
}

// namespaceObject is a Namespace the mesh monitors, with annotations.
func namespaceObject(name string, annotations map[string]any) map[string]any {
	return map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{
		"name":        name,
		"labels":      map[string]any{"openservicemesh.io/monitored-by": "osm"},
		"annotations": annotations,
	}}
}

func podRequest(t testing.TB, pod *corev1.Pod, dry bool) admission.Request {
	t.Helper()
	raw, err := json.Marshal(pod)
	if err != nil {
		t.Fatal(err)
	}
	return admission.Request{AdmissionRequest: admissionv1.AdmissionRequest{
		UID: "1", Operation: admissionv1.Create, Namespace: pod.Namespace, DryRun: &dry,
		Kind:   metav1.GroupVersionKind{Version: "v1", Kind: "Pod"},
		Object: runtime.RawExtension{Raw: raw},
	}}
}

func testPod() *corev1.Pod {
	return &corev1.Pod{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Name: "app", Namespace: "bookstore"},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "app:1"}}},
	}
}

// apply applies a response's JSON patch to the request's pod.
func apply(t testing.TB, req admission.Request, resp admission.Response) *corev1.Pod {
	t.Helper()
	patch, err := json.Marshal(resp.Patches)
	if err != nil {
		t.Fatal(err)
	}
	out, err := applyJSONPatch(req.Object.Raw, patch)
	if err != nil {
		t.Fatal(err)
	}
	p := &corev1.Pod{}
	if err := json.Unmarshal(out, p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestInjectorInjectsAndCreatesTheSecret(t *testing.T) {
	in, store := injector(t, true)
	req := podRequest(t, testPod(), false)
	resp := in.Handle(context.Background(), req)
	if !resp.Allowed || len(resp.Patches) == 0 {
		t.Fatalf("response %+v", resp)
	}
	p := apply(t, req, resp)
	if !inject.Injected(p) || len(p.Spec.InitContainers) != 1 {
		t.Fatalf("patched pod not injected: %+v", p.Spec)
	}
	want := "bookstore/" + inject.BootstrapSecretName(p.Labels[inject.LabelProxyUUID])
	if len(store.created) != 1 || store.created[0] != want {
		t.Errorf("created %v, want [%s]", store.created, want)
	}
	// Reinvocation on the injected pod changes nothing and creates nothing.
	again := in.Handle(context.Background(), podRequest(t, p, false))
	if !again.Allowed || len(again.Patches) != 0 || len(store.created) != 1 {
		t.Errorf("reinvocation: %+v, created %v", again, store.created)
	}
}

func TestInjectorDryRunCreatesNoSecret(t *testing.T) {
	in, store := injector(t, true)
	resp := in.Handle(context.Background(), podRequest(t, testPod(), true))
	if !resp.Allowed || len(resp.Patches) == 0 || len(store.created) != 0 {
		t.Errorf("dry run: allowed=%v patches=%d created=%v", resp.Allowed, len(resp.Patches), store.created)
	}
}

func TestInjectorWithoutCADeniesAndSaysWhatToDo(t *testing.T) {
	in, _ := injector(t, false)
	resp := in.Handle(context.Background(), podRequest(t, testPod(), false))
	if resp.Allowed || !strings.Contains(resp.Result.Message, "osm-system/osm-ca-bundle does not exist") || !strings.Contains(resp.Result.Message, "check that osm-edge is installed") {
		t.Errorf("response %+v", resp.Result)
	}
}

func TestInjectorDeniesInvalidAnnotationWithItsCode(t *testing.T) {
	in, store := injector(t, true)
	p := testPod()
	p.Annotations = map[string]string{"openservicemesh.io/sidecar-injection": "on"}
	resp := in.Handle(context.Background(), podRequest(t, p, false))
	if resp.Allowed || !strings.HasPrefix(resp.Result.Message, "[MG4001]") || len(store.created) != 0 {
		t.Errorf("response %+v", resp.Result)
	}
}

func applyJSONPatch(doc, patch []byte) ([]byte, error) {
	p, err := jsonpatch.DecodePatch(patch)
	if err != nil {
		return nil, err
	}
	return p.Apply(doc)
}

// A pod from a ReplicaSet has no name at admission, only generateName; the
// pod rules must still judge it.
func TestInjectorJudgesPodsWithoutAName(t *testing.T) {
	in, store := injector(t, true)
	p := testPod()
	p.Name, p.GenerateName = "", "web-7d9f-"
	p.Annotations = map[string]string{"openservicemesh.io/outbound-port-exclusion-list": "99999"}
	resp := in.Handle(context.Background(), podRequest(t, p, false))
	if resp.Allowed || !strings.Contains(resp.Result.Message, "[MG4003]") || !strings.Contains(resp.Result.Message, "web-7d9f-*") || len(store.created) != 0 {
		t.Errorf("response %+v", resp.Result)
	}
}

// With the local DNS proxy on, injected pods need osm-controller's address:
// a Service that does not exist is a denial that says so (a state to fix);
// one that cannot be read is no verdict (503).
func TestInjectorDNSProxyNeedsTheControllerAddress(t *testing.T) {
	in, store := injector(t, true)
	v, _ := in.View.PodView(context.Background())
	mc := *v.MeshConfig
	mc.Spec.Sidecar.LocalDNSProxy.Enable = true
	view := *v
	view.MeshConfig = &mc
	in.View = StaticPodView{&view}
	resp := in.Handle(context.Background(), podRequest(t, testPod(), false))
	if resp.Allowed || resp.Result.Code != 403 || !strings.Contains(resp.Result.Message, "Service osm-system/osm-controller does not exist") || len(store.created) != 0 {
		t.Errorf("response %+v", resp.Result)
	}
	in.Secrets = failingServices{store}
	resp = in.Handle(context.Background(), podRequest(t, testPod(), false))
	if resp.Allowed || resp.Result.Code != 503 || !strings.Contains(resp.Result.Message, "cannot be read") || len(store.created) != 0 {
		t.Errorf("read failure: response %+v", resp.Result)
	}
}

// failingServices cannot read Services.
type failingServices struct{ *memSecrets }

func (failingServices) GetService(context.Context, string, string) (*corev1.Service, error) {
	return nil, errors.New("connection refused")
}

// The pod rules speak of what injection does to a pod: a pod osm-edge does
// not inject is admitted untouched, whatever its annotations or its
// namespace's metrics annotation say (osm-edge reads them only for the
// pods it injects).
func TestInjectorLeavesPodsItDoesNotInjectToThemselves(t *testing.T) {
	quiet := namespaceObject("quiet", map[string]any{"openservicemesh.io/sidecar-injection": "disabled", "openservicemesh.io/metrics": "on"})
	in, store := injector(t, true, quiet)
	badPorts := map[string]string{"openservicemesh.io/outbound-port-exclusion-list": "abc"}
	for _, tc := range []struct {
		name        string
		namespace   string
		annotations map[string]string
		hostNetwork bool
		nonRoot     bool
		allowed     bool
		rules       string // the rule codes of the findings, in order
	}{
		{name: "injection off in the namespace, metrics annotation wrong", namespace: "quiet", allowed: true},
		{name: "and a bad annotation on the host network", namespace: "quiet", annotations: badPorts, hostNetwork: true, allowed: true},
		{name: "and a pod that requires non-root", namespace: "quiet", nonRoot: true, allowed: true},
		{name: "opted out with a bad annotation", namespace: "bookstore", annotations: map[string]string{"openservicemesh.io/sidecar-injection": "disabled", "openservicemesh.io/outbound-port-exclusion-list": "abc"}, allowed: true},
		{name: "on the host network where pods are injected", namespace: "bookstore", annotations: badPorts, hostNetwork: true, allowed: true, rules: "MG4006"},
		{name: "injected with a bad annotation", namespace: "bookstore", annotations: badPorts, rules: "MG4003"},
		{name: "an injection annotation osm-edge cannot read, on the host network", namespace: "bookstore", annotations: map[string]string{"openservicemesh.io/sidecar-injection": "maybe"}, hostNetwork: true, allowed: true},
		{name: "opted in where the metrics annotation is wrong", namespace: "quiet", annotations: map[string]string{"openservicemesh.io/sidecar-injection": "enabled"}, rules: "MG4002"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := testPod()
			p.Namespace, p.Annotations, p.Spec.HostNetwork = tc.namespace, tc.annotations, tc.hostNetwork
			if tc.nonRoot {
				yes := true
				p.Spec.SecurityContext = &corev1.PodSecurityContext{RunAsNonRoot: &yes}
			}
			before := len(store.created)
			findings, resp := in.handle(context.Background(), podRequest(t, p, false))
			var rules []string
			for _, f := range findings {
				rules = append(rules, f.Rule)
			}
			if resp.Allowed != tc.allowed || strings.Join(rules, " ") != tc.rules {
				t.Errorf("allowed %v, findings %v; want allowed %v, %q\n%+v", resp.Allowed, findings, tc.allowed, tc.rules, resp.Result)
			}
			if tc.allowed && (len(resp.Patches) != 0 || len(store.created) != before) {
				t.Errorf("a pod osm-edge does not inject was changed: %d patches, Secrets %v", len(resp.Patches), store.created[before:])
			}
			if tc.allowed && tc.rules == "" && len(resp.Warnings) != 0 {
				t.Errorf("warnings %v", resp.Warnings)
			}
		})
	}
}

// A copy of an injected pod's manifest (kubectl get -o yaml, renamed,
// created) carries the original's osm-proxy-uuid and bootstrap volume. It
// is not the webhook reinvoked on the pod it injected: as osm-edge does,
// it gets an id and a copy of the Secret of its own.
func TestInjectorGivesACopiedPodItsOwnIdentity(t *testing.T) {
	in, store := injector(t, true)
	req := podRequest(t, testPod(), false)
	original := apply(t, req, in.Handle(context.Background(), req))
	oldID := original.Labels[inject.LabelProxyUUID]

	copied := original.DeepCopy()
	copied.Name = "app-copy"
	creq := podRequest(t, copied, false)
	resp := in.Handle(context.Background(), creq)
	if !resp.Allowed || len(resp.Patches) == 0 {
		t.Fatalf("copy: %+v", resp)
	}
	p := apply(t, creq, resp)
	newID := p.Labels[inject.LabelProxyUUID]
	if newID == "" || newID == oldID || !inject.Injected(p) {
		t.Errorf("the copy kept id %q (original %q), volume %+v", newID, oldID, p.Spec.Volumes)
	}
	if len(store.created) != 2 || store.created[1] != "bookstore/"+inject.BootstrapSecretName(newID) {
		t.Errorf("Secrets created %v, want the copy's own", store.created)
	}
	if len(p.Spec.Containers) != len(original.Spec.Containers) || len(p.Spec.InitContainers) != len(original.Spec.InitContainers) {
		t.Errorf("the copy got containers added: %d and %d init, original %d and %d", len(p.Spec.Containers), len(p.Spec.InitContainers), len(original.Spec.Containers), len(original.Spec.InitContainers))
	}
	// The same pod sent again is still a reinvocation.
	again := in.Handle(context.Background(), podRequest(t, p, false))
	if !again.Allowed || len(again.Patches) != 0 || len(store.created) != 2 {
		t.Errorf("reinvocation of the copy: %+v, created %v", again, store.created)
	}
}

// In a dry run no Secret is made, so the pod sent again is the same pod.
func TestInjectorDryRunReinvocationChangesNothing(t *testing.T) {
	in, store := injector(t, true)
	req := podRequest(t, testPod(), true)
	p := apply(t, req, in.Handle(context.Background(), req))
	again := in.Handle(context.Background(), podRequest(t, p, true))
	if !again.Allowed || len(again.Patches) != 0 || len(store.created) != 0 {
		t.Errorf("dry-run reinvocation: %+v, created %v", again, store.created)
	}
}

// A denial names the MeshConfig serve watches (--mesh-config-name).
func TestInjectorNamesItsMeshConfig(t *testing.T) {
	in, _ := injector(t, true)
	v, _ := in.View.PodView(context.Background())
	view := *v
	view.MeshConfig, view.MeshConfigErr = nil, errors.New("not found")
	in.View, in.MeshConfigName = StaticPodView{&view}, "edge-config"
	resp := in.Handle(context.Background(), podRequest(t, testPod(), false))
	if resp.Allowed || !strings.Contains(resp.Result.Message, "the MeshConfig osm-system/edge-config cannot be read (not found)") {
		t.Errorf("response %+v", resp.Result)
	}
}

// A bootstrap Secret made by an earlier meshguard has no meshguard.io/pod
// annotation: a pod that comes back with it is taken to be the same pod
// (a reinvocation on this replica during an upgrade), not injected again.
func TestInjectorReinvocationWithAnOlderSecret(t *testing.T) {
	in, store := injector(t, true)
	req := podRequest(t, testPod(), false)
	p := apply(t, req, in.Handle(context.Background(), req))
	for _, s := range store.secrets {
		delete(s.Annotations, inject.AnnotationSecretPod)
	}
	again := in.Handle(context.Background(), podRequest(t, p, false))
	if !again.Allowed || len(again.Patches) != 0 || len(store.created) != 1 {
		t.Errorf("reinvocation: %+v, created %v", again, store.created)
	}
}

// A pod from a ReplicaSet has no name at admission, only the generateName
// its siblings share. Sent again while its Secret is new, it is the same
// pod; a pod of that generateName carrying the Secret later is a copy.
func TestInjectorUnnamedPodsAndTheirCopies(t *testing.T) {
	in, store := injector(t, true)
	p := testPod()
	p.Name, p.GenerateName = "", "web-7d9f-"
	req := podRequest(t, p, false)
	injected := apply(t, req, in.Handle(context.Background(), req))
	again := in.Handle(context.Background(), podRequest(t, injected, false))
	if !again.Allowed || len(again.Patches) != 0 || len(store.created) != 1 {
		t.Fatalf("reinvocation: %+v, created %v", again, store.created)
	}
	for _, s := range store.secrets {
		s.CreationTimestamp = metav1.NewTime(s.CreationTimestamp.Add(-time.Minute))
	}
	creq := podRequest(t, injected, false)
	resp := in.Handle(context.Background(), creq)
	copied := apply(t, creq, resp)
	if copied.Labels[inject.LabelProxyUUID] == injected.Labels[inject.LabelProxyUUID] || len(store.created) != 2 {
		t.Errorf("a later pod of the same generateName kept the original's id: %v, created %v", copied.Labels, store.created)
	}
}
