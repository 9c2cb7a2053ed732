package meshguard.main_test

import data.meshguard.main

_egress(annotations) := {
	"apiVersion": "policy.openservicemesh.io/v1alpha1",
	"kind": "Egress",
	"metadata": {"name": "e", "namespace": "ns", "annotations": annotations},
	"spec": {
		"sources": [{"kind": "ServiceAccount", "name": "sa", "namespace": "ns"}],
		"ports": [{"number": 443, "protocol": "grpc"}],
	},
}

test_collects_rule_findings if {
	codes := {f.code | some f in main.findings} with input as {"object": _egress({})}
	"MG2003" in codes
}

test_annotation_ignores_listed_codes if {
	codes := {f.code | some f in main.findings} with input as {"object": _egress({"meshguard.io/ignore": "MG3001, MG2003"})}
	not "MG2003" in codes
}

test_ignored_parses_comma_list if {
	main.ignored == {"MG1001", "MG2002"} with input as {"object": {"metadata": {"annotations": {"meshguard.io/ignore": " MG1001 ,MG2002"}}}}
}

test_groups_follow_the_kind if {
	main.groups == {"general", "crossresource", "egress"} with input as {"object": _egress({})}
	main.groups == {"general", "crossresource", "meshconfig"} with input as {"object": {"apiVersion": "config.openservicemesh.io/v1alpha2", "kind": "MeshConfig"}}
	main.groups == {"general", "crossresource"} with input as {"object": {"apiVersion": "v1", "kind": "ConfigMap"}}
}

# A patch read only in part speaks of field names: the unknown field and the
# general rules, not the value (grpc) that stands for a shell expansion.
test_partial_patch_speaks_of_field_names_only if {
	unknown := {"path": "spec.prots", "field": "prots", "source": "object", "moved": false, "suggestion": "spec.ports"}
	inp := {
		"object": _egress({}),
		"operation": "UPDATE",
		"patch": {"type": "merge", "partial": "a shell expansion stands for a value"},
		"facts": {"schema": {"checked": true, "served": true, "unknownFields": [unknown], "errors": []}},
	}
	codes := {f.code | some f in main.findings} with input as inp
	codes == {"MG0003", "MG2001"}
	whole := {f.code | some f in main.findings} with input as object.remove(inp, ["patch"])
	"MG2003" in whole
}
