# METADATA
# title: Tracing or remote-logging port is above 32767
# description: |
#   The CRD allows observability.tracing.port and remoteLogging.port up to 65535,
#   but osm-edge holds both in a 16-bit signed integer, whose maximum is 32767.
#   A larger port is stored by the API server and then cannot be decoded by
#   osm-edge, which fails to read the MeshConfig as a whole.
# custom:
#   code: MG1009
#   severity: deny
#   fix: Expose the collector on a port from 1 to 32767 and set that port.
#   docs: docs/rules.md#mg1009
package meshguard.rules.meshconfig["port-overflows-int16"]

import data.meshguard.finding
import data.meshguard.kube

findings contains finding.new(rego.metadata.chain(), {
	"path": sprintf("spec.observability.%s.port", [section]),
	"message": sprintf("%s port %v is above 32767: osm-edge holds this port in a 16-bit signed integer and cannot decode a MeshConfig that has it", [section, port]),
}) if {
	kube.is_meshconfig
	some section in ["tracing", "remoteLogging"]
	port := input.object.spec.observability[section].port
	is_number(port)
	port > 32767
}
