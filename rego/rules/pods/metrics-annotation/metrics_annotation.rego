# METADATA
# title: Namespace metrics annotation has a value osm-edge rejects
# description: |
#   osm-edge reads openservicemesh.io/metrics on the pod's namespace when it
#   injects a pod (osm metrics enable). A value other than enabled, yes, true,
#   disabled, no or false makes its injector reject every pod it would
#   inject in the namespace with "Invalid value specified for annotation";
#   pods it does not inject are not affected.
# custom:
#   code: MG4002
#   severity: deny
#   fix: Set openservicemesh.io/metrics on the namespace to enabled or disabled (osm metrics enable|disable).
#   docs: docs/rules.md#mg4002
package meshguard.rules.pods["metrics-annotation"]

import data.meshguard.finding
import data.meshguard.kube

_key := "openservicemesh.io/metrics"

findings contains finding.new(rego.metadata.chain(), {
	"path": "metadata.namespace",
	"message": sprintf("namespace %s has %s: %s, so osm-edge's injector rejects the pods it would inject there; it must be enabled, yes or true, or disabled, no or false", [input.object.metadata.namespace, _key, finding.quote(v)]),
}) if {
	kube.is_pod
	kube.injected
	v := kube.annotation(kube.pod_namespace, _key)
	v != ""
	not lower(v) in {"enabled", "yes", "true", "disabled", "no", "false"}
}
