# METADATA
# title: MeshConfig value does not match the CRD schema
# description: |
#   A wrong type, a value outside an enum or range, or a missing required
#   field. The API server rejects the request with this same wording; meshguard
#   reports it before the request is sent, naming the expected type or values.
# custom:
#   code: MG1002
#   severity: deny
#   fix: Change the value to the type, one of the values, or the range the message names.
#   docs: docs/rules.md#mg1002
package meshguard.rules.meshconfig["schema-violation"]

import data.meshguard.finding
import data.meshguard.kube
import data.meshguard.schema

findings contains finding.new(rego.metadata.chain(), {
	"path": e.path,
	"message": schema.error_message(e),
}) if {
	kube.is_meshconfig
	some e in input.facts.schema.errors
	not _claimed(e)
}

# Errors other MeshConfig rules explain better than the schema's wording:
# log-level-off (MG1016) explains logLevel "off" and false (an unquoted off,
# whose error names only its type as the bad value); any other bad logLevel
# stays here.
_claimed(e) if {
	e.path == "spec.sidecar.logLevel"
	_log_level_off(e)
}

_log_level_off(e) if e.badValue == "off"

_log_level_off(_) if input.object.spec.sidecar.logLevel in {"off", false}
