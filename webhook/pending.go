package webhook

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/log"
)

// The cluster view follows the API server through a watch: an object this
// webhook admitted a moment ago is stored, then seen by the watch, then in
// the view once it is rebuilt (rebuildDelay). kubectl apply of a file or a
// folder, and a GitOps sync, send the next object within milliseconds, so it
// would be judged against a view without the one before it: two
// UpstreamTrafficSettings for one host in one file (MG3006), two Egress
// policies of one file that conflict on a port (MG2013), an Egress after the
// MeshConfig change of the same apply (MG3001). So the validating handler
// remembers what it admitted, and a request waits until the view shows it,
// briefly: what the API server did not store after all (another webhook
// denied it) is not waited for long, and what the watch saw deleted since
// (created and deleted within one rebuild of the view) not at all.

// viewFollower is a view that can say whether it shows an object (the
// ClusterInventory); a fixed view needs no waiting.
type viewFollower interface {
	// Tracks reports whether the view holds objects of kind named so.
	Tracks(kind, namespace, name string) bool
	// Shows reports whether the view holds the object with this spec.
	Shows(kind, namespace, name string, spec any) bool
	// Gone reports whether the watch saw the object with this UID deleted:
	// stored, then deleted before the view showed it (a create and a
	// delete within one rebuild), it will not be shown. By UID, so that
	// the late delete of an object's previous copy (replace --force,
	// delete then apply) does not end the wait for the new one.
	Gone(uid string) bool
}

const (
	// pendingTTL is how long an admitted object is waited for at most,
	// from its admission (the API server may not store it after all: it
	// exists already, another webhook denies it); viewWait how long one
	// request waits in all. The view is normally milliseconds behind, plus
	// rebuildDelay and the rebuild itself.
	pendingTTL = time.Second
	viewWait   = 500 * time.Millisecond
	viewPoll   = 5 * time.Millisecond
)

// asWatched is obj as the view will hold it: read through the version the
// cache watches, pruned and defaulted by that version's schema (a MeshConfig
// written through v1alpha1 is read back as v1alpha2, with v1alpha2's
// defaults), so that the view can be seen to show it.
func (v *Validator) asWatched(obj map[string]any) map[string]any {
	kind, _ := obj["kind"].(string)
	for _, gvk := range WatchedKinds {
		if gvk.Kind == kind && obj["apiVersion"] != gvk.GroupVersion().String() {
			return v.Engine.StoredAs(obj, gvk.GroupVersion().String())
		}
	}
	return obj
}

type pendingWrite struct {
	kind, namespace, name string
	// uid is the object's, which the API server sets before validating
	// admission, also on a create; "" when the request has none.
	uid  string
	spec any
	at   time.Time
}

// pendingWrites are the objects admitted that the view may not show yet.
type pendingWrites struct {
	mu    sync.Mutex
	items map[string]pendingWrite
}

// admitted notes an object the handler let through.
func (p *pendingWrites) admitted(f viewFollower, obj map[string]any, now time.Time) {
	kind, _ := obj["kind"].(string)
	namespace, _, _ := unstructured.NestedString(obj, "metadata", "namespace")
	name, _, _ := unstructured.NestedString(obj, "metadata", "name")
	uid, _, _ := unstructured.NestedString(obj, "metadata", "uid")
	if name == "" || !f.Tracks(kind, namespace, name) {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.items == nil {
		p.items = map[string]pendingWrite{}
	}
	p.items[kind+"/"+namespace+"/"+name] = pendingWrite{kind: kind, namespace: namespace, name: name, uid: uid, spec: obj["spec"], at: now}
}

// unshown drops what the view shows, or waited for long enough, and
// returns one object left that bears on obj's verdict (relevant), if any,
// and one that bore on it but was given up (pendingTTL), if any.
func (p *pendingWrites) unshown(f viewFollower, now time.Time, obj map[string]any) (waitFor, givenUp *pendingWrite) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for k, w := range p.items {
		switch {
		case f.Shows(w.kind, w.namespace, w.name, w.spec), w.uid != "" && f.Gone(w.uid):
			delete(p.items, k)
		case now.Sub(w.at) > pendingTTL:
			delete(p.items, k)
			if relevant(w, obj) {
				givenUp = &w
			}
		case relevant(w, obj):
			waitFor = &w
		}
	}
	return waitFor, givenUp
}

