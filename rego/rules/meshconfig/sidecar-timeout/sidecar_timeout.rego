# METADATA
# title: Sidecar timeout or connection limit is out of range
# description: |
#   sidecar.sidecarTimeout and maxDataPlaneConnections are plain integers in the
#   CRD. osm-edge replaces a sidecarTimeout of 0 or less with 60 seconds, so the
#   value written is not the one used; maxDataPlaneConnections counts
#   connections, with 0 meaning unlimited, so a negative limit means nothing.
# custom:
#   code: MG1020
#   severity: warn
#   fix: Set sidecarTimeout to a positive number of seconds and maxDataPlaneConnections to 0 (unlimited) or more.
#   docs: docs/rules.md#mg1020
package meshguard.rules.meshconfig["sidecar-timeout"]

import data.meshguard.finding
import data.meshguard.kube

findings contains finding.new(rego.metadata.chain(), {
	"path": "spec.sidecar.sidecarTimeout",
	"message": sprintf("sidecarTimeout %v is not a positive number of seconds: osm-edge ignores it and uses 60", [timeout]),
}) if {
	kube.is_meshconfig
	timeout := input.object.spec.sidecar.sidecarTimeout
	is_number(timeout)
	timeout <= 0
}

findings contains finding.new(rego.metadata.chain(), {
	"path": "spec.sidecar.maxDataPlaneConnections",
	"message": sprintf("maxDataPlaneConnections %v is negative: use 0 for no limit or a positive number of connections", [limit]),
}) if {
	kube.is_meshconfig
	limit := input.object.spec.sidecar.maxDataPlaneConnections
	is_number(limit)
	limit < 0
}
