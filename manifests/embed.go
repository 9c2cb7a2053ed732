// Package manifests holds meshguard's Kubernetes manifests. The CRDs under crds/
// are the one schema source: the engine validates and prunes against them, and
// the e2e API server installs the same files. defaults/ holds osm-edge 1.3.9's
// install-default MeshConfig.
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
