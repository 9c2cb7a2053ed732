package policies

import (
	"fmt"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Input is what every caller hands the engine: one object under review and the
// cluster view it is judged against. The webhook fills it from an AdmissionReview
// and its cache, the CLI from files.
type Input struct {
	// Operation is CREATE, UPDATE, DELETE or CONNECT; the CLI uses CREATE, or
	// UPDATE for a patch and a script's kubectl apply or replace of a
	// MeshConfig (Applied).
	Operation string `json:"operation,omitempty"`
	// Object is the object as the API server would store it, or as written in a
	// file. Unknown fields may still be present; the engine reports and prunes them.
	Object map[string]any `json:"object"`
	// OldObject is the stored object an UPDATE replaces.
	OldObject map[string]any `json:"oldObject,omitempty"`
	// Options are the request's CreateOptions or UpdateOptions.
	Options map[string]any `json:"options,omitempty"`
	// DryRun is true for kubectl --dry-run=server.
	DryRun bool `json:"dryRun,omitempty"`
	// Inventory is the cluster view for cross-resource rules.
	Inventory Inventory `json:"inventory"`
	// Patch describes the kubectl patch that produced Object, when the CLI
	// validated one.
	Patch *Patch `json:"patch,omitempty"`
	// Applied is the kubectl verb, apply or replace, of a script's command
	// that sent Object, when the CLI judges it as the update the API server
	// would receive (Object merged into OldObject as kubectl apply merges,
	// or whole for replace). Like Patch, it says the CLI saw what was sent
	// before the API server pruned it.
	Applied string `json:"applied,omitempty"`
	// Injection is, for a pod the injecting webhook judges, whether
	// osm-edge's selection injects it (input.facts.injection). Without it
	// the rules judge a pod offline, from what the inputs show.
	Injection *Injection `json:"-"`
	// QuietStanding leaves out, of an UPDATE, the warnings and notes its
	// old object already drew (same rule, field and words): the update is
	// told what it changes, not again what the object already was. The
	// webhook and a script's updates set it; validate patch does not.
	QuietStanding bool `json:"-"`
	// AssumedOld is true when OldObject is no object the caller was shown
	// but one it assumed under the name the update gives (a script's first
	// patch of a MeshConfig no input holds starts from the install
	// defaults so named): with QuietStanding, a warning on that name is
	// still the update's own, said there for the first time.
	AssumedOld bool `json:"-"`
	// InjectorMeshConfig is the MeshConfig, as namespace/name, by which
	// meshguard's own injecting webhook injects pods, when the caller serves
	// it beside the rules (meshguard serve; input.facts.injector). Empty
	// when meshguard injects no pod: meshguard validate, whose files may be
	// for a cluster where osm-edge's own injector injects, and serve
	// --inject=false. Rules about what meshguard's injector cannot inject
	// read it, since its refusals reject pods (failurePolicy Fail).
	InjectorMeshConfig string `json:"-"`
	// Admission is true for an admission request (input.admission): its
	// objects and inventory are as the API server stores them, whole, so a
	// field that is not set is not set (not left out of a manifest).
	Admission bool `json:"-"`
}

// Injection is osm-edge's injection decision for a pod.
type Injection struct {
	// Inject is true when the pod gets the sidecar; Reason says why or why not.
	Inject bool
	Reason string
	// InjectedButForHostNetwork is true for a pod on the host network that
	// would be injected on the pod network.
	InjectedButForHostNetwork bool
}

// Inventory is the part of the cluster the cross-resource rules read. A nil
// slice means "not known" (rules that need it stay silent); an empty one means
// "known to hold none".
type Inventory struct {
	// MeshConfig is the mesh's MeshConfig; nil when there is none.
	MeshConfig map[string]any `json:"meshConfig,omitempty"`
	// Egresses are the Egress policies of the mesh.
	Egresses []map[string]any `json:"egresses,omitempty"`
	// EgressSummaries are more Egress policies, given by what the index reads
	// of them (SummarizeEgress), for a caller that holds many. Only
	// PrepareInventory reads them: an inventory that has any must be prepared.
	EgressSummaries []EgressSummary `json:"-"`
	// Namespaces are the Namespaces, with their labels.
	Namespaces []map[string]any `json:"namespaces,omitempty"`
	// UpstreamTrafficSettings are the UpstreamTrafficSetting policies.
	UpstreamTrafficSettings []map[string]any `json:"upstreamTrafficSettings,omitempty"`
	// MeshName is the mesh's name, as namespaces are labelled
	// openservicemesh.io/monitored-by=<mesh name>; empty means any mesh.
	MeshName string `json:"meshName,omitempty"`

	frozen *ast.Term
}

func (inv *Inventory) term() (*ast.Term, error) {
	if inv.frozen != nil {
		return inv.frozen, nil
	}
	if inv.EgressSummaries != nil {
		return nil, fmt.Errorf("an inventory with Egress summaries must be prepared (PrepareInventory)")
	}
	v, err := ast.InterfaceToValue(inv.value())
	if err != nil {
		return nil, fmt.Errorf("convert inventory: %w", err)
	}
	return ast.NewTerm(v), nil
}

// Patch describes a kubectl patch the CLI applied to produce the object.
type Patch struct {
	// Type is merge, json or strategic, as kubectl's --type.
	Type string `json:"type"`
	// Error is why the patch could not be applied, if it could not.
	Error string `json:"error,omitempty"`
	// Path is the field path the failing operation named.
	Path string `json:"path,omitempty"`
	// Suggestion is the closest existing field path to Path; the engine fills
	// it in when empty.
	Suggestion string `json:"suggestion,omitempty"`
	// Partial says why only the patch's field names are known: a shell
	// expansion stands for a value, which the CLI replaced with a
	// placeholder. Only rules about field names then speak.
	Partial string `json:"partial,omitempty"`
	// Source is what sent the object, as messages name it: "" for kubectl
	// patch, "kustomize patch" for a patch file of a kustomization (then
	// Partial, as kustomize merges it into a base the CLI does not see),
	// "kubectl apply" (or create, replace) for a here-document meshguard
	// cannot read (then Unresolved).
	Source string `json:"source,omitempty"`
	// Unresolved says why the patch could not be read at all (a shell
	// expansion in a script); only the general rules judge such an input.
	Unresolved string `json:"unresolved,omitempty"`
	// Refused says why kubectl itself refuses the command, sending nothing
	// (a patch without -p); only the general rules judge such an input.
	Refused string `json:"refused,omitempty"`
}

// Severity is how a finding is enforced.
type Severity string

// The severities a rule may declare.
const (
	Deny Severity = "deny"
	Warn Severity = "warn"
	Info Severity = "info"
)

// Finding is one rule's verdict on one object.
type Finding struct {
	// Rule is the rule's stable code, e.g. MG2003.
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	Title    string   `json:"title"`
	// Message names the field and its value.
	Message string `json:"message"`
	// Path is the field path, e.g. spec.ports[1].protocol; empty for the whole object.
	Path string `json:"path,omitempty"`
	Fix  string `json:"fix"`
	Docs string `json:"docs"`
}
