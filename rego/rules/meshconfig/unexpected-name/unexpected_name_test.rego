package meshguard.rules.meshconfig["unexpected-name_test"]

import data.meshguard.rules.meshconfig["unexpected-name"] as rule

_mc(name) := {"apiVersion": "config.openservicemesh.io/v1alpha2", "kind": "MeshConfig", "metadata": {"name": name, "namespace": "osm-system"}, "spec": {}}

test_other_name_warns if {
	fs := rule.findings with input as {"object": _mc("mesh-config")}
	count(fs) == 1
	some f in fs
	f.code == "MG1005"
	f.severity == "warn"
	f.path == "metadata.name"
	contains(f.message, `MeshConfig "mesh-config" is never read`)
}

test_osm_mesh_config_passes if {
	count(rule.findings) == 0 with input as {"object": _mc("osm-mesh-config")}
}

test_other_kinds_are_ignored if {
	eg := {"apiVersion": "policy.openservicemesh.io/v1alpha1", "kind": "Egress", "metadata": {"name": "e"}}
	count(rule.findings) == 0 with input as {"object": eg}
}
