package webhook

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/meshguard/meshguard/policies"
)

// followedView shows an object once asked shows times.
type followedView struct {
	StaticInventory
	asked, shows atomic.Int32
}

func (f *followedView) Tracks(kind, _, _ string) bool { return kind == "Egress" }

func (f *followedView) Shows(string, string, string, any) bool {
	return f.asked.Add(1) > f.shows.Load()
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
	req := egressRequest(t)
	if _, resp := v.handle(context.Background(), req); !resp.Allowed {
		t.Fatalf("%+v", resp.Result)
	}
	if view.asked.Load() != 0 {
		t.Fatalf("the first request waited for nothing, asked %d", view.asked.Load())
	}
	// The next request waits until the view shows the Egress admitted.
	start := time.Now()
	v.handle(context.Background(), req)
	if n := view.asked.Load(); n != 4 {
		t.Errorf("asked the view %d times, want 4 (three polls, then shown)", n)
	}
	if took := time.Since(start); took > viewWait {
		t.Errorf("waited %v", took)
	}
	// What the view never shows is waited for viewWait at most, then not
	// again once pendingTTL has passed.
	view.asked.Store(0)
	view.shows.Store(1 << 30)
	start = time.Now()
	v.handle(context.Background(), req)
	if took := time.Since(start); took < viewWait || took > viewWait+500*time.Millisecond {
		t.Errorf("waited %v for an object the view never shows, want about %v", took, viewWait)
	}
	v.pending.mu.Lock()
	for k, w := range v.pending.items {
		w.at = w.at.Add(-pendingTTL)
		v.pending.items[k] = w
	}
	v.pending.mu.Unlock()
	// (the request above admitted the Egress again: aged too)
	start = time.Now()
	v.handle(context.Background(), egressRequest(t, "x"))
	if took := time.Since(start); took > 100*time.Millisecond {
		t.Errorf("waited %v for what is older than pendingTTL", took)
	}
	// A dry run is not stored: nothing to wait for.
	v.pending = pendingWrites{}
	dry := true
	req.DryRun = &dry
	v.handle(context.Background(), req)
	if len(v.pending.items) != 0 {
		t.Errorf("a dry run was noted: %v", v.pending.items)
	}
}
