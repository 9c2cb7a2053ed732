package meshguard.rules.meshconfig["sidecar-resources-rejected_test"]

import data.meshguard.rules.meshconfig["sidecar-resources-rejected"] as rule

_mc(resources) := {"apiVersion": "config.openservicemesh.io/v1alpha2", "kind": "MeshConfig", "metadata": {"name": "osm-mesh-config", "namespace": "osm-system"}, "spec": {"sidecar": {"resources": resources}}}

# _q is a quantity fact as Go computes it (policies/quantities.go).
_q(quantity, sign, whole) := {"quantity": quantity, "sign": sign, "whole": whole}

test_misspelt_names_are_denied_with_the_closest_standard_name if {
	fs := rule.findings with input as {"object": _mc({"limits": {"cpus": "1", "Memory": "128Mi"}, "requests": {"mem": "64Mi", "requests.cpu": "100m"}})}
	{f.path: f.message | some f in fs} == {
		"spec.sidecar.resources.limits.cpus": `limits.cpus is not a resource name a container can have: every pod osm-edge injects is refused by the API server, on its sidecar container: resources.limits[cpus]: Invalid value: "cpus": must be a standard resource type or fully qualified; did you mean "cpu"?`,
		"spec.sidecar.resources.limits.Memory": `limits.Memory is not a resource name a container can have: every pod osm-edge injects is refused by the API server, on its sidecar container: resources.limits[Memory]: Invalid value: "Memory": must be a standard resource type or fully qualified; did you mean "memory"?`,
		"spec.sidecar.resources.requests.mem": `requests.mem is not a resource name a container can have: every pod osm-edge injects is refused by the API server, on its sidecar container: resources.requests[mem]: Invalid value: "mem": must be a standard resource type or fully qualified; did you mean "memory"?`,
		`spec.sidecar.resources.requests["requests.cpu"]`: `requests["requests.cpu"] is not a resource name a container can have: every pod osm-edge injects is refused by the API server, on its sidecar container: resources.requests[requests.cpu]: Invalid value: "requests.cpu": must be a standard resource for containers; did you mean "cpu"?`,
	}
	every f in fs {
		f.code == "MG1022"
		f.severity == "deny"
	}
}

