# METADATA
# title: Strategic merge patch on a custom resource
# description: |
#   kubectl patch defaults to --type strategic, which the API server rejects
#   for custom resources such as MeshConfig and Egress ("the body of the
#   request was in an unknown format"), so the command fails and nothing
#   changes.
# custom:
#   code: MG0001
#   severity: deny
#   fix: Add --type merge (or --type json with a list of operations) to the kubectl patch command.
#   docs: docs/rules.md#mg0001
package meshguard.rules.general["strategic-merge-patch"]

import data.meshguard.finding

findings contains finding.new(rego.metadata.chain(), {
	"message": sprintf("kubectl patch of %s uses a strategic merge patch (kubectl's default --type), which the API server rejects for custom resources", [input.object.kind]),
}) if {
	input.patch.type == "strategic"
}
