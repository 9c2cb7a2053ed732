package meshguard.rules.meshconfig["unknown-field_test"]

import data.meshguard.rules.meshconfig["unknown-field"] as rule

_mc := {"apiVersion": "config.openservicemesh.io/v1alpha2", "kind": "MeshConfig", "metadata": {"name": "osm-mesh-config", "namespace": "osm-system"}, "spec": {}}

_typo := {"path": "spec.traffic.enableEngress", "field": "enableEngress", "source": "object", "suggestion": "spec.traffic.enableEgress", "suggestionSegments": ["spec", "traffic", "enableEgress"]}

test_typo_is_denied_with_suggestion if {
	fs := rule.findings with input as {"object": _mc, "facts": {"schema": {"unknownFields": [_typo]}}}
	count(fs) == 1
	some f in fs
	f.code == "MG1001"
	f.severity == "deny"
	f.path == "spec.traffic.enableEngress"
	contains(f.message, `did you mean "enableEgress"`)
}

test_no_unknown_fields_pass if {
	count(rule.findings) == 0 with input as {"object": _mc, "facts": {"schema": {"unknownFields": []}}}
}

test_other_kinds_are_left_to_their_group if {
	count(rule.findings) == 0 with input as {"object": {"apiVersion": "policy.openservicemesh.io/v1alpha1", "kind": "Egress"}, "facts": {"schema": {"unknownFields": [_typo]}}}
}
