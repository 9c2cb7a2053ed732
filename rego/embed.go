// Package rego embeds meshguard's rules: Rego modules with METADATA, one concern per
// file, and their tests. Import it as rulefs, since OPA's own package is also named rego.
package rego

import "embed"

// FS holds every module under this folder: the entrypoint (main), the finding
// builder (finding), accessors (kube), the rule codes (catalog) and the rules
// (rules/<group>/<name>).
//
//go:embed .manifest main finding kube schema index catalog rules
var FS embed.FS
