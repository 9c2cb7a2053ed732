package webhook

import (
	"context"
	"encoding/json"
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/meshguard/meshguard/inject"
	"github.com/meshguard/meshguard/policies"
)

// PodView is what injection reads from the cluster view, prepared once per
// rebuild: the namespaces by name and the decoded MeshConfig.
type PodView struct {
	Inventory  *policies.Inventory
	Namespaces map[string]*corev1.Namespace
	// MeshConfig is nil when the stored MeshConfig cannot be decoded;
	// MeshConfigErr says why.
	MeshConfig    *inject.MeshConfig
	MeshConfigErr error
}

// PodSource gives the current PodView.
type PodSource interface {
	PodView(ctx context.Context) (*PodView, error)
}

func newPodView(inv *policies.Inventory) (*PodView, error) {
	v := &PodView{Inventory: inv, Namespaces: map[string]*corev1.Namespace{}}
	for _, obj := range inv.Namespaces {
		b, err := json.Marshal(obj)
		if err != nil {
			continue
		}
		ns := &corev1.Namespace{}
		if json.Unmarshal(b, ns) == nil {
			v.Namespaces[ns.Name] = ns
		}
	}
	v.MeshConfig, v.MeshConfigErr = inject.ParseMeshConfig(inv.MeshConfig)
	if v.MeshConfigErr != nil {
		return v, fmt.Errorf("MeshConfig: %w", v.MeshConfigErr)
	}
	return v, nil
}

// StaticPodView is a fixed view: tests use it.
type StaticPodView struct{ View *PodView }

// PodView implements PodSource.
func (s StaticPodView) PodView(context.Context) (*PodView, error) { return s.View, nil }

// NewPodView builds a view from an inventory (tests and the CLI).
func NewPodView(inv *policies.Inventory) (*PodView, error) { return newPodView(inv) }
