# METADATA
# title: Egress policy is in a namespace the mesh does not monitor
# description: |
#   osm-edge reads Egress policies only from namespaces it monitors, those
#   labelled openservicemesh.io/monitored-by=<mesh name> (osm namespace add).
#   A policy elsewhere is ignored, and osm-edge's own webhook does not check it
#   either. When the mesh name is known (meshguard's --mesh-name, osm by
#   default), a namespace monitored by another mesh counts as unmonitored.
#   The source ServiceAccounts may be in other namespaces; it is the policy's
#   namespace that counts. meshguard judges only namespaces it knows.
# custom:
#   code: MG3004
#   severity: warn
#   fix: Create the Egress in a monitored namespace, or add the namespace to the mesh with osm namespace add.
#   docs: docs/rules.md#mg3004
package meshguard.rules.crossresource["unmonitored-namespace"]

import data.meshguard.finding
import data.meshguard.kube

_label := "openservicemesh.io/monitored-by"

findings contains finding.new(rego.metadata.chain(), {
	"path": "metadata.namespace",
	"message": sprintf("%s is in namespace %s, which %s: osm-edge only uses Egress policies in namespaces it monitors", [kube.object_ref, finding.quote(input.object.metadata.namespace), _why(labels)]),
}) if {
	kube.is_egress
	labels := kube.index.namespaceLabels[input.object.metadata.namespace]
	not kube.monitored_labels(labels)
}

_mesh := object.get(input, ["inventory", "meshName"], "")

_value(labels) := object.get(labels, _label, "")

_why(labels) := sprintf("has no %s label", [_label]) if {
	_value(labels) in {"", null}
} else := sprintf("is monitored by mesh %s, not %s", [finding.quote(_value(labels)), finding.quote(_mesh)])
