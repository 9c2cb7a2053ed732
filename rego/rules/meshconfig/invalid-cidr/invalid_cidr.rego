# METADATA
# title: Outbound IP range is not a valid IPv4 CIDR
# description: |
#   The CRD pattern for traffic.outboundIPRangeExclusionList and
#   outboundIPRangeInclusionList, ((?:\d{1,3}\.){3}\d{1,3})\/(\d{1,2})$, is not
#   anchored at the start and does not range-check octets or the prefix, so the
#   API server stores 999.1.1.1/99 or junk1.2.3.4/24. osm-edge checks the same
#   lists when they come from pod annotations, but copies the MeshConfig's
#   entries unchecked into the iptables rules of every injected pod's osm-init
#   container, which are IPv4 only.
# custom:
#   code: MG1008
#   severity: deny
#   fix: Write each entry as an IPv4 CIDR, address/prefix with octets 0-255 and a prefix of 0-32, such as 10.0.0.0/8.
#   docs: docs/rules.md#mg1008
package meshguard.rules.meshconfig["invalid-cidr"]

import data.meshguard.finding
import data.meshguard.kube

_lists := ["outboundIPRangeExclusionList", "outboundIPRangeInclusionList"]

findings contains finding.new(rego.metadata.chain(), {
	"path": sprintf("spec.traffic.%s[%d]", [list, i]),
	"message": sprintf("%s entry %s is not an IPv4 CIDR such as 10.0.0.0/8: the CRD pattern is not anchored and does not check ranges, so the API server accepts it, but the iptables rules osm-edge writes into osm-init cannot use it", [list, finding.quote(cidr)]),
}) if {
	kube.is_meshconfig
	some list in _lists
	entries := input.object.spec.traffic[list]
	is_array(entries)
	some i, cidr in entries
	is_string(cidr)
	not _ipv4_cidr(cidr)
}

# net.cidr_is_valid checks octet and prefix ranges but also accepts IPv6
# (::ffff:1.2.3.4/24 even matches the CRD pattern), hence the IPv4 shape first.
_ipv4_cidr(s) if {
	regex.match(`^[0-9]{1,3}(\.[0-9]{1,3}){3}/[0-9]{1,2}$`, s)
	net.cidr_is_valid(s)
}
