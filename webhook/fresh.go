package webhook

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/meshguard/meshguard/policies"
)

// The cluster view lags the API server by the watch's latency and
// rebuildDelay. kubectl apply of a file that holds an UpstreamTrafficSetting
// and the Egress policy that names it sends the Egress milliseconds after the
// setting was stored: the view does not have it yet, and the Egress would be
// denied for naming a setting that does not exist (MG3005). So the settings
// an Egress names that the view lacks are read from the API server itself
// before the rules judge it; only those, and only then, so the usual request
// makes no API call.

// withFreshUpstreams returns inv, or a copy of it with the
// UpstreamTrafficSettings obj names that the view lacks and the API server
// (live) has. A failed read is an error: judged by the view, the Egress
// would be denied for naming a setting that may well exist, so the request
// gets no verdict (503) and the API server's failure policy applies.
//
// A server dry run stores nothing: kubectl apply --dry-run=server of a file
// holding a setting and the Egress naming it would have the Egress denied
// for a setting the real apply creates. So in a dry run, a setting this
// replica admitted in a dry run a moment before counts too.
func (v *Validator) withFreshUpstreams(ctx context.Context, obj map[string]any, namespace string, dry bool, inv *policies.Inventory) (*policies.Inventory, error) {
	if v.Live == nil || !isEgress(obj) {
		return inv, nil
	}
	if ns, _, _ := unstructured.NestedString(obj, "metadata", "namespace"); ns != "" {
		namespace = ns
	}
	var missing []string
	for _, name := range upstreamNames(obj) {
		if !hasObject(inv.UpstreamTrafficSettings, namespace, name) && !slices.Contains(missing, name) {
			missing = append(missing, name)
		}
	}
	if len(missing) == 0 {
		return inv, nil
	}
	if len(missing) > maxFreshReads {
		// osm-edge reads one setting per Egress (the first match); more
		// are MG2011's, and not worth a request's time budget.
		missing = missing[:maxFreshReads]
	}
	ctx, cancel := context.WithTimeout(ctx, freshReadTimeout)
	defer cancel()
	var found []map[string]any
	for _, name := range missing {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(UpstreamTrafficSettingGVK)
		err := v.Live.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, u)
		switch {
		case apierrors.IsNotFound(err):
			if o := v.dryRuns.upstream(namespace, name, time.Now()); dry && o != nil {
				found = append(found, o)
			}
		case err != nil:
			return nil, fmt.Errorf("read UpstreamTrafficSetting %s/%s, which meshguard's view of the cluster does not have yet: %w", namespace, name, err)
		default:
			found = append(found, u.Object)
		}
	}
	if len(found) == 0 {
		return inv, nil
	}
	fresh := *inv
	fresh.UpstreamTrafficSettings = append(append([]map[string]any{}, inv.UpstreamTrafficSettings...), found...)
	if err := v.Engine.PrepareInventory(ctx, &fresh); err != nil {
		return nil, fmt.Errorf("prepare the cluster view with fresh UpstreamTrafficSettings: %w", err)
	}
	log.FromContext(ctx).V(1).Info("judged with UpstreamTrafficSettings the view did not have yet", "namespace", namespace, "found", len(found))
	return &fresh, nil
}

// dryUpstreams are the UpstreamTrafficSettings admitted in dry runs, by
// namespace/name, for the dry runs of the same apply that follow.
type dryUpstreams struct {
	mu    sync.Mutex
	items map[string]dryUpstream
}

type dryUpstream struct {
	object map[string]any
	at     time.Time
}

func (d *dryUpstreams) admitted(obj map[string]any, now time.Time) {
	if obj["kind"] != UpstreamTrafficSettingGVK.Kind {
		return
	}
	namespace, _, _ := unstructured.NestedString(obj, "metadata", "namespace")
	name, _, _ := unstructured.NestedString(obj, "metadata", "name")
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.items == nil {
		d.items = map[string]dryUpstream{}
	}
	for k, u := range d.items {
		if now.Sub(u.at) > pendingTTL {
			delete(d.items, k)
		}
	}
	d.items[namespace+"/"+name] = dryUpstream{object: obj, at: now}
}

func (d *dryUpstreams) upstream(namespace, name string, now time.Time) map[string]any {
	d.mu.Lock()
	defer d.mu.Unlock()
	if u, ok := d.items[namespace+"/"+name]; ok && now.Sub(u.at) <= pendingTTL {
		return u.object
	}
	return nil
}

// maxFreshReads and freshReadTimeout bound the live reads of one request,
// well inside the webhook's timeoutSeconds (3).
const (
	maxFreshReads    = 4
	freshReadTimeout = time.Second
)

func isEgress(obj map[string]any) bool {
	apiVersion, _ := obj["apiVersion"].(string)
	return obj["kind"] == "Egress" && strings.HasPrefix(apiVersion, EgressGVK.Group+"/")
}

// upstreamNames are the names of the UpstreamTrafficSettings an Egress's
// spec.matches name.
func upstreamNames(obj map[string]any) []string {
	matches, _, _ := unstructured.NestedSlice(obj, "spec", "matches")
	var names []string
	for _, m := range matches {
		match, _ := m.(map[string]any)
		name, _ := match["name"].(string)
		if match["kind"] == UpstreamTrafficSettingGVK.Kind && name != "" {
			names = append(names, name)
		}
	}
	return names
}

func hasObject(list []map[string]any, namespace, name string) bool {
	for _, o := range list {
		ns, _, _ := unstructured.NestedString(o, "metadata", "namespace")
		n, _, _ := unstructured.NestedString(o, "metadata", "name")
		if ns == namespace && n == name {
			return true
		}
	}
	return false
}
