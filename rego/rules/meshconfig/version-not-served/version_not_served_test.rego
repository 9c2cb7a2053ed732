package meshguard.rules.meshconfig["version-not-served_test"]

import data.meshguard.rules.meshconfig["version-not-served"] as rule

_mc(version) := {"apiVersion": sprintf("config.openservicemesh.io/%s", [version]), "kind": "MeshConfig", "metadata": {"name": "osm-mesh-config", "namespace": "osm-system"}, "spec": {}}

_facts(served) := {"schema": {"checked": true, "served": served, "servedVersions": ["v1alpha1", "v1alpha2"], "unknownFields": [], "errors": []}}

test_v1alpha3_is_denied_with_the_served_versions if {
	fs := rule.findings with input as {"object": _mc("v1alpha3"), "facts": _facts(false)}
	count(fs) == 1
	some f in fs
	f.code == "MG1003"
	f.severity == "deny"
	f.path == "apiVersion"
	contains(f.message, `"config.openservicemesh.io/v1alpha3" is not served`)
	contains(f.message, "config.openservicemesh.io/v1alpha1, config.openservicemesh.io/v1alpha2")
}

test_served_versions_pass if {
	every v in ["v1alpha1", "v1alpha2"] {
		count(rule.findings) == 0 with input as {"object": _mc(v), "facts": _facts(true)}
	}
}

test_unchecked_objects_are_left_alone if {
	count(rule.findings) == 0 with input as {"object": _mc("v1alpha3"), "facts": {"schema": {"checked": false, "served": false}}}
}

test_other_kinds_are_ignored if {
	eg := {"apiVersion": "policy.openservicemesh.io/v1alpha9", "kind": "Egress", "metadata": {"name": "e"}}
	count(rule.findings) == 0 with input as {"object": eg, "facts": _facts(false)}
}
