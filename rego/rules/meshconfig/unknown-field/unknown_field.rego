# METADATA
# title: MeshConfig field is not in the schema
# description: |
#   The MeshConfig CRD preserves no unknown fields, so the API server prunes a
#   misspelled or misplaced field (enableEngress) and the setting never takes
#   effect; kubectl patch at most prints a warning and exits 0. meshguard names
#   the closest valid field, also when it exists at another path. A misspelling
#   in the last-applied-configuration annotation (kubectl apply
#   --validate=false) is reported too, with the real field the apply removes.
# custom:
#   code: MG1001
#   severity: deny
#   fix: Rename the field to the one suggested, or move it to the path shown.
#   docs: docs/rules.md#mg1001
package meshguard.rules.meshconfig["unknown-field"]

import data.meshguard.finding
import data.meshguard.kube
import data.meshguard.schema

findings contains finding.new(rego.metadata.chain(), {
	"path": u.path,
	"message": schema.unknown_message(u),
}) if {
	kube.is_meshconfig
	some u in input.facts.schema.unknownFields
}
