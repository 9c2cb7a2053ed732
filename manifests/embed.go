// Package manifests holds meshguard's Kubernetes manifests. The CRDs under crds/
// are the one schema source: the engine validates and prunes against them, and
// the e2e API server installs the same files. defaults/ holds osm-edge 1.3.9's
// install-default MeshConfig, and which chart values of osm install set which of
// its fields. deploy/ is meshguard's own deployment; the local
// control plane registers its validating-webhook.yaml.
package manifests

import "embed"

// CRDs holds crds/*.yaml.
//
//go:embed crds/*.yaml
var CRDs embed.FS

// DefaultMeshConfig is osm-edge 1.3.9's install-default MeshConfig (YAML).
//
//go:embed defaults/osm-mesh-config.yaml
var DefaultMeshConfig []byte

// InstallValues maps the chart values of osm install --set to the MeshConfig
// fields they preset (YAML).
//
//go:embed defaults/osm-install-values.yaml
var InstallValues []byte

// ValidatingWebhook is deploy/validating-webhook.yaml: the webhook
// configuration shipped for clusters and registered by the local control plane.
//
//go:embed deploy/validating-webhook.yaml
var ValidatingWebhook []byte

// MutatingWebhook is deploy/mutating-webhook.yaml: the injecting webhook.
//
//go:embed deploy/mutating-webhook.yaml
var MutatingWebhook []byte
