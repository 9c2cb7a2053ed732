package meshguard.rules.egress["unknown-field_test"]

import data.meshguard.rules.egress["unknown-field"] as rule

_typo := {"path": "spec.ipAdresses", "field": "ipAdresses", "source": "object", "suggestion": "spec.ipAddresses", "suggestionSegments": ["spec", "ipAddresses"]}

test_egress_typo_is_denied if {
	fs := rule.findings with input as {"object": {"apiVersion": "policy.openservicemesh.io/v1alpha1", "kind": "Egress"}, "facts": {"schema": {"unknownFields": [_typo]}}}
	count(fs) == 1
	some f in fs
	f.code == "MG2001"
	contains(f.message, `did you mean "ipAddresses"`)
}

test_upstream_traffic_setting_typo_is_denied if {
	count(rule.findings) == 1 with input as {"object": {"apiVersion": "policy.openservicemesh.io/v1alpha1", "kind": "UpstreamTrafficSetting"}, "facts": {"schema": {"unknownFields": [_typo]}}}
}

test_meshconfig_is_left_to_its_group if {
	count(rule.findings) == 0 with input as {"object": {"apiVersion": "config.openservicemesh.io/v1alpha2", "kind": "MeshConfig"}, "facts": {"schema": {"unknownFields": [_typo]}}}
}