test_names_the_api_server_refuses_for_a_container if {
	fs := rule.findings with input as {"object": _mc({"limits": {
		"storage": "1Gi", "pods": "1", "gpu count": "1", "example.com/": "1",
		"a/b/c": "1", "requests.example.com/gpu": "1", "Example.com/gpu": "1",
	}})}
	{f.path: f.message | some f in fs} == {
		"spec.sidecar.resources.limits.storage": `limits.storage is not a resource name a container can have: every pod osm-edge injects is refused by the API server, on its sidecar container: resources.limits[storage]: Invalid value: "storage": must be a standard resource for containers; did you mean "ephemeral-storage"?`,
		"spec.sidecar.resources.limits.pods": `limits.pods is not a resource name a container can have: every pod osm-edge injects is refused by the API server, on its sidecar container: resources.limits[pods]: Invalid value: "pods": must be a standard resource for containers`,
		`spec.sidecar.resources.limits["gpu count"]`: `limits["gpu count"] is not a resource name a container can have: every pod osm-edge injects is refused by the API server, on its sidecar container: resources.limits[gpu count]: Invalid value: "gpu count": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
		`spec.sidecar.resources.limits["example.com/"]`: `limits["example.com/"] is not a resource name a container can have: every pod osm-edge injects is refused by the API server, on its sidecar container: resources.limits[example.com/]: Invalid value: "example.com/": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
		`spec.sidecar.resources.limits["a/b/c"]`: `limits["a/b/c"] is not a resource name a container can have: every pod osm-edge injects is refused by the API server, on its sidecar container: resources.limits[a/b/c]: Invalid value: "a/b/c": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
		`spec.sidecar.resources.limits["requests.example.com/gpu"]`: `limits["requests.example.com/gpu"] is not a resource name a container can have: every pod osm-edge injects is refused by the API server, on its sidecar container: resources.limits[requests.example.com/gpu]: Invalid value: "requests.example.com/gpu": doesn't follow extended resource name standard`,
		`spec.sidecar.resources.limits["Example.com/gpu"]`: `limits["Example.com/gpu"] is not a resource name a container can have: every pod osm-edge injects is refused by the API server, on its sidecar container: resources.limits[Example.com/gpu]: Invalid value: "Example.com/gpu": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
	}
}

test_standard_and_qualified_names_pass if {
	count(rule.findings) == 0 with input as {"object": _mc({
		"limits": {"cpu": "1", "memory": "1Gi", "ephemeral-storage": "1Gi", "hugepages-2Mi": "2Mi", "nvidia.com/gpu": "1", "kubernetes.io/anything": "1"},
		"requests": {"cpu": "1", "memory": "1Gi", "hugepages-2Mi": "2Mi", "nvidia.com/gpu": "1"},
	})}
}

test_request_above_limit_is_denied if {
	fs := rule.findings with input as {
		"object": _mc({"limits": {"cpu": "100m", "memory": "64Mi"}, "requests": {"cpu": "200m", "memory": "64Mi"}}),
		"facts": {"sidecarResources": {
			"limits": {"cpu": _q("100m", 1, false), "memory": _q("64Mi", 1, true)},
			"requests": {"cpu": _q("200m", 1, false), "memory": _q("64Mi", 1, true)},
			"requestVsLimit": {"cpu": 1, "memory": 0},
		}},
	}
	[f.message | some f in fs] == [`requests.cpu "200m" is above limits.cpu "100m": every pod osm-edge injects is refused by the API server, on its sidecar container: resources.requests: Invalid value: "200m": must be less than or equal to cpu limit of 100m`]
	[f.path | some f in fs] == ["spec.sidecar.resources.requests.cpu"]
}

test_the_api_servers_canonical_quantities_are_quoted if {
	fs := rule.findings with input as {
		"object": _mc({"limits": {"memory": 1000}, "requests": {"memory": "1Ki"}}),
		"facts": {"sidecarResources": {
			"limits": {"memory": _q("1k", 1, true)},
			"requests": {"memory": _q("1Ki", 1, true)},
			"requestVsLimit": {"memory": 1},
		}},
	}
	[f.message | some f in fs] == [`requests.memory "1Ki" is above limits.memory 1000: every pod osm-edge injects is refused by the API server, on its sidecar container: resources.requests: Invalid value: "1Ki": must be less than or equal to memory limit of 1k`]
}

test_negative_quantities_are_denied if {
	fs := rule.findings with input as {
		"object": _mc({"limits": {"cpu": "-1"}}),
		"facts": {"sidecarResources": {"limits": {"cpu": _q("-1", -1, true)}, "requests": {}, "requestVsLimit": {}}},
	}
	[f.message | some f in fs] == [`limits.cpu "-1" is negative: every pod osm-edge injects is refused by the API server, on its sidecar container: resources.limits[cpu]: Invalid value: "-1": must be greater than or equal to 0`]
}

test_extended_resources_are_whole_equal_and_limited if {
	fs := rule.findings with input as {
		"object": _mc({"limits": {"cpu": "1", "example.com/gpu": "1", "hugepages-2Mi": "4Mi"}, "requests": {"example.com/gpu": "500m", "hugepages-2Mi": "2Mi", "example.com/fpga": "1"}}),
		"facts": {"sidecarResources": {
			"limits": {"cpu": _q("1", 1, true), "example.com/gpu": _q("1", 1, true), "hugepages-2Mi": _q("4Mi", 1, true)},
			"requests": {"example.com/gpu": _q("500m", 1, false), "hugepages-2Mi": _q("2Mi", 1, true), "example.com/fpga": _q("1", 1, true)},
			"requestVsLimit": {"example.com/gpu": -1, "hugepages-2Mi": -1},
		}},
	}
	{f.message | some f in fs} == {
		`requests["example.com/gpu"] "500m" is not a whole number, which an extended resource must be: every pod osm-edge injects is refused by the API server, on its sidecar container: resources.requests[example.com/gpu]: Invalid value: "500m": must be an integer`,
		`requests["example.com/gpu"] "500m" differs from limits["example.com/gpu"] "1", and example.com/gpu cannot be overcommitted: every pod osm-edge injects is refused by the API server, on its sidecar container: resources.requests: Invalid value: "500m": must be equal to example.com/gpu limit of 1`,
		`requests.hugepages-2Mi "2Mi" differs from limits.hugepages-2Mi "4Mi", and hugepages-2Mi cannot be overcommitted: every pod osm-edge injects is refused by the API server, on its sidecar container: resources.requests: Invalid value: "2Mi": must be equal to hugepages-2Mi limit of 4Mi`,
		`requests["example.com/fpga"] has no limit, and example.com/fpga cannot be overcommitted: every pod osm-edge injects is refused by the API server, on its sidecar container: resources.limits: Required value: Limit must be set for non overcommitable resources`,
	}
}

test_requests_at_or_below_limits_pass if {
	count(rule.findings) == 0 with input as {
		"object": _mc({"limits": {"cpu": "1", "memory": "128Mi"}, "requests": {"cpu": "999m", "memory": "128Mi", "ephemeral-storage": "1Gi"}}),
		"facts": {"sidecarResources": {
			"limits": {"cpu": _q("1", 1, true), "memory": _q("128Mi", 1, true)},
			"requests": {"cpu": _q("999m", 1, false), "memory": _q("128Mi", 1, true), "ephemeral-storage": _q("1Gi", 1, true)},
			"requestVsLimit": {"cpu": -1, "memory": 0},
		}},
	}
}

test_empty_and_odd_resources_pass if {
	every r in [{}, {"limits": null}, {"limits": "x"}, {"requests": []}] {
		count(rule.findings) == 0 with input as {"object": _mc(r)}
	}
}

test_other_kinds_are_ignored if {
	count(rule.findings) == 0 with input as {"object": {"apiVersion": "v1", "kind": "ConfigMap", "spec": {"sidecar": {"resources": {"limits": {"mem": "1"}}}}}}
}

test_huge_pages_are_whole_pages_beside_cpu_or_memory if {
	# Review on a real API server: each of these passed, and every
	# injected pod was then refused.
	fs := rule.findings with input as {
		"object": _mc({"limits": {"hugepages-2Mi": "3Mi", "hugepages-abc": "1"}}),
		"facts": {"sidecarResources": {
			"limits": {"hugepages-2Mi": object.union(_q("3Mi", 1, true), {"pageMultiple": false}), "hugepages-abc": object.union(_q("1", 1, true), {"pageMultiple": false})},
			"requests": {}, "requestVsLimit": {},
		}},
	}
	{f.message | some f in fs} == {
		`limits.hugepages-2Mi "3Mi" is not a whole number of 2Mi pages: every pod osm-edge injects is refused by the API server, on its sidecar container: resources.limits[hugepages-2Mi]: Invalid value: "3Mi": 3Mi is not positive integer multiple of hugepages-2Mi`,
		`limits.hugepages-abc "1" is not a whole number of abc pages: every pod osm-edge injects is refused by the API server, on its sidecar container: resources.limits[hugepages-abc]: Invalid value: "1": 1 is not positive integer multiple of hugepages-abc`,
		`huge pages (hugepages-2Mi, hugepages-abc) come without cpu or memory: every pod osm-edge injects is refused by the API server, on its sidecar container: resources: Forbidden: HugePages require cpu or memory`,
	}
	count(rule.findings) == 0 with input as {
		"object": _mc({"limits": {"memory": "1Gi", "hugepages-2Mi": "4Mi"}}),
		"facts": {"sidecarResources": {"limits": {"memory": _q("1Gi", 1, true), "hugepages-2Mi": object.union(_q("4Mi", 1, true), {"pageMultiple": true})}, "requests": {}, "requestVsLimit": {}}},
	}
}
