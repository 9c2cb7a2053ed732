# METADATA
# title: IP range annotation holds something that is not a CIDR
# description: |
#   openservicemesh.io/outbound-ip-range-exclusion-list and
#   outbound-ip-range-inclusion-list are comma-separated CIDRs. osm-edge
#   rejects the pod for an entry Go's net.ParseCIDR cannot read, such as an
#   address without its prefix length. It accepts an IPv6 CIDR, but osm-init
#   writes the list into IPv4 iptables rules, which cannot hold one: the
#   pod's init container fails and the pod never starts.
# custom:
#   code: MG4004
#   severity: deny
#   fix: Write each entry as an IPv4 CIDR such as 10.0.0.0/8; a single address is 10.0.0.1/32.
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
	kube.injected
	some key in _keys
	some raw in split(input.object.metadata.annotations[key], ",")
	entry := trim_space(raw)
	not net.cidr_is_valid(entry)
}

findings contains finding.new(rego.metadata.chain(), {
	"path": sprintf("metadata.annotations[%q]", [key]),
	"message": sprintf("%s: %s lists %s, an IPv6 CIDR: osm-edge accepts it, but osm-init writes it into IPv4 iptables rules, iptables-restore fails on it and the pod never starts", [kube.object_ref, key, finding.quote(entry)]),
}) if {
	kube.is_pod
	kube.injected
	not kube.ebpf
	some key in _keys
	some raw in split(input.object.metadata.annotations[key], ",")
	entry := trim_space(raw)
	net.cidr_is_valid(entry)
	contains(entry, ":")
}
