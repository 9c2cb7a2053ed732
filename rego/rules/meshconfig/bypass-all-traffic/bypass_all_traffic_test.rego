package meshguard.rules.meshconfig["bypass-all-traffic_test"]

import data.meshguard.rules.meshconfig["bypass-all-traffic"] as rule

_mc(list) := {"object": {"apiVersion": "config.openservicemesh.io/v1alpha2", "kind": "MeshConfig", "metadata": {"name": "osm-mesh-config", "namespace": "osm-system"}, "spec": {"traffic": {"outboundIPRangeExclusionList": list}}}}

test_every_address_warns if {
	fs := rule.findings with input as _mc(["169.254.169.254/32", "0.0.0.0/0"])
	count(fs) == 1
	some f in fs
	f.code == "MG1021"
	f.severity == "warn"
	f.path == "spec.traffic.outboundIPRangeExclusionList[1]"
	contains(f.message, `excludes "0.0.0.0/0", every address`)
}

test_any_prefix_of_length_zero_warns if {
	count(rule.findings) == 1 with input as _mc(["10.0.0.0/0"])
}

test_ranges_pass if {
	count(rule.findings) == 0 with input as _mc(["169.254.169.254/32", "10.0.0.0/8", "0.0.0.0/1"])
	count(rule.findings) == 0 with input as _mc([])
	count(rule.findings) == 0 with input as {"object": {"apiVersion": "config.openservicemesh.io/v1alpha2", "kind": "MeshConfig", "metadata": {"name": "osm-mesh-config"}, "spec": {}}}
}
