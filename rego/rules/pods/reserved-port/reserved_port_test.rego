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

# an init container with restartPolicy Always (a native sidecar) runs beside
# the sidecar; an ordinary one has finished before interception starts
test_native_sidecar_init_containers_count if {
	spec := {
		"initContainers": [
			{"name": "setup", "ports": [{"containerPort": 15010}], "securityContext": {"runAsUser": 1500}},
			{"name": "logshipper", "restartPolicy": "Always", "ports": [{"containerPort": 15010}], "securityContext": {"runAsUser": 1500}},
		],
		"containers": [{"name": "app"}],
	}
	{f.path | some f in rule.findings} == {
		"spec.initContainers[1].ports[0].containerPort",
		"spec.initContainers[1].securityContext.runAsUser",
	} with input as _pod(spec)
}
