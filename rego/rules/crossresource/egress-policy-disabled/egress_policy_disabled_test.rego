package meshguard.rules.crossresource["egress-policy-disabled_test"]

import data.meshguard.rules.crossresource["egress-policy-disabled"] as rule

_mesh(policy) := {"apiVersion": "config.openservicemesh.io/v1alpha2", "kind": "MeshConfig", "metadata": {"name": "osm-mesh-config", "namespace": "osm-system"}, "spec": {"traffic": {"enableEgress": false}, "featureFlags": {"enableEgressPolicy": policy}}}

_eg(ns, name) := {"apiVersion": "policy.openservicemesh.io/v1alpha1", "kind": "Egress", "metadata": {"name": name, "namespace": ns}}

test_egress_in_a_mesh_without_the_feature_warns if {
	fs := rule.findings with input as {"object": _eg("curl", "httpbin"), "inventory": {"meshConfig": _mesh(false)}}
	count(fs) == 1
	some f in fs
	f.code == "MG3003"
	f.path == ""
	f.message == "Egress curl/httpbin is ignored: spec.featureFlags.enableEgressPolicy is false in MeshConfig osm-system/osm-mesh-config, so osm-edge applies no Egress policy"
}

test_egress_with_the_feature_on_passes if {
	count(rule.findings) == 0 with input as {"object": _eg("curl", "httpbin"), "inventory": {"meshConfig": _mesh(true)}}
	count(rule.findings) == 0 with input as {"object": _eg("curl", "httpbin"), "inventory": {"meshConfig": {"kind": "MeshConfig", "spec": {}}}}
}

test_egress_with_unknown_mesh_config_is_silent if {
	count(rule.findings) == 0 with input as {"object": _eg("curl", "httpbin"), "inventory": {}}
}

test_meshconfig_turning_the_feature_off_warns if {
	fs := rule.findings with input as {"object": _mesh(false), "oldObject": _mesh(true), "operation": "UPDATE", "inventory": {"egresses": [_eg("curl", "httpbin")]}}
	count(fs) == 1
	some f in fs
	f.path == "spec.featureFlags.enableEgressPolicy"
	f.message == "MeshConfig osm-system/osm-mesh-config sets spec.featureFlags.enableEgressPolicy to false while the mesh has Egress policies (curl/httpbin): osm-edge ignores them"
}

test_meshconfig_created_with_the_feature_off_warns if {
	count(rule.findings) == 1 with input as {"object": _mesh(false), "inventory": {"egresses": [_eg("curl", "httpbin")]}}
}

test_meshconfig_already_off_is_silent if {
	count(rule.findings) == 0 with input as {"object": _mesh(false), "oldObject": _mesh(false), "operation": "UPDATE", "inventory": {"egresses": [_eg("curl", "httpbin")]}}
}

test_meshconfig_without_policies_or_with_the_feature_on_is_silent if {
	count(rule.findings) == 0 with input as {"object": _mesh(false), "inventory": {"egresses": []}}
	count(rule.findings) == 0 with input as {"object": _mesh(true), "inventory": {"egresses": [_eg("curl", "httpbin")]}}
}

# In an admission review the MeshConfig is whole: a flag that is not set is
# false to osm-edge (a JSON patch removed it, an apply left it out).
test_unset_flag_is_off_in_an_admission_review if {
	unset := {"apiVersion": "config.openservicemesh.io/v1alpha2", "kind": "MeshConfig", "metadata": {"name": "osm-mesh-config", "namespace": "osm-system"}, "spec": {"featureFlags": {}}}
	fs := rule.findings with input as {"admission": true, "object": _eg("curl", "httpbin"), "inventory": {"meshConfig": unset}}
	count(fs) == 1
	some f in fs
	contains(f.message, "spec.featureFlags.enableEgressPolicy is not set (osm-edge reads that as false)")
	count(rule.findings) == 0 with input as {"object": _eg("curl", "httpbin"), "inventory": {"meshConfig": unset}}
	update := {"admission": true, "operation": "UPDATE", "object": unset, "oldObject": _mesh(true), "inventory": {"index": {"egressIds": ["curl/httpbin"]}}}
	some g in rule.findings with input as update
	contains(g.message, "leaves spec.featureFlags.enableEgressPolicy unset (osm-edge reads that as false) while the mesh has Egress policies (curl/httpbin)")
}

test_a_meshconfig_osm_edge_never_reads_is_silent if {
	other := object.union(_mesh(false), {"metadata": {"name": "other-config"}})
	count(rule.findings) == 0 with input as {"object": other, "inventory": {"egresses": [_eg("curl", "httpbin")]}}
}
