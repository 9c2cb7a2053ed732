package meshguard.rules.meshconfig["deprecated-version_test"]

import data.meshguard.rules.meshconfig["deprecated-version"] as rule

_mc(api_version) := {"apiVersion": api_version, "kind": "MeshConfig", "metadata": {"name": "osm-mesh-config", "namespace": "osm-system"}, "spec": {}}

test_v1alpha1_warns if {
	fs := rule.findings with input as {"object": _mc("config.openservicemesh.io/v1alpha1")}
	count(fs) == 1
	some f in fs
	f.code == "MG1004"
	f.severity == "warn"
	f.path == "apiVersion"
	contains(f.message, "use config.openservicemesh.io/v1alpha2")
	contains(f.message, "traffic.outboundIPRangeInclusionList")
}

test_other_versions_pass if {
	every v in ["config.openservicemesh.io/v1alpha2", "config.openservicemesh.io/v1alpha3"] {
		count(rule.findings) == 0 with input as {"object": _mc(v)}
	}
}

test_other_groups_are_ignored if {
	count(rule.findings) == 0 with input as {"object": {"apiVersion": "policy.openservicemesh.io/v1alpha1", "kind": "Egress"}}
}

test_update_names_what_it_drops if {
	fs := rule.findings with input as {
		"operation": "UPDATE",
		"object": {"apiVersion": "config.openservicemesh.io/v1alpha1", "kind": "MeshConfig", "metadata": {"name": "osm-mesh-config"}, "spec": {}},
		"facts": {"droppedFromOld": [{"path": "spec.traffic.networkInterfaceExclusionList", "value": ["eth1"]}]},
	}
	some f in fs
	endswith(f.message, `; this update drops spec.traffic.networkInterfaceExclusionList (["eth1"]), which the stored MeshConfig sets`)
}
