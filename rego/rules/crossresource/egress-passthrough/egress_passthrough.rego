# METADATA
# title: Egress policy restricts nothing while mesh-wide egress passthrough is on
# description: |
#   In osm-edge, spec.traffic.enableEgress and Egress policies add up: outbound
#   traffic that no policy matches is passed through to its destination when
#   enableEgress is true (the install default). An Egress policy then only adds
#   routing, mTLS or UpstreamTrafficSetting behaviour to what it matches; it
#   blocks nothing. Restricting egress needs enableEgress false.
# custom:
#   code: MG3001
#   severity: warn
#   fix: Set spec.traffic.enableEgress to false in the MeshConfig so that only traffic the Egress policies allow leaves the mesh.
#   docs: docs/rules.md#mg3001
package meshguard.rules.crossresource["egress-passthrough"]

import data.meshguard.finding
import data.meshguard.kube

findings contains finding.new(rego.metadata.chain(), {
	"message": sprintf("%s restricts nothing: spec.traffic.enableEgress is true in %s, so unmatched egress traffic passes through", [kube.object_ref, kube.mesh_config_ref]),
}) if {
	kube.is_egress
	kube.passthrough(kube.mesh_config)

	# with the policy feature off the Egress is ignored altogether (MG3003),
	# and so it is in a namespace osm-edge does not monitor (MG3004)
	kube.egress_policy_enabled(kube.mesh_config)
	not kube.object_unmonitored
}
