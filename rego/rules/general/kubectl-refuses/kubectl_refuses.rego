# METADATA
# title: kubectl refuses the command
# description: |
#   kubectl checks a command before it sends anything, and refuses a patch
#   without -p/--patch or --patch-file, or with a --type other than json,
#   merge or strategic: the script stops there (or, without set -e, goes on
#   as if the change had been made). The usual cause is a line continuation
#   broken by a space after the backslash, which ends the command early and
#   leaves the -p on a line of its own.
# custom:
#   code: MG0005
#   severity: deny
#   fix: Give the patch with -p (or --patch-file) and --type merge or json on the same command; end a continued line with a backslash and nothing after it.
#   docs: docs/rules.md#mg0005
package meshguard.rules.general["kubectl-refuses"]

import data.meshguard.finding

findings contains finding.new(rego.metadata.chain(), {
	"message": sprintf("%s of %s%s is refused by kubectl itself, which sends nothing: %s", [_command, input.object.kind, _name, input.patch.refused]),
}) if {
	input.patch.refused
}

_command := input.patch.source if {
	is_string(input.patch.source)
	input.patch.source != ""
} else := "kubectl patch"

_name := sprintf(" %s", [name]) if {
	name := input.object.metadata.name
	is_string(name)
	name != ""
} else := ""
