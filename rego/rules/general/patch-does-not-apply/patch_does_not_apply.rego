# METADATA
# title: JSON patch does not apply to the object
# description: |
#   A json patch operation names a path the object does not have (often a
#   misspelled field with replace, remove or test), so the API server rejects
#   the whole patch and nothing changes.
# custom:
#   code: MG0002
#   severity: deny
#   fix: Correct the operation's path to an existing field, or use add for a field that is not set yet.
#   docs: docs/rules.md#mg0002
package meshguard.rules.general["patch-does-not-apply"]

import data.meshguard.finding

findings contains finding.new(rego.metadata.chain(), {
	"path": object.get(input.patch, "path", ""),
	"message": concat("", [
		sprintf("the patch does not apply to %s %s: %s", [input.object.kind, input.object.metadata.name, input.patch.error]),
		_did_you_mean,
	]),
}) if {
	input.patch.error
}

_did_you_mean := sprintf("; did you mean %s?", [input.patch.suggestion]) if input.patch.suggestion

_did_you_mean := "" if not input.patch.suggestion
