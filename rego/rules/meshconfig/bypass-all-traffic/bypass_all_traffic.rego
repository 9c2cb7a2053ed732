# METADATA
# title: MeshConfig excludes every outbound address from interception
# description: |
#   An entry of spec.traffic.outboundIPRangeExclusionList with prefix length
#   0 (0.0.0.0/0) covers every address: osm-init returns every outbound
#   connection of every injected pod before it reaches the sidecar, so the
#   mesh carries none of their outbound traffic (no mTLS, no policy, no
#   metrics, no Egress policy). The API server accepts it and osm-edge says
#   nothing. Said here, where the MeshConfig changes; MG4005 says it again
#   of each pod injected under it.
# custom:
#   code: MG1021
#   severity: warn
#   fix: Exclude only the ranges that must bypass the mesh, such as 169.254.169.254/32 for the cloud metadata service.
#   docs: docs/rules.md#mg1021
package meshguard.rules.meshconfig["bypass-all-traffic"]

import data.meshguard.finding
import data.meshguard.kube

findings contains finding.new(rego.metadata.chain(), {
	"path": sprintf("spec.traffic.outboundIPRangeExclusionList[%d]", [i]),
	"message": sprintf("spec.traffic.outboundIPRangeExclusionList excludes %s, every address: all outbound traffic of every injected pod bypasses the sidecar", [finding.quote(entry)]),
}) if {
	kube.is_meshconfig
	entries := input.object.spec.traffic.outboundIPRangeExclusionList
	is_array(entries)
	some i, entry in entries
	is_string(entry)
	endswith(entry, "/0")
	net.cidr_is_valid(entry)
}
