package webhook

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/meshguard/meshguard/policies"
)

// followedView shows an object once asked shows times; with gone set, the
// watch has seen every object deleted.
type followedView struct {
	StaticInventory
	asked, shows atomic.Int32
	gone         atomic.Bool
}

func (f *followedView) Gone(string) bool { return f.gone.Load() }

func (f *followedView) Tracks(kind, _, _ string) bool { return kind == "Egress" }

func (f *followedView) Shows(string, string, string, any) bool {
	return f.asked.Add(1) > f.shows.Load()
}

// portRequest is an Egress of curl/curl opening one port.
func portRequest(name string, port int, protocol string, dry bool) admission.Request {
	raw := `{"apiVersion":"policy.openservicemesh.io/v1alpha1","kind":"Egress","metadata":{"name":"` + name + `","namespace":"curl"},` +
		`"spec":{"sources":[{"kind":"ServiceAccount","name":"curl","namespace":"curl"}],"ipAddresses":["10.0.0.1/32"],"ports":[{"number":` + strconv.Itoa(port) + `,"protocol":"` + protocol + `"}]}}`
	return admission.Request{AdmissionRequest: admissionv1.AdmissionRequest{
		UID: "1", Operation: admissionv1.Create, Namespace: "curl", Name: name, DryRun: &dry,
		Kind:   metav1.GroupVersionKind{Group: "policy.openservicemesh.io", Version: "v1alpha1", Kind: "Egress"},
		Object: runtime.RawExtension{Raw: []byte(raw)},
	}}
}

func TestValidatorWaitsForTheViewToShowWhatItAdmitted(t *testing.T) {
	e := testEngine(t)
	inv := &policies.Inventory{MeshConfig: e.DefaultMeshConfig(), Egresses: []map[string]any{}}
	if err := e.PrepareInventory(context.Background(), inv); err != nil {
		t.Fatal(err)
	}
	view := &followedView{StaticInventory: StaticInventory{inv}}
	view.shows.Store(3)
	v := &Validator{Engine: e, Inventory: view}
	if _, resp := v.handle(context.Background(), portRequest("mysql", 3306, "tcp-server-first", false)); !resp.Allowed {
		t.Fatalf("%+v", resp.Result)
	}
	if view.asked.Load() != 0 {
		t.Fatalf("the first request waited for nothing, asked %d", view.asked.Load())
	}
	// An Egress that cannot conflict with it does not wait.
	v.handle(context.Background(), portRequest("web", 80, "http", false))
	if n := view.asked.Load(); n != 1 {
		t.Errorf("an unrelated Egress: asked the view %d times, want 1 (no waiting)", n)
	}
	// One that opens the same port for the same ServiceAccount otherwise
	// waits until the view shows the first.
	start := time.Now()
	v.handle(context.Background(), portRequest("legacy", 3306, "tcp", false))
	if n := view.asked.Load(); n < 4 {
		t.Errorf("a conflicting Egress: asked the view %d times, want it to poll until shown", n)
	}
	if took := time.Since(start); took > viewWait {
		t.Errorf("waited %v", took)
	}
	// What the view never shows is waited for viewWait at most, then not
	// again once pendingTTL has passed.
	v.pending.admitted(view, map[string]any{"kind": "Egress", "metadata": map[string]any{"name": "mysql", "namespace": "curl"},
		"spec": map[string]any{"sources": []any{map[string]any{"kind": "ServiceAccount", "name": "curl", "namespace": "curl"}}, "ports": []any{map[string]any{"number": int64(3306), "protocol": "tcp-server-first"}}}}, time.Now())
	view.shows.Store(1 << 30)
	start = time.Now()
	v.handle(context.Background(), portRequest("legacy", 3306, "tcp", true))
	if took := time.Since(start); took < viewWait || took > viewWait+500*time.Millisecond {
		t.Errorf("waited %v for an object the view never shows, want about %v", took, viewWait)
	}
	v.pending.mu.Lock()
	for k, w := range v.pending.items {
		w.at = w.at.Add(-pendingTTL)
		v.pending.items[k] = w
	}
	v.pending.mu.Unlock()
	start = time.Now()
	v.handle(context.Background(), portRequest("legacy", 3306, "tcp", true))
	if took := time.Since(start); took > 100*time.Millisecond {
		t.Errorf("waited %v for what is older than pendingTTL", took)
	}
	// What the watch saw deleted since it was admitted (created and
	// deleted before the view showed it) is not waited for.
	v.pending = pendingWrites{}
	v.pending.admitted(view, map[string]any{"kind": "Egress", "metadata": map[string]any{"name": "mysql", "namespace": "curl", "uid": "u1"},
		"spec": map[string]any{"sources": []any{map[string]any{"kind": "ServiceAccount", "name": "curl", "namespace": "curl"}}, "ports": []any{map[string]any{"number": int64(3306), "protocol": "tcp-server-first"}}}}, time.Now())
	view.gone.Store(true)
	start = time.Now()
	v.handle(context.Background(), portRequest("legacy", 3306, "tcp", true))
	if took := time.Since(start); took > viewWait/2 {
		t.Errorf("waited %v for an object the watch saw deleted", took)
	}
	if len(v.pending.items) != 0 {
		t.Errorf("a deleted object is still waited for: %v", v.pending.items)
	}
	view.gone.Store(false)
	// A dry run is not stored: nothing to wait for.
	v.pending = pendingWrites{}
	v.handle(context.Background(), portRequest("dry", 3306, "tcp-server-first", true))
	if len(v.pending.items) != 0 {
		t.Errorf("a dry run was noted: %v", v.pending.items)
	}
}

