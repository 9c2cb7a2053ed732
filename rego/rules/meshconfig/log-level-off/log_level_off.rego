# METADATA
# title: Sidecar log level off cannot be set
# description: |
#   osm-edge documents off as a sidecar.logLevel, but its CRD lists the enum value
#   off unquoted, and YAML reads a bare off as the boolean false. The installed
#   enum therefore holds false instead of "off": the API server rejects
#   logLevel "off" as an unsupported value, and an unquoted logLevel: off is sent
#   as the boolean false and rejected as not a string. critical is the quietest
#   level that can be set.
# custom:
#   code: MG1016
#   severity: deny
#   fix: Set sidecar.logLevel to critical.
#   docs: docs/rules.md#mg1016
package meshguard.rules.meshconfig["log-level-off"]

import data.meshguard.finding
import data.meshguard.kube

findings contains finding.new(rego.metadata.chain(), {
	"path": "spec.sidecar.logLevel",
	"message": `logLevel "off" is rejected by the API server: osm-edge's CRD lists off unquoted, which YAML reads as the boolean false, so the installed enum has false and not "off"`,
}) if {
	kube.is_meshconfig
	input.object.spec.sidecar.logLevel == "off"
}

findings contains finding.new(rego.metadata.chain(), {
	"path": "spec.sidecar.logLevel",
	"message": "logLevel false (an unquoted off, which YAML reads as a boolean) is rejected by the API server as not a string, and \"off\" cannot be set either: osm-edge's CRD lists off unquoted too",
}) if {
	kube.is_meshconfig
	input.object.spec.sidecar.logLevel == false
}
