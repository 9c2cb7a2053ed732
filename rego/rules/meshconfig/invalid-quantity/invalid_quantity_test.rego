package meshguard.rules.meshconfig["invalid-quantity_test"]

import data.meshguard.rules.meshconfig["invalid-quantity"] as rule

_mc(resources) := {"object": {"apiVersion": "config.openservicemesh.io/v1alpha2", "kind": "MeshConfig", "metadata": {"name": "osm-mesh-config", "namespace": "osm-system"}, "spec": {"sidecar": {"resources": resources}}}}

test_unparsable_quantities_are_denied if {
	fs := rule.findings with input as _mc({
		"limits": {"cpu": "500 m", "memory": "1GB", "nvidia.com/gpu": true},
		"requests": {"cpu": "two", "memory": "64Mi"},
	})
	{f.path | some f in fs} == {
		"spec.sidecar.resources.limits.cpu",
		"spec.sidecar.resources.limits.memory",
		`spec.sidecar.resources.limits["nvidia.com/gpu"]`,
		"spec.sidecar.resources.requests.cpu",
	}
	every f in fs {
		f.code == "MG1010"
		f.severity == "deny"
	}
}

test_message_names_the_value if {
	fs := rule.findings with input as _mc({"limits": {"memory": "1GB"}})
	[f.message | some f in fs] == [`limits.memory "1GB" is not a Kubernetes quantity such as 500m, 128Mi or 1: osm-edge cannot decode a MeshConfig that has it`]
}

test_quantities_and_numbers_pass if {
	count(rule.findings) == 0 with input as _mc({
		"limits": {"cpu": "500m", "memory": "128Mi", "ephemeral-storage": "1G", "nvidia.com/gpu": 1},
		"requests": {"cpu": 0.25, "memory": "1e3", "storage": ".5Ki", "x": "+1.5", "y": null},
	})
}

test_empty_resources_pass if {
	count(rule.findings) == 0 with input as _mc({})
}
