package meshguard.rules.egress["schema-violation_test"]

import data.meshguard.rules.egress["schema-violation"] as rule

_e := {"path": "spec.ports[0].number", "type": "Invalid value", "message": "Invalid value: 70000: spec.ports[0].number in body should be less than or equal to 65535"}

test_range_error_is_denied if {
	fs := rule.findings with input as {"object": {"apiVersion": "policy.openservicemesh.io/v1alpha1", "kind": "Egress"}, "facts": {"schema": {"errors": [_e]}}}
	count(fs) == 1
	some f in fs
	f.code == "MG2002"
	contains(f.message, "65535")
}

test_meshconfig_is_left_to_its_group if {
	count(rule.findings) == 0 with input as {"object": {"apiVersion": "config.openservicemesh.io/v1alpha2", "kind": "MeshConfig"}, "facts": {"schema": {"errors": [_e]}}}
}
