# METADATA
# title: Exclusion sends all outbound traffic around the sidecar
# description: |
#   An outbound IP range exclusion of 0.0.0.0/0 (or ::/0), on the pod or in the
#   MeshConfig, makes osm-init return every outbound connection before it
#   reaches the sidecar: the pod is injected but has no mesh for what it
#   sends (no mTLS, no policy, no metrics). It is usually a debugging
#   leftover.
# custom:
#   code: MG4005
#   severity: warn
#   fix: Exclude only the ranges that must bypass the mesh, or disable injection for the pod.
#   docs: docs/rules.md#mg4005
package meshguard.rules.pods["bypass-all-traffic"]

import data.meshguard.finding
import data.meshguard.kube

_key := "openservicemesh.io/outbound-ip-range-exclusion-list"

findings contains finding.new(rego.metadata.chain(), {
	"path": sprintf("metadata.annotations[%q]", [_key]),
	"message": sprintf("%s excludes %s from interception: all its outbound traffic bypasses the sidecar", [kube.object_ref, entry]),
}) if {
	kube.is_pod
	kube.injected
	some raw in split(kube.annotation(input.object, _key), ",")
	entry := trim_space(raw)
	_everything(entry)
}

findings contains finding.new(rego.metadata.chain(), {
	"path": "metadata.namespace",
	"message": sprintf("%s: %s excludes %s from interception in spec.traffic.outboundIPRangeExclusionList: all outbound traffic of every injected pod bypasses the sidecar", [kube.object_ref, kube.mesh_config_ref, entry]),
}) if {
	kube.is_pod
	kube.injected
	some entry in object.get(kube.mesh_config, ["spec", "traffic", "outboundIPRangeExclusionList"], [])
	_everything(entry)
}

# _everything is a CIDR of every address: prefix length 0 (0.0.0.0/0, ::/0,
# or any address with /0).
_everything(entry) if {
	is_string(entry)
	endswith(entry, "/0")
	net.cidr_is_valid(entry)
}
