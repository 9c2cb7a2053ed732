# METADATA
# title: Egress port protocol is not one osm-edge knows
# description: |
#   osm-edge compiles an Egress port only for http, https, tcp and
#   tcp-server-first (compared case-insensitively). Any other value, grpc
#   included, is silently ignored, so the port is never opened.
# custom:
#   code: MG2003
#   severity: deny
#   fix: Set the protocol to http, https, tcp or tcp-server-first (use tcp or https for gRPC).
#   docs: docs/rules.md#mg2003
package meshguard.rules.egress["unknown-protocol"]

import data.meshguard.finding
import data.meshguard.kube

_known := {"http", "https", "tcp", "tcp-server-first"}

findings contains finding.new(rego.metadata.chain(), {
	"path": sprintf("spec.ports[%d].protocol", [i]),
	"message": sprintf("protocol %s on port %v is ignored by osm-edge: it must be one of http, https, tcp, tcp-server-first", [finding.quote(port.protocol), port.number]),
}) if {
	kube.is_egress
	some i, port in input.object.spec.ports
	is_string(port.protocol)
	not lower(port.protocol) in _known
}
