package webhook

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/meshguard/meshguard/policies"
)

// The kinds the cross-resource rules read, as the cache watches them.
var (
	MeshConfigGVK             = schema.GroupVersionKind{Group: "config.openservicemesh.io", Version: "v1alpha2", Kind: "MeshConfig"}
	EgressGVK                 = schema.GroupVersionKind{Group: "policy.openservicemesh.io", Version: "v1alpha1", Kind: "Egress"}
	UpstreamTrafficSettingGVK = schema.GroupVersionKind{Group: "policy.openservicemesh.io", Version: "v1alpha1", Kind: "UpstreamTrafficSetting"}
	NamespaceGVK              = schema.GroupVersionKind{Version: "v1", Kind: "Namespace"}
)

// rebuildDelay is how long a change waits for the next before the view is
// rebuilt. The watch cache itself lags the API server by milliseconds; this
// adds at most 20 ms, and turns a burst of creates into one rebuild instead
// of one per object (each rebuild reads every watched object).
const rebuildDelay = 20 * time.Millisecond

// WatchedKinds are the kinds ClusterInventory reads.
var WatchedKinds = []schema.GroupVersionKind{MeshConfigGVK, EgressGVK, UpstreamTrafficSettingGVK, NamespaceGVK}

// ClusterInventory is the cluster view, read from a controller-runtime cache:
// never a live API call per request. Any change to a watched object marks the
// view stale, and one goroutine rebuilds it, so a burst of changes costs one
// rebuild. A request waits for a rebuild only to see an object it bears on
// that the same replica admitted a moment before (pending.go).
type ClusterInventory struct {
	Engine *policies.Engine
	Cache  cache.Cache
	// Namespace and MeshConfigName locate the mesh's MeshConfig
	// (osm-system/osm-mesh-config).
	Namespace      string
	MeshConfigName string
	// MeshName is the mesh's name (osm), for the monitored-namespace rule.
	MeshName string
	Log      logr.Logger

	current atomic.Pointer[policies.Inventory]
	pods    atomic.Pointer[PodView]
	shown   atomic.Pointer[shownIndex]
	changed chan struct{}
	missing map[schema.GroupVersionKind]bool // kinds whose CRD is not served
	// deletes are the objects the watch saw deleted lately (pendingTTL), by
	// UID: when (Gone).
	deletesMu sync.Mutex
	deletes   map[string]time.Time
}

// Inventory implements InventorySource.
func (c *ClusterInventory) Inventory(context.Context) (*policies.Inventory, error) {
	if inv := c.current.Load(); inv != nil {
		return inv, nil
	}
	return nil, ErrNotReady
}

// Ready reports whether the view has been built once after the cache synced.
func (c *ClusterInventory) Ready() bool { return c.current.Load() != nil }

// Start watches the kinds, waits for the cache to sync, builds the view and
// keeps it current until ctx ends. It is a controller-runtime Runnable.
func (c *ClusterInventory) Start(ctx context.Context) error {
	c.changed = make(chan struct{}, 1)
	c.missing = map[schema.GroupVersionKind]bool{}
	for _, gvk := range WatchedKinds {
		mark := toolscache.ResourceEventHandlerFuncs{
			AddFunc:    func(any) { c.stale() },
			UpdateFunc: func(any, any) { c.stale() },
			DeleteFunc: func(obj any) { c.sawDeleted(obj, time.Now()); c.stale() },
		}
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(gvk)
		inf, err := c.Cache.GetInformer(ctx, u)
		if meta.IsNoMatchError(err) {
			// A mesh without this CRD: rules that need the kind stay silent.
			c.Log.Info("kind not served by the API server; rules that read it stay silent", "kind", gvk.String())
			c.missing[gvk] = true
			continue
		}
		if err != nil {
			return fmt.Errorf("watch %s: %w", gvk.Kind, err)
		}
		if _, err := inf.AddEventHandler(mark); err != nil {
			return fmt.Errorf("watch %s: %w", gvk.Kind, err)
		}
	}
	if !c.Cache.WaitForCacheSync(ctx) {
		return fmt.Errorf("cache did not sync: %w", ctx.Err())
	}
	if err := c.rebuild(ctx); err != nil {
		return err
	}
	c.Log.Info("cluster view synced", "egresses", len(c.current.Load().Egresses))
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-c.changed:
			// Let a burst of changes (kubectl apply of a folder, a sync by
			// a GitOps tool) land first: one rebuild serves them all.
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(rebuildDelay):
			}
			select {
			case <-c.changed:
			default:
			}
			if err := c.rebuild(ctx); err != nil {
				// Keep serving the last good view; the next change retries.
				c.Log.Error(err, "rebuild the cluster view")
				time.Sleep(100 * time.Millisecond)
			}
		}
	}
}