func TestRelevant(t *testing.T) {
	egress := func(port int, protocol, account string) map[string]any {
		return map[string]any{"sources": []any{map[string]any{"kind": "ServiceAccount", "name": account, "namespace": "curl"}},
			"ports": []any{map[string]any{"number": int64(port), "protocol": protocol}}}
	}
	for _, tc := range []struct {
		name    string
		pending pendingWrite
		obj     map[string]any
		want    bool
	}{
		{"MeshConfig, then an Egress", pendingWrite{kind: "MeshConfig"}, map[string]any{"kind": "Egress"}, true},
		{"MeshConfig, then a setting", pendingWrite{kind: "MeshConfig"}, map[string]any{"kind": "UpstreamTrafficSetting"}, false},
		{"Egress, then the MeshConfig", pendingWrite{kind: "Egress"}, map[string]any{"kind": "MeshConfig"}, true},
		{"Egress, then one opening its port otherwise", pendingWrite{kind: "Egress", spec: egress(3306, "tcp-server-first", "api")}, map[string]any{"kind": "Egress", "spec": egress(3306, "TCP", "api")}, true},
		{"Egress, then one opening its port alike", pendingWrite{kind: "Egress", spec: egress(80, "http", "api")}, map[string]any{"kind": "Egress", "spec": egress(80, "http", "api")}, false},
		{"Egress, then another account's", pendingWrite{kind: "Egress", spec: egress(3306, "tcp-server-first", "api")}, map[string]any{"kind": "Egress", "spec": egress(3306, "tcp", "web")}, false},
		{"setting, then one for its host", pendingWrite{kind: "UpstreamTrafficSetting", spec: map[string]any{"host": "a.example.com"}}, map[string]any{"kind": "UpstreamTrafficSetting", "spec": map[string]any{"host": "a.example.com"}}, true},
		{"setting, then one for another host", pendingWrite{kind: "UpstreamTrafficSetting", spec: map[string]any{"host": "a.example.com"}}, map[string]any{"kind": "UpstreamTrafficSetting", "spec": map[string]any{"host": "b.example.com"}}, false},
	} {
		if got := relevant(tc.pending, tc.obj); got != tc.want {
			t.Errorf("%s: relevant = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestClusterInventoryGone: the view remembers, for pendingTTL, the objects
// its watch saw deleted, by UID (tombstones included), so that the late
// delete of an object's previous copy does not count for the new one.
func TestClusterInventoryGone(t *testing.T) {
	c := &ClusterInventory{missing: map[schema.GroupVersionKind]bool{}}
	now := time.Now()
	deleted := func(name, uid string) *unstructured.Unstructured {
		o := &unstructured.Unstructured{}
		o.SetName(name)
		o.SetNamespace("curl")
		o.SetUID(types.UID(uid))
		return o
	}
	c.sawDeleted(deleted("httpbin", "uid-1"), now)
	c.sawDeleted(toolscache.DeletedFinalStateUnknown{Key: "curl/old", Obj: deleted("old", "uid-2")}, now)
	for uid, want := range map[string]bool{"uid-1": true, "uid-2": true, "uid-3": false} {
		if got := c.Gone(uid); got != want {
			t.Errorf("Gone(%s) = %v, want %v", uid, got, want)
		}
	}
	// A policy deleted and created again at once (replace --force): the
	// old copy's delete, seen after the new copy was admitted, does not end
	// the wait for the new one.
	var p pendingWrites
	p.admitted(c, map[string]any{"kind": "Egress", "metadata": map[string]any{"name": "mysql", "namespace": "curl", "uid": "new"},
		"spec": map[string]any{"ports": []any{map[string]any{"number": int64(3306), "protocol": "tcp-server-first"}}}}, now)
	c.sawDeleted(deleted("mysql", "old"), now.Add(3*time.Millisecond))
	if w, _ := p.unshown(c, now.Add(4*time.Millisecond), map[string]any{"kind": "MeshConfig"}); w == nil {
		t.Error("the new copy is no longer waited for after the old copy's delete")
	}
	c.sawDeleted(deleted("mysql", "new"), now.Add(5*time.Millisecond))
	if w, _ := p.unshown(c, now.Add(6*time.Millisecond), map[string]any{"kind": "MeshConfig"}); w != nil {
		t.Error("the new copy, deleted since, is still waited for")
	}
	// Old deletes are forgotten when the next one comes.
	c.sawDeleted(deleted("later", "uid-4"), now.Add(2*pendingTTL))
	if c.Gone("uid-1") {
		t.Error("a delete older than pendingTTL is still remembered")
	}
}
