// Package webhook serves the rules as Kubernetes admission webhooks: the
// request is turned into the same policies.Input the CLI builds, so the
// webhook and `meshguard validate` give the same verdict on the same object.
package webhook

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	"k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/meshguard/meshguard/policies"
)

// InventorySource gives the cluster view a request is judged against.
type InventorySource interface {
	// Inventory returns the current view, prepared once for many requests.
	// ErrNotReady means the view is not built yet.
	Inventory(ctx context.Context) (*policies.Inventory, error)
}

// ErrNotReady is returned while the cluster view is still syncing.
var ErrNotReady = errors.New("meshguard is starting: its view of the cluster has not synced yet")

// StaticInventory is a fixed view: tests and the golden fixtures use it.
type StaticInventory struct{ Inv *policies.Inventory }

// Inventory implements InventorySource.
func (s StaticInventory) Inventory(context.Context) (*policies.Inventory, error) {
	return s.Inv, nil
}

// Validator is the validating admission handler.
type Validator struct {
	Engine    *policies.Engine
	Inventory InventorySource
	Metrics   *Metrics // nil: no metrics
	// Live reads from the API server itself what the view may not have
	// yet (fresh.go); nil judges by the view alone.
	Live client.Reader
	// InjectorMeshConfig is the MeshConfig (namespace/name) by which the
	// same server's injecting webhook injects pods, when it serves one
	// (policies.Input.InjectorMeshConfig); empty when it injects nothing.
	InjectorMeshConfig string

	// pending are the objects admitted that the view may not show yet
	// (pending.go); dryRuns the UpstreamTrafficSettings admitted in dry
	// runs (fresh.go).
	pending pendingWrites
	dryRuns dryUpstreams
}

var _ admission.Handler = (*Validator)(nil)

// Handle judges one admission request.
func (v *Validator) Handle(ctx context.Context, req admission.Request) admission.Response {
	start := time.Now()
	kind := req.Kind.Kind
	findings, resp := v.handle(ctx, req)
	v.Metrics.observe(kind, req, findings, resp, time.Since(start))
	logNoVerdict(ctx, req, resp)
	if len(findings) > 0 {
		log.FromContext(ctx).V(1).Info("findings", "kind", kind, "namespace", req.Namespace, "name", req.Name,
			"operation", req.Operation, "allowed", resp.Allowed, "findings", findings)
	}
	return resp
}

func (v *Validator) handle(ctx context.Context, req admission.Request) ([]policies.Finding, admission.Response) {
	in, err := Input(req.AdmissionRequest)
	if err != nil {
		return nil, admission.Errored(http.StatusBadRequest, err)
	}
	if in.Object == nil {
		// DELETE and CONNECT carry no object; meshguard has nothing to judge.
		return nil, admission.Allowed("")
	}
	v.awaitView(ctx, in.Object)
	inv, err := v.Inventory.Inventory(ctx)
	if err != nil {
		return nil, admission.Errored(http.StatusServiceUnavailable, err)
	}
	fresh, err := v.withFreshUpstreams(ctx, in.Object, req.Namespace, in.DryRun, inv)
	if err != nil {
		return nil, admission.Errored(http.StatusServiceUnavailable, err)
	}
	in.Inventory = *fresh
	// An update hears what it changes: not again the warnings the stored
	// object already drew (kubectl label of an Egress that passthrough
	// makes useless, a GitOps tool applying the same MeshConfig again).
	in.QuietStanding, in.Admission = true, true
	in.InjectorMeshConfig = v.InjectorMeshConfig
	findings, err := v.Engine.Evaluate(ctx, in)
	if err != nil {
		return nil, admission.Errored(http.StatusInternalServerError, fmt.Errorf("evaluate the rules: %w", err))
	}
	resp := Verdict(findings)
	if f, ok := v.Inventory.(viewFollower); ok && resp.Allowed && !in.DryRun {
		v.pending.admitted(f, v.asWatched(in.Object), time.Now())
	}
	if resp.Allowed && in.DryRun {
		v.dryRuns.admitted(in.Object, time.Now())
	}
	return findings, resp
}

// logNoVerdict logs why a request got no verdict (HTTP 5xx): the API
// server reports only that the webhook could not handle it, so the reason
// would otherwise be lost.
func logNoVerdict(ctx context.Context, req admission.Request, resp admission.Response) {
	if resp.Allowed || resp.Result == nil || resp.Result.Code < 500 {
		return
	}
	keys := []any{"kind", req.Kind.Kind, "namespace", req.Namespace, "name", req.Name, "operation", req.Operation, "code", resp.Result.Code}
	if resp.Result.Message == ErrNotReady.Error() {
		// Every request while a replica starts: expected, and /readyz
		// already says so.
		log.FromContext(ctx).Info("no verdict: the cluster view has not synced yet; the API server applies the failure policy", keys...)
		return
	}
	log.FromContext(ctx).Error(errors.New(resp.Result.Message), "no verdict; the API server applies the failure policy", keys...)
}

// Input turns an admission request into the engine's input (without the
// inventory). A request that cannot be read is an error naming what is wrong.
func Input(req admissionv1.AdmissionRequest) (policies.Input, error) {
	var in policies.Input
	if req.UID == "" {
		return in, errors.New("the AdmissionReview has no request, or the request has no uid")
	}
	in.Operation = string(req.Operation)
	if req.DryRun != nil {
		in.DryRun = *req.DryRun
	}
	var err error
	if in.Object, err = object(req.Object.Raw, "request.object"); err != nil {
		return in, err
	}
	if in.OldObject, err = object(req.OldObject.Raw, "request.oldObject"); err != nil {
		return in, err
	}
	if in.Options, err = object(req.Options.Raw, "request.options"); err != nil {
		return in, err
	}
	if in.Object == nil && (req.Operation == admissionv1.Create || req.Operation == admissionv1.Update) {
		return in, fmt.Errorf("a %s request has no request.object", req.Operation)
	}
	return in, nil
}

func object(raw []byte, field string) (map[string]any, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	// apimachinery's json keeps integers as int64, as the API server does, so
	// the schema sees 8080 and not 8080.0.
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("%s is not a JSON object: %w", field, err)
	}
	return m, nil
}