// sawDeleted notes an object the watch saw deleted at now.
func (c *ClusterInventory) sawDeleted(obj any, now time.Time) {
	if tomb, ok := obj.(toolscache.DeletedFinalStateUnknown); ok {
		obj = tomb.Obj
	}
	o, err := meta.Accessor(obj)
	if err != nil || o.GetUID() == "" {
		return
	}
	c.deletesMu.Lock()
	defer c.deletesMu.Unlock()
	if c.deletes == nil {
		c.deletes = map[string]time.Time{}
	}
	for k, at := range c.deletes {
		if now.Sub(at) > pendingTTL {
			delete(c.deletes, k)
		}
	}
	c.deletes[string(o.GetUID())] = now
}

func (c *ClusterInventory) stale() {
	select {
	case c.changed <- struct{}{}:
	default:
	}
}

func (c *ClusterInventory) list(ctx context.Context, gvk schema.GroupVersionKind, opts ...client.ListOption) ([]map[string]any, error) {
	if c.missing[gvk] {
		return nil, nil
	}
	l := &unstructured.UnstructuredList{}
	l.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
	// The objects are only read, and PrepareInventory copies what it keeps:
	// no deep copy of every object on each rebuild.
	opts = append(opts, client.UnsafeDisableDeepCopy)
	if err := c.Cache.List(ctx, l, opts...); err != nil {
		return nil, fmt.Errorf("list %s: %w", gvk.Kind, err)
	}
	out := make([]map[string]any, 0, len(l.Items))
	for i := range l.Items {
		out = append(out, l.Items[i].Object)
	}
	return out, nil
}

func (c *ClusterInventory) rebuild(ctx context.Context) error {
	inv := &policies.Inventory{MeshName: c.MeshName}
	var err error
	if inv.Egresses, err = c.list(ctx, EgressGVK); err != nil {
		return err
	}
	if inv.UpstreamTrafficSettings, err = c.list(ctx, UpstreamTrafficSettingGVK); err != nil {
		return err
	}
	if inv.Namespaces, err = c.list(ctx, NamespaceGVK); err != nil {
		return err
	}
	mcs, err := c.list(ctx, MeshConfigGVK, client.InNamespace(c.Namespace))
	if err != nil {
		return err
	}
	for _, mc := range mcs {
		if name, _, _ := unstructured.NestedString(mc, "metadata", "name"); name == c.MeshConfigName {
			inv.MeshConfig = mc
		}
	}
	if err := c.Engine.PrepareInventory(ctx, inv); err != nil {
		return err
	}
	var pv *PodView
	if inv.MeshConfig == nil {
		// Deleted, or not made yet (osm-edge's bootstrap makes it at
		// install). osm-edge then reads an empty MeshConfig (spec §1.1): no
		// passthrough, no Egress policy, a sidecar image only if its
		// injector's environment sets one, no interception. The
		// rules that read the MeshConfig stay silent rather than judge by
		// one that is not there, and the injector denies, saying what is
		// missing, rather than inject by it.
		pv, _ = newPodView(inv)
		pv.MeshConfig, pv.MeshConfigErr = nil, fmt.Errorf("it does not exist; osm-edge's bootstrap creates it at install")
	} else if pv, err = newPodView(inv); err != nil {
		// A MeshConfig injection cannot read: keep judging policies, and
		// let the injector say why it cannot inject.
		c.Log.Error(err, "read the MeshConfig for injection")
	}
	shown := shownIndex{}
	indexShown(EgressGVK.Kind, inv.Egresses, shown)
	indexShown(UpstreamTrafficSettingGVK.Kind, inv.UpstreamTrafficSettings, shown)
	if inv.MeshConfig != nil {
		indexShown(MeshConfigGVK.Kind, []map[string]any{inv.MeshConfig}, shown)
	}
	// The view before its index: a request that sees the index show what
	// it waits for then reads a view that has it.
	c.pods.Store(pv)
	c.current.Store(inv)
	c.shown.Store(&shown)
	return nil
}

// PodView implements PodSource.
func (c *ClusterInventory) PodView(context.Context) (*PodView, error) {
	if v := c.pods.Load(); v != nil {
		return v, nil
	}
	return nil, ErrNotReady
}
