# METADATA
# title: Egress hosts are ignored because no port is http or https
# description: |
#   osm-edge uses spec.hosts only for http ports (the Host header) and https
#   ports (the TLS server name). For tcp and tcp-server-first ports it matches
#   the port and spec.ipAddresses alone, so a policy whose ports are all tcp
#   does not restrict traffic to the hosts it lists.
# custom:
#   code: MG2008
#   severity: warn
#   fix: Restrict the destinations with spec.ipAddresses, or use protocol http or https so the hosts apply.
#   docs: docs/rules.md#mg2008
package meshguard.rules.egress["hosts-ignored-for-tcp"]

import data.meshguard.finding
import data.meshguard.kube

findings contains finding.new(rego.metadata.chain(), {
	"path": "spec.hosts",
	"message": sprintf("%s lists hosts %s, but its ports (%s) are tcp only and osm-edge ignores hosts for tcp: %s", [
		kube.object_ref,
		finding.names([finding.quote(h) | some h in input.object.spec.hosts]),
		concat(", ", [sprintf("%v/%s", [p.number, protocol]) |
			some p in input.object.spec.ports
			is_string(p.protocol)
			protocol := lower(p.protocol)
			protocol in _tcp
		]),
		_consequence,
	]),
}) if {
	kube.is_egress
	_has_tcp_port
	not _has_host_port
	kube.has_hosts
}

_tcp := {"tcp", "tcp-server-first"}

# one rule each, so that the finding is built once however many ports match
_has_tcp_port if {
	some port in input.object.spec.ports
	is_string(port.protocol)
	lower(port.protocol) in _tcp
}

_has_host_port if {
	some port in input.object.spec.ports
	is_string(port.protocol)
	lower(port.protocol) in {"http", "https"}
}

_consequence := "only spec.ipAddresses limits the destinations" if kube.has_ip_addresses

else := "with no spec.ipAddresses any destination on these ports is allowed"
