# METADATA
# title: Policy field is not in the schema
# description: |
#   The Egress and UpstreamTrafficSetting CRDs preserve no unknown fields under
#   spec, so the API server prunes a misspelled field (ipAdresses) and the
#   policy behaves as if it were not there. meshguard names the closest valid
#   field.
# custom:
#   code: MG2001
#   severity: deny
#   fix: Rename the field to the one suggested, or move it to the path shown.
#   docs: docs/rules.md#mg2001
package meshguard.rules.egress["unknown-field"]

import data.meshguard.finding
import data.meshguard.kube
import data.meshguard.schema

findings contains finding.new(rego.metadata.chain(), {
	"path": u.path,
	"message": schema.unknown_message(u),
}) if {
	kube.is_policy
	some u in input.facts.schema.unknownFields
}
