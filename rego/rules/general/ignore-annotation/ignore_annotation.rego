# METADATA
# title: meshguard.io/ignore lists something that is not a rule code
# description: |
#   The annotation meshguard.io/ignore takes a comma-separated list of rule
#   codes (MG2004,MG3001). An entry that is not a code, or the code of no rule
#   meshguard has (MG2040 for MG2004), suppresses nothing, so
#   the finding it was meant to silence still appears, or a typo hides
#   which finding was meant.
# custom:
#   code: MG0004
#   severity: warn
#   fix: List rule codes such as MG2004, separated by commas (meshguard rules lists them).
#   docs: docs/rules.md#mg0004
package meshguard.rules.general["ignore-annotation"]

import data.meshguard.catalog
import data.meshguard.finding

findings contains finding.new(rego.metadata.chain(), {
	"path": `metadata.annotations["meshguard.io/ignore"]`,
	"message": sprintf("meshguard.io/ignore entry %q is not a rule code (MG followed by four digits)", [entry]),
}) if {
	some raw in split(input.object.metadata.annotations["meshguard.io/ignore"], ",")
	entry := trim_space(raw)
	not regex.match(`^MG[0-9]{4}$`, entry)
}

findings contains finding.new(rego.metadata.chain(), {
	"path": `metadata.annotations["meshguard.io/ignore"]`,
	"message": sprintf("meshguard.io/ignore entry %q is no rule meshguard has, so it suppresses nothing (meshguard rules lists them)", [entry]),
}) if {
	some raw in split(input.object.metadata.annotations["meshguard.io/ignore"], ",")
	entry := trim_space(raw)
	regex.match(`^MG[0-9]{4}$`, entry)
	not entry in catalog.codes
}
