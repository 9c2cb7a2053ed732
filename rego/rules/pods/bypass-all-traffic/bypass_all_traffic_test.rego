package meshguard.rules.pods["bypass-all-traffic_test"]

import data.meshguard.rules.pods["bypass-all-traffic"] as rule

_pod(ann) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "app", "namespace": "shop", "annotations": ann}, "spec": {"containers": [{"name": "app"}]}}

_mc(list) := {"apiVersion": "config.openservicemesh.io/v1alpha2", "kind": "MeshConfig", "metadata": {"name": "osm-mesh-config", "namespace": "osm-system"}, "spec": {"traffic": {"outboundIPRangeExclusionList": list}}}

test_pod_annotation_warns if {
	fs := rule.findings with input as {"object": _pod({"openservicemesh.io/outbound-ip-range-exclusion-list": "10.0.0.0/8, 0.0.0.0/0"}), "inventory": {}}
	count(fs) == 1
	some f in fs
	f.code == "MG4005"
	f.severity == "warn"
}

test_mesh_config_warns if {
	fs := rule.findings with input as {"object": _pod({}), "inventory": {"meshConfig": _mc(["0.0.0.0/0"])}}
	count(fs) == 1
	some f in fs
	contains(f.message, "MeshConfig osm-system/osm-mesh-config excludes 0.0.0.0/0")
}

test_narrow_ranges_pass if {
	count(rule.findings) == 0 with input as {"object": _pod({"openservicemesh.io/outbound-ip-range-exclusion-list": "10.0.0.0/8"}), "inventory": {"meshConfig": _mc(["192.168.0.0/16"])}}
}

test_any_prefix_of_length_zero_warns if {
	count(rule.findings) == 1 with input as {"object": _pod({"openservicemesh.io/outbound-ip-range-exclusion-list": "10.0.0.0/0"})}
}
