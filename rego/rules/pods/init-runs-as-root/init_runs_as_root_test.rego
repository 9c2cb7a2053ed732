package meshguard.rules.pods["init-runs-as-root_test"]

import data.meshguard.rules.pods["init-runs-as-root"] as rule

_pod(nonroot) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "app", "namespace": "shop"}, "spec": {"securityContext": {"runAsNonRoot": nonroot}, "containers": [{"name": "app"}]}}

_mc(mode) := {"kind": "MeshConfig", "metadata": {"name": "osm-mesh-config", "namespace": "osm-system"}, "spec": {"traffic": {"interceptionMode": mode}}}

test_non_root_pod_warns if {
	fs := rule.findings with input as {"object": _pod(true), "inventory": {"meshConfig": _mc("iptables")}}
	count(fs) == 1
	some f in fs
	f.code == "MG4008"
	f.path == "spec.securityContext.runAsNonRoot"
}

test_ebpf_needs_no_init if {
	count(rule.findings) == 0 with input as {"object": _pod(true), "inventory": {"meshConfig": _mc("ebpf")}}
}

test_root_allowed_passes if {
	count(rule.findings) == 0 with input as {"object": _pod(false), "inventory": {"meshConfig": _mc("iptables")}}
}
