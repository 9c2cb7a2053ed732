# METADATA
# title: meshguard entrypoint
# description: |
#   The one query Go prepares. It collects the findings of every rule under
#   data.meshguard.rules and drops those the object itself asks to ignore
#   with the annotation meshguard.io/ignore: MG2003,MG2004.
package meshguard.main

import data.meshguard.kube

findings contains f if {
	not _stand_in
	some group in groups
	some name
	some f in data.meshguard.rules[group][name].findings
	not f.code in ignored
	_speaks(group, f)
}

# A patch meshguard could read only in part (a shell expansion stands for a
# value: '{"cpu":'$CPU'}') is judged on its field names: the general rules
# about the patch, and findings on a field the schema does not know. What
# it sets is not known, so nothing about values speaks.
_speaks(_, _) if not input.patch.partial

_speaks("general", _) if input.patch.partial

_speaks(_, f) if {
	input.patch.partial
	some u in input.facts.schema.unknownFields
	u.path == f.path
}

# groups are the rule groups that speak about the object's kind: only they are
# evaluated, so a MeshConfig never pays for the Egress rules or the reverse.
groups contains "general"

groups contains "crossresource"

groups contains "meshconfig" if kube.is_meshconfig

groups contains "egress" if kube.is_policy

groups contains "pods" if kube.is_pod

# A patch meshguard could not read, or a command kubectl refuses, leaves
# only a stand-in object: judging its content would report what is not
# there, so only the general rules speak.
findings contains f if {
	_stand_in
	some name
	some f in data.meshguard.rules.general[name].findings
}

_stand_in if input.patch.unresolved

_stand_in if input.patch.refused

# ignored is the set of codes listed in the object's meshguard.io/ignore annotation.
ignored contains trim_space(code) if {
	some code in split(input.object.metadata.annotations["meshguard.io/ignore"], ",")
}
