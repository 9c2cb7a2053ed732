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
		kube.ref(input.object),
		finding.names([finding.quote(h) | some h in input.object.spec.hosts]),
		concat(", ", [sprintf("%v/%s", [p.number, kube.protocol(p)]) | some p in input.object.spec.ports; kube.protocol(p) in _tcp]),
		_consequence,
	]),
}) if {
	kube.is_egress
	kube.has_items(input.object.spec, "hosts")
	some port in input.object.spec.ports
	kube.protocol(port) in _tcp
	not _has_host_port
}

_tcp := {"tcp", "tcp-server-first"}

_has_host_port if {
	some port in input.object.spec.ports
	kube.protocol(port) in {"http", "https"}
}

_consequence := "only spec.ipAddresses limits the destinations" if kube.has_items(input.object.spec, "ipAddresses")

else := "with no spec.ipAddresses any destination on these ports is allowed"
