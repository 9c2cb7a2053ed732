# METADATA
# title: Sidecar injection annotation has a value osm-edge rejects
# description: |
#   osm-edge reads openservicemesh.io/sidecar-injection on the pod and on its
#   namespace, case-insensitively: enabled, yes or true, or disabled, no or
#   false. Any other value makes its injector reject the pod with "Invalid
#   annotation value"; on a namespace, it rejects every pod created there.
# custom:
#   code: MG4001
#   severity: deny
#   fix: Set openservicemesh.io/sidecar-injection to enabled or disabled.
#   docs: docs/rules.md#mg4001
package meshguard.rules.pods["injection-annotation"]

import data.meshguard.finding
import data.meshguard.kube

_key := "openservicemesh.io/sidecar-injection"

_valid := {"enabled", "yes", "true", "disabled", "no", "false"}

findings contains finding.new(rego.metadata.chain(), {
	"path": sprintf("metadata.annotations[%q]", [_key]),
	"message": sprintf("%s has %s: %s, which osm-edge's injector rejects the pod for; it must be enabled, yes or true, or disabled, no or false", [kube.object_ref, _key, finding.quote(v)]),
}) if {
	kube.is_pod
	kube.reads_injection_annotations
	v := input.object.metadata.annotations[_key]
	not lower(v) in _valid
}

findings contains finding.new(rego.metadata.chain(), {
	"path": "metadata.namespace",
	"message": sprintf("namespace %s has %s: %s, so osm-edge's injector rejects every pod created in it; it must be enabled, yes or true, or disabled, no or false", [input.object.metadata.namespace, _key, finding.quote(v)]),
}) if {
	kube.is_pod
	kube.reads_injection_annotations
	v := kube.pod_namespace.metadata.annotations[_key]
	not lower(v) in _valid
}
