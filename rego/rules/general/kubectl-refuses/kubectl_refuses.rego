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
import data.meshguard.kube

findings contains finding.new(rego.metadata.chain(), {
	"message": sprintf("%s is refused by kubectl itself, which sends nothing: %s", [kube.command_target, input.patch.refused]),
}) if {
	input.patch.refused
}