// relevant reports whether an object admitted a moment ago can change the
// verdict on obj, by what the cross-resource rules compare: the MeshConfig
// every Egress is judged by (MG3001, MG3003); the Egress policies a
// MeshConfig change counts (MG3002, MG3003); two Egress policies that open
// one port for one ServiceAccount, one of them as tcp-server-first (MG2013);
// two UpstreamTrafficSettings for one host (MG3006). (An Egress naming a
// setting reads it live, fresh.go.) Anything else needs no waiting, so
// one-at-a-time creates of unrelated policies are not slowed. A rule that
// compares objects otherwise must be added here.
func relevant(w pendingWrite, obj map[string]any) bool {
	kind, _ := obj["kind"].(string)
	switch {
	case w.kind == MeshConfigGVK.Kind:
		return kind == EgressGVK.Kind
	case w.kind == EgressGVK.Kind && kind == MeshConfigGVK.Kind:
		return true
	case w.kind == EgressGVK.Kind && kind == EgressGVK.Kind:
		return portsConflict(w.spec, obj["spec"])
	case w.kind == UpstreamTrafficSettingGVK.Kind && kind == UpstreamTrafficSettingGVK.Kind:
		a, _ := w.spec.(map[string]any)
		b, _ := obj["spec"].(map[string]any)
		return a != nil && b != nil && a["host"] != nil && a["host"] == b["host"]
	}
	return false
}

// portsConflict reports whether two Egress specs open a port for a shared
// ServiceAccount, one as tcp-server-first and the other not.
func portsConflict(a, b any) bool {
	pa, pb := egressPorts(a), egressPorts(b)
	for key, firstA := range pa {
		if firstB, ok := pb[key]; ok && firstA != firstB {
			return true
		}
	}
	return false
}

// egressPorts maps "port|namespace/account" to whether that port is
// tcp-server-first (either, for a port listed both ways).
func egressPorts(spec any) map[string]int {
	s, _ := spec.(map[string]any)
	sources, _ := s["sources"].([]any)
	ports, _ := s["ports"].([]any)
	out := map[string]int{}
	for _, src := range sources {
		m, _ := src.(map[string]any)
		account := fmt.Sprint(m["namespace"], "/", m["name"])
		for _, p := range ports {
			pm, _ := p.(map[string]any)
			protocol, _ := pm["protocol"].(string)
			first := 1
			if strings.EqualFold(protocol, "tcp-server-first") {
				first = 2
			}
			key := fmt.Sprint(pm["number"], "|", account)
			out[key] |= first
		}
	}
	return out
}

// awaitView returns once the view shows what the handler admitted before
// that bears on obj's verdict, or after viewWait.
func (v *Validator) awaitView(ctx context.Context, obj map[string]any) {
	f, ok := v.Inventory.(viewFollower)
	if !ok {
		return
	}
	w, _ := v.pending.unshown(f, time.Now(), obj)
	if w == nil {
		return
	}
	deadline := time.Now().Add(viewWait)
	timedOut := func(w *pendingWrite) {
		v.Metrics.waited("timeout")
		log.FromContext(ctx).Info("the cluster view did not show, within the wait, an object this replica admitted a moment before (not stored after all, or deleted since); judging by the view as it is",
			"waitedFor", w.kind+" "+w.namespace+"/"+w.name)
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(viewPoll):
		}
		next, _ := v.pending.unshown(f, time.Now(), obj)
		switch {
		case next == nil && f.Shows(w.kind, w.namespace, w.name, w.spec):
			v.Metrics.waited("shown")
			return
		case next == nil && w.uid != "" && f.Gone(w.uid):
			v.Metrics.waited("deleted")
			return
		case next == nil:
			// Given up (by this request or another one waiting too).
			timedOut(w)
			return
		case time.Now().After(deadline):
			timedOut(next)
			return
		}
		w = next
	}
}

// shownIndex is what the view holds, by kind/namespace/name: the spec.
type shownIndex map[string]any

func shownKey(kind, namespace, name string) string { return kind + "/" + namespace + "/" + name }

func indexShown(kind string, objs []map[string]any, into shownIndex) {
	for _, o := range objs {
		namespace, _, _ := unstructured.NestedString(o, "metadata", "namespace")
		name, _, _ := unstructured.NestedString(o, "metadata", "name")
		into[shownKey(kind, namespace, name)] = o["spec"]
	}
}

// Tracks implements viewFollower: the view holds Egress policies and
// UpstreamTrafficSettings of every namespace, and the mesh's MeshConfig.
func (c *ClusterInventory) Tracks(kind, namespace, name string) bool {
	switch kind {
	case EgressGVK.Kind:
		return !c.missing[EgressGVK]
	case UpstreamTrafficSettingGVK.Kind:
		return !c.missing[UpstreamTrafficSettingGVK]
	case MeshConfigGVK.Kind:
		return !c.missing[MeshConfigGVK] && namespace == c.Namespace && name == c.MeshConfigName
	}
	return false
}

// Gone implements viewFollower.
func (c *ClusterInventory) Gone(uid string) bool {
	c.deletesMu.Lock()
	defer c.deletesMu.Unlock()
	_, ok := c.deletes[uid]
	return ok
}

// Shows implements viewFollower.
func (c *ClusterInventory) Shows(kind, namespace, name string, spec any) bool {
	idx := c.shown.Load()
	if idx == nil {
		return false
	}
	got, ok := (*idx)[shownKey(kind, namespace, name)]
	return ok && reflect.DeepEqual(got, spec)
}
