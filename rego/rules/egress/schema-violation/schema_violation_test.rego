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

_egress_with(errors) := {"object": {"apiVersion": "policy.openservicemesh.io/v1alpha1", "kind": "Egress"}, "facts": {"schema": {"errors": errors}}}

test_source_identity_errors_are_left_to_mg2012 if {
	fs := rule.findings with input as _egress_with([
		{"path": "spec.sources[0].kind", "type": "Unsupported value", "message": `Unsupported value: "Service": supported values: "ServiceAccount"`},
		{"path": "spec.sources[12].name", "type": "Required value", "message": "Required value"},
		{"path": "spec.sources[1].namespace", "type": "Invalid value", "message": "must be of type string"},
		{"path": "spec.sources[1].mtls.issuer", "type": "Unsupported value", "message": `Unsupported value: "x"`},
		{"path": "spec.sources[1]", "type": "Invalid value", "message": "must be of type object"},
	])
	{f.path | some f in fs} == {"spec.sources[1].mtls.issuer", "spec.sources[1]"}
}
