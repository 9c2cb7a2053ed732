package webhook

import (
	"context"
	"errors"
	"strings"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/meshguard/meshguard/policies"
)

// liveReader answers Get from a map, counting the reads; the API server
// path itself is tested in test/e2e (TestApplyUpstreamAndEgressTogether).
type liveReader struct {
	objects map[string]map[string]any
	err     error
	reads   int
}

func (l *liveReader) Get(_ context.Context, key client.ObjectKey, obj client.Object, _ ...client.GetOption) error {
	l.reads++
	if l.err != nil {
		return l.err
	}
	o, ok := l.objects[key.String()]
	if !ok {
		return apierrors.NewNotFound(schema.GroupResource{Group: "policy.openservicemesh.io", Resource: "upstreamtrafficsettings"}, key.Name)
	}
	obj.(*unstructured.Unstructured).Object = o
	return nil
}

func (l *liveReader) List(context.Context, client.ObjectList, ...client.ListOption) error {
	return errors.New("not used")
}

func egressRequest(t *testing.T, matches ...string) admission.Request {
	t.Helper()
	var ms []string
	for _, m := range matches {
		ms = append(ms, `{"apiGroup":"policy.openservicemesh.io/v1alpha1","kind":"UpstreamTrafficSetting","name":"`+m+`"}`)
	}
	raw := `{"apiVersion":"policy.openservicemesh.io/v1alpha1","kind":"Egress","metadata":{"name":"e","namespace":"curl"},` +
		`"spec":{"sources":[{"kind":"ServiceAccount","name":"curl","namespace":"curl"}],"hosts":["h.example.org"],"ports":[{"number":80,"protocol":"http"}],"matches":[` + strings.Join(ms, ",") + `]}}`
	return admission.Request{AdmissionRequest: admissionv1.AdmissionRequest{
		UID: "1", Operation: admissionv1.Create, Namespace: "curl", Name: "e",
		Kind:   metav1.GroupVersionKind{Group: "policy.openservicemesh.io", Version: "v1alpha1", Kind: "Egress"},
		Object: runtime.RawExtension{Raw: []byte(raw)},
	}}
}

func TestFreshUpstreams(t *testing.T) {
	e := testEngine(t)
	inv := &policies.Inventory{MeshConfig: e.DefaultMeshConfig(), Egresses: []map[string]any{}, UpstreamTrafficSettings: []map[string]any{}}
	if err := e.PrepareInventory(context.Background(), inv); err != nil {
		t.Fatal(err)
	}
	uts := map[string]any{"apiVersion": "policy.openservicemesh.io/v1alpha1", "kind": "UpstreamTrafficSetting",
		"metadata": map[string]any{"name": "cb", "namespace": "curl"}, "spec": map[string]any{"host": "h.example.org"}}
	// (MG3005 warns in an admission review: kubectl apply -k sends the
	// Egress before its setting.)
	for _, tc := range []struct {
		name    string
		live    *liveReader
		matches []string
		code    int32
		missing bool // MG3005 among the warnings
		reads   int
	}{
		{"a setting the view lacks, stored", &liveReader{objects: map[string]map[string]any{"curl/cb": uts}}, []string{"cb"}, 200, false, 1},
		{"a setting that does not exist", &liveReader{}, []string{"cb"}, 200, true, 1},
		{"one name many times is read once", &liveReader{}, []string{"cb", "cb", "cb", "cb", "cb", "cb"}, 403, true, 1},
		{"at most four reads", &liveReader{}, []string{"a", "b", "c", "d", "e", "f"}, 403, true, 4},
		{"a read that fails is no verdict", &liveReader{err: errors.New("etcd is slow")}, []string{"cb"}, 503, false, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := &Validator{Engine: e, Inventory: StaticInventory{inv}, Live: tc.live}
			findings, resp := v.handle(context.Background(), egressRequest(t, tc.matches...))
			missing := false
			for _, f := range findings {
				missing = missing || f.Rule == "MG3005" && f.Severity == policies.Warn
			}
			if resp.Result.Code != tc.code || missing != tc.missing || tc.live.reads != tc.reads {
				t.Errorf("code %d, MG3005 warned %v, %d reads; want %d, %v, %d: %s %v", resp.Result.Code, missing, tc.live.reads, tc.code, tc.missing, tc.reads, resp.Result.Message, resp.Warnings)
			}
		})
	}
}

// kubectl apply --dry-run=server of a file holding a setting and the Egress
// naming it: the dry run stores nothing, so the setting the same replica
// admitted in a dry run a moment before counts for the Egress's dry run.
func TestFreshUpstreamsInADryRun(t *testing.T) {
	e := testEngine(t)
	inv := &policies.Inventory{MeshConfig: e.DefaultMeshConfig(), Egresses: []map[string]any{}, UpstreamTrafficSettings: []map[string]any{}}
	if err := e.PrepareInventory(context.Background(), inv); err != nil {
		t.Fatal(err)
	}
	v := &Validator{Engine: e, Inventory: StaticInventory{inv}, Live: &liveReader{}}
	dry := true
	uts := admission.Request{AdmissionRequest: admissionv1.AdmissionRequest{
		UID: "1", Operation: admissionv1.Create, Namespace: "curl", Name: "cb", DryRun: &dry,
		Kind:   metav1.GroupVersionKind{Group: "policy.openservicemesh.io", Version: "v1alpha1", Kind: "UpstreamTrafficSetting"},
		Object: runtime.RawExtension{Raw: []byte(`{"apiVersion":"policy.openservicemesh.io/v1alpha1","kind":"UpstreamTrafficSetting","metadata":{"name":"cb","namespace":"curl"},"spec":{"host":"h.example.org"}}`)},
	}}
	if _, resp := v.handle(context.Background(), uts); !resp.Allowed {
		t.Fatalf("the setting: %+v", resp.Result)
	}
	warned := func(fs []policies.Finding) bool {
		for _, f := range fs {
			if f.Rule == "MG3005" {
				return true
			}
		}
		return false
	}
	eg := egressRequest(t, "cb")
	if fs, _ := v.handle(context.Background(), eg); !warned(fs) {
		t.Errorf("a real request counted a dry run's setting")
	}
	eg.DryRun = &dry
	if fs, resp := v.handle(context.Background(), eg); !resp.Allowed || warned(fs) {
		t.Errorf("the Egress's dry run after the setting's: %+v %v", resp.Result, fs)
	}
}
