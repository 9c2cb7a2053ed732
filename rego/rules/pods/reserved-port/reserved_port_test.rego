package meshguard.rules.pods["reserved-port_test"]

import data.meshguard.rules.pods["reserved-port"] as rule

_pod(spec) := {"object": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "app", "namespace": "shop"}, "spec": spec}}

test_reserved_port_warns if {
	fs := rule.findings with input as _pod({"containers": [{"name": "app", "ports": [{"containerPort": 8080}, {"containerPort": 15001}]}]})
	count(fs) == 1
	some f in fs
	f.code == "MG4007"
	f.path == "spec.containers[0].ports[1].containerPort"
}

test_uid_1500_warns if {
	count(rule.findings) == 2 with input as _pod({"securityContext": {"runAsUser": 1500}, "containers": [{"name": "app", "securityContext": {"runAsUser": 1500}}]})
}

test_ordinary_pod_passes if {
	count(rule.findings) == 0 with input as _pod({"securityContext": {"runAsUser": 1000}, "containers": [{"name": "app", "ports": [{"containerPort": 8080}]}]})
}
