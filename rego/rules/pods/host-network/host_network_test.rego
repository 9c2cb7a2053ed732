package meshguard.rules.pods["host-network_test"]

import data.meshguard.rules.pods["host-network"] as rule

_pod(host) := {"object": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "app", "namespace": "shop"}, "spec": {"hostNetwork": host, "containers": [{"name": "app"}]}}}

test_host_network_is_reported if {
	fs := rule.findings with input as _pod(true)
	count(fs) == 1
	some f in fs
	f.code == "MG4006"
	f.severity == "info"
}

test_pod_network_is_silent if {
	count(rule.findings) == 0 with input as _pod(false)
}
