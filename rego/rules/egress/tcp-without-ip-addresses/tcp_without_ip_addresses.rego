# METADATA
# title: Egress port open to any destination (TCP without ipAddresses, HTTPS without hosts or ipAddresses)
# description: |
#   For tcp and tcp-server-first ports osm-edge matches egress traffic by port
#   and spec.ipAddresses only; spec.hosts plays no part. With no ipAddresses the
#   match is the port alone, so the sources may reach any destination on it.
#   An https port is matched by port, spec.ipAddresses and the TLS server
#   names in spec.hosts (pkg/catalog/egress.go): with neither, it too is open
#   to any destination.
# custom:
#   code: MG2004
#   severity: warn
#   fix: List the destination CIDRs in spec.ipAddresses (or, for https, the host names in spec.hosts).
#   docs: docs/rules.md#mg2004
package meshguard.rules.egress["tcp-without-ip-addresses"]

import data.meshguard.finding
import data.meshguard.kube

findings contains finding.new(rego.metadata.chain(), {
	"path": sprintf("spec.ports[%d].protocol", [i]),
	"message": sprintf("%s allows %s port %v to any destination: spec.ipAddresses is empty, so osm-edge matches by port alone", [kube.object_ref, finding.quote(port.protocol), port.number]),
}) if {
	kube.is_egress
	not kube.has_ip_addresses # (first: one lookup, before any port)
	some i, port in input.object.spec.ports
	is_string(port.protocol)
	lower(port.protocol) in {"tcp", "tcp-server-first"}
}

findings contains finding.new(rego.metadata.chain(), {
	"path": sprintf("spec.ports[%d].protocol", [i]),
	"message": sprintf("%s allows %s port %v to any destination: spec.hosts and spec.ipAddresses are both empty, so osm-edge matches by port alone", [kube.object_ref, finding.quote(port.protocol), port.number]),
}) if {
	kube.is_egress
	not kube.has_ip_addresses
	not input.object.spec.hosts[0] # no hosts (kube.has_hosts, in one lookup)
	some i, port in input.object.spec.ports
	is_string(port.protocol)
	lower(port.protocol) == "https"
}
