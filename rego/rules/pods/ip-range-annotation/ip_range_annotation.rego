# METADATA
# title: IP range annotation holds something that is not a CIDR
# description: |
#   openservicemesh.io/outbound-ip-range-exclusion-list and
#   outbound-ip-range-inclusion-list are comma-separated CIDRs. osm-edge
#   rejects the pod for an entry Go's net.ParseCIDR cannot read, such as an
#   address without its prefix length.
# custom:
#   code: MG4004
#   severity: deny
#   fix: Write each entry as a CIDR such as 10.0.0.0/8; a single address is 10.0.0.1/32.
#   docs: docs/rules.md#mg4004
package meshguard.rules.pods["ip-range-annotation"]

import data.meshguard.finding
import data.meshguard.kube

_keys := {"openservicemesh.io/outbound-ip-range-exclusion-list", "openservicemesh.io/outbound-ip-range-inclusion-list"}

findings contains finding.new(rego.metadata.chain(), {
	"path": sprintf("metadata.annotations[%q]", [key]),
	"message": sprintf("%s: %s lists %s, which is not a CIDR such as 10.0.0.0/8: osm-edge's injector rejects the pod", [kube.object_ref, key, finding.quote(entry)]),
}) if {
	kube.is_pod
	some key in _keys
	some raw in split(input.object.metadata.annotations[key], ",")
	entry := trim_space(raw)
	not net.cidr_is_valid(entry)
}
