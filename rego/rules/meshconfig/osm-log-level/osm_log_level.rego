# METADATA
# title: Control-plane log level is not one osm-edge knows
# description: |
#   observability.osmLogLevel has no enum in the CRD, so the API server stores
#   any text. osm-edge's chart allows only debug, info, warn, error, fatal, panic,
#   disabled and trace, and the control plane cannot apply any other level.
# custom:
#   code: MG1018
#   severity: warn
#   fix: Set observability.osmLogLevel to debug, info, warn, error, fatal, panic, disabled or trace.
#   docs: docs/rules.md#mg1018
package meshguard.rules.meshconfig["osm-log-level"]

import data.meshguard.finding
import data.meshguard.kube

_levels := ["debug", "info", "warn", "error", "fatal", "panic", "disabled", "trace"]

findings contains finding.new(rego.metadata.chain(), {
	"path": "spec.observability.osmLogLevel",
	"message": sprintf("osmLogLevel %s is not one of %s (the levels osm-edge's chart allows; the CRD does not check it)", [finding.quote(level), concat(", ", _levels)]),
}) if {
	kube.is_meshconfig
	level := input.object.spec.observability.osmLogLevel
	is_string(level)
	not level in _levels
}
