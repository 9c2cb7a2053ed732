package meshguard.rules.crossresource["passthrough-turned-on_test"]

import data.meshguard.rules.crossresource["passthrough-turned-on"] as rule

_mesh(spec) := {"apiVersion": "config.openservicemesh.io/v1alpha2", "kind": "MeshConfig", "metadata": {"name": "osm-mesh-config", "namespace": "osm-system"}, "spec": spec}

_on := _mesh({"traffic": {"enableEgress": true}})

_off := _mesh({"traffic": {"enableEgress": false}})

_eg(ns, name) := {"apiVersion": "policy.openservicemesh.io/v1alpha1", "kind": "Egress", "metadata": {"name": name, "namespace": ns}}

_egresses := [_eg("b", "x"), _eg("a", "y"), _eg("c", "z"), _eg("a", "x"), _eg("d", "w")]

test_create_with_policies_warns if {
	fs := rule.findings with input as {"object": _on, "operation": "CREATE", "inventory": {"egresses": _egresses}}
	count(fs) == 1
	some f in fs
	f.code == "MG3002"
	f.path == "spec.traffic.enableEgress"
	f.message == "MeshConfig osm-system/osm-mesh-config sets spec.traffic.enableEgress to true while the mesh has Egress policies (a/x, a/y, b/x and 2 more): unmatched egress traffic passes through, so they restrict nothing"
}

test_no_operation_warns if {
	count(rule.findings) == 1 with input as {"object": _on, "inventory": {"egresses": [_eg("a", "x")]}}
}

test_update_turning_it_on_warns if {
	count(rule.findings) == 1 with input as {"object": _on, "oldObject": _off, "operation": "UPDATE", "inventory": {"egresses": _egresses}}
}

test_update_enabling_the_policy_feature_under_passthrough_warns if {
	old := _mesh({"traffic": {"enableEgress": true}, "featureFlags": {"enableEgressPolicy": false}})
	count(rule.findings) == 1 with input as {"object": _on, "oldObject": old, "operation": "UPDATE", "inventory": {"egresses": _egresses}}
}

test_update_when_already_on_is_silent if {
	count(rule.findings) == 0 with input as {"object": _on, "oldObject": _on, "operation": "UPDATE", "inventory": {"egresses": _egresses}}
}

test_without_policies_is_silent if {
	count(rule.findings) == 0 with input as {"object": _on, "inventory": {"egresses": []}}
	count(rule.findings) == 0 with input as {"object": _on, "inventory": {}}
}

test_passthrough_off_passes if {
	count(rule.findings) == 0 with input as {"object": _off, "inventory": {"egresses": _egresses}}
}

test_policy_feature_off_is_left_to_mg3003 if {
	m := _mesh({"traffic": {"enableEgress": true}, "featureFlags": {"enableEgressPolicy": false}})
	count(rule.findings) == 0 with input as {"object": m, "inventory": {"egresses": _egresses}}
}

test_a_meshconfig_osm_edge_never_reads_is_silent if {
	# MG1005 says other-config is never read: what it sets changes nothing
	other := object.union(_on, {"metadata": {"name": "other-config"}})
	count(rule.findings) == 0 with input as {"object": other, "operation": "CREATE", "inventory": {"egresses": _egresses}}
}
