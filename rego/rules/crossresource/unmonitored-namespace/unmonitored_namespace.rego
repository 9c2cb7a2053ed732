# METADATA
# title: Egress policy is in a namespace the mesh does not monitor
# description: |
#   osm-edge reads Egress policies only from namespaces it monitors, those
#   labelled openservicemesh.io/monitored-by (osm namespace add). A policy
#   elsewhere is ignored, and osm-edge's own webhook does not check it either.
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
	"message": sprintf("%s is in namespace %s, which has no %s label: osm-edge only uses Egress policies in namespaces it monitors", [kube.object_ref, finding.quote(input.object.metadata.namespace), _label]),
}) if {
	kube.is_egress
	labels := kube.index.namespaceLabels[input.object.metadata.namespace]
	object.get(labels, _label, "") in {"", null}
}
