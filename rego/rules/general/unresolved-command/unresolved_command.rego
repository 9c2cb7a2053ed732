# METADATA
# title: kubectl command could not be checked
# description: |
#   A kubectl patch in a script or runbook takes its patch, type or object
#   name from a shell expansion ($PATCH, $(cat ...)), or patches an object whose
#   stored form meshguard was not given, so meshguard cannot tell what the
#   command will do. Reported so that an unchecked command is never mistaken
#   for a checked one. A patch whose expansions stand only for values
#   ('{"cpu":'$CPU'}') is checked in part: its field names are, and this
#   says that its values are not. So is a kustomize overlay's patch file,
#   which kustomize merges into a base resource. A here-document that is
#   YAML only once the shell has run its expansions ($(cat x | sed ...))
#   is not checked, nor is kubectl edit, nor an apply of what other
#   commands write (kubectl get ... | jq ... | kubectl apply -f -,
#   envsubst < FILE | kubectl apply -f -). After such a command meshguard
#   no longer knows the object: the rules that read it (a MeshConfig's
#   passthrough, for the Egress policies below) stay silent.
# custom:
#   code: MG0003
#   severity: info
#   fix: Write the patch literally in the command, or validate it with meshguard validate patch and the object's manifest as --base.
#   docs: docs/rules.md#mg0003
package meshguard.rules.general["unresolved-command"]

import data.meshguard.finding
import data.meshguard.kube

findings contains finding.new(rego.metadata.chain(), {
	"message": sprintf("%s not checked: %s", [kube.command_target, input.patch.unresolved]),
}) if {
	input.patch.unresolved
}

findings contains finding.new(rego.metadata.chain(), {
	"message": sprintf("%s checked in part: %s", [kube.command_target, input.patch.partial]),
}) if {
	input.patch.partial
}
