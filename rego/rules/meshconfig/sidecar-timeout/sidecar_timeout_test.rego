package meshguard.rules.meshconfig["sidecar-timeout_test"]

import data.meshguard.rules.meshconfig["sidecar-timeout"] as rule

_mc(timeout, limit) := {"object": {"apiVersion": "config.openservicemesh.io/v1alpha2", "kind": "MeshConfig", "metadata": {"name": "osm-mesh-config", "namespace": "osm-system"}, "spec": {"sidecar": {"sidecarTimeout": timeout, "maxDataPlaneConnections": limit}}}}

test_non_positive_timeout_warns if {
	every timeout in [0, -5] {
		fs := rule.findings with input as _mc(timeout, 0)
		count(fs) == 1
		some f in fs
		f.code == "MG1020"
		f.severity == "warn"
		f.path == "spec.sidecar.sidecarTimeout"
		f.message == sprintf("sidecarTimeout %v is not a positive number of seconds: osm-edge ignores it and uses 60", [timeout])
	}
}

test_negative_connection_limit_warns if {
	fs := rule.findings with input as _mc(60, -1)
	[f.path | some f in fs] == ["spec.sidecar.maxDataPlaneConnections"]
	some f in fs
	contains(f.message, "maxDataPlaneConnections -1 is negative")
}

test_valid_values_pass if {
	count(rule.findings) == 0 with input as _mc(60, 0)
	count(rule.findings) == 0 with input as _mc(1, 1000)
}

test_non_numbers_are_left_to_the_schema if {
	count(rule.findings) == 0 with input as _mc("0", "-1")
}
