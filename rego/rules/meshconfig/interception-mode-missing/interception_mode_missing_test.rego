package meshguard.rules.meshconfig["interception-mode-missing_test"]

import data.meshguard.rules.meshconfig["interception-mode-missing"] as rule

_mc(spec) := {"object": {"apiVersion": "config.openservicemesh.io/v1alpha2", "kind": "MeshConfig", "metadata": {"name": "osm-mesh-config", "namespace": "osm-system"}, "spec": spec}}

test_missing_mode_warns if {
	every spec in [{}, {"traffic": {"enableEgress": false}}, {"traffic": {"interceptionMode": null}}] {
		fs := rule.findings with input as _mc(spec)
		count(fs) == 1
		some f in fs
		f.code == "MG1012"
		f.severity == "warn"
		f.path == "spec.traffic.interceptionMode"
		contains(f.message, "no osm-init container")
	}
}

test_any_mode_passes if {
	every mode in ["iptables", "ebpf", "none"] {
		count(rule.findings) == 0 with input as _mc({"traffic": {"interceptionMode": mode}})
	}
}

test_other_kinds_are_ignored if {
	count(rule.findings) == 0 with input as {"object": {"apiVersion": "policy.openservicemesh.io/v1alpha1", "kind": "Egress", "spec": {}}}
}
