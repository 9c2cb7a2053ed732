# METADATA
# title: HTTP egress port without hosts allows nothing
# description: |
#   osm-edge builds one route per spec.hosts entry for an http port. With no
#   hosts the port gets a traffic match with zero routes: every request on it
#   is refused with 403 "Access denied", so the policy allows nothing there.
# custom:
#   code: MG2005
#   severity: deny
#   fix: List the destination host names in spec.hosts, or use protocol tcp with spec.ipAddresses.
#   docs: docs/rules.md#mg2005
package meshguard.rules.egress["http-without-hosts"]

import data.meshguard.finding
import data.meshguard.kube

findings contains finding.new(rego.metadata.chain(), {
	"path": sprintf("spec.ports[%d].protocol", [i]),
	"message": sprintf("%s allows nothing on %s port %v: spec.hosts is empty, so osm-edge builds the port match with no routes", [kube.object_ref, finding.quote(port.protocol), port.number]),
}) if {
	kube.is_egress
	some i, port in input.object.spec.ports
	is_string(port.protocol)
	lower(port.protocol) == "http"
	not kube.has_hosts
}
