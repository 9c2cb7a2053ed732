# METADATA
# title: meshguard entrypoint
# description: |
#   The one query Go prepares. It collects the findings of every rule under
#   data.meshguard.rules and drops those the object itself asks to ignore
#   with the annotation meshguard.io/ignore: MG2003,MG2004.
package meshguard.main

import data.meshguard.kube

findings contains f if {
	not input.patch.unresolved
	some group in groups
	some name
	some f in data.meshguard.rules[group][name].findings
	not f.code in ignored
}

# groups are the rule groups that speak about the object's kind: only they are
# evaluated, so a MeshConfig never pays for the Egress rules or the reverse.
groups contains "general"

groups contains "crossresource"

groups contains "meshconfig" if kube.is_meshconfig

groups contains "egress" if kube.is_policy

groups contains "pods" if kube.is_pod

# A patch meshguard could not read leaves only a stand-in object: judging its
# content would report what is not there, so only the general rules speak.
findings contains f if {
	input.patch.unresolved
	some name
	some f in data.meshguard.rules.general[name].findings
}

# ignored is the set of codes listed in the object's meshguard.io/ignore annotation.
ignored contains trim_space(code) if {
	some code in split(input.object.metadata.annotations["meshguard.io/ignore"], ",")
}
