# METADATA
# title: Pod on the host network is not injected
# description: |
#   osm-edge never injects a pod with spec.hostNetwork: its traffic is the
#   node's and cannot be intercepted. The pod runs outside the mesh, and
#   osm-edge says nothing about it.
# custom:
#   code: MG4006
#   severity: info
#   fix: Nothing to do if the pod must use the host network; it is not part of the mesh.
#   docs: docs/rules.md#mg4006
package meshguard.rules.pods["host-network"]

import data.meshguard.finding
import data.meshguard.kube

findings contains finding.new(rego.metadata.chain(), {
	"path": "spec.hostNetwork",
	"message": sprintf("%s uses the host network, so osm-edge does not inject it: it runs outside the mesh", [kube.object_ref]),
}) if {
	kube.is_pod
	input.object.spec.hostNetwork == true
	kube.injected_but_for_host_network
}
