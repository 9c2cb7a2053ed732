# METADATA
# title: Upstream DNS server of the local DNS proxy is not an IP address
# description: |
#   sidecar.localDNSProxy.primaryUpstreamDNSServerIPAddr and
#   secondaryUpstreamDNSServerIPAddr are plain strings in the CRD, so the API
#   server stores a host name, a CIDR or a host:port. osm-edge hands the value
#   to every injected sidecar's local DNS proxy (LOCAL_DNS_PROXY_PRIMARY_UPSTREAM,
#   LOCAL_DNS_PROXY_SECONDARY_UPSTREAM) as the address of the upstream server,
#   which must be an IP address.
# custom:
#   code: MG1019
#   severity: deny
#   fix: Set the upstream DNS server to an IP address, such as 10.96.0.10.
#   docs: docs/rules.md#mg1019
package meshguard.rules.meshconfig["invalid-dns-upstream"]

import data.meshguard.finding
import data.meshguard.kube

findings contains finding.new(rego.metadata.chain(), {
	"path": sprintf("spec.sidecar.localDNSProxy.%s", [field]),
	"message": sprintf("%s %s is not an IP address: the sidecar's local DNS proxy cannot use it as its upstream server", [field, finding.quote(addr)]),
}) if {
	kube.is_meshconfig
	some field in ["primaryUpstreamDNSServerIPAddr", "secondaryUpstreamDNSServerIPAddr"]
	addr := input.object.spec.sidecar.localDNSProxy[field]
	is_string(addr)
	addr != ""
	not _ip(addr)
}

# An address is an IP when it makes a single-host CIDR; an address that already
# has a prefix does not.
_ip(s) if net.cidr_is_valid(concat("", [s, "/32"]))

_ip(s) if {
	contains(s, ":")
	net.cidr_is_valid(concat("", [s, "/128"]))
}
