// Package source turns what users hand meshguard into documents: YAML and JSON
// files (multi-document, kind: List), stdin, kubectl-style patches, and the kubectl
// commands and YAML blocks inside shell scripts and Markdown runbooks. Every
// document keeps its origin (file, line of each field), so findings can point at
// the line to change.
package source
