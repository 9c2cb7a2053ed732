package meshguard.rules.meshconfig["port-overflows-int16_test"]

import data.meshguard.rules.meshconfig["port-overflows-int16"] as rule

_mc(tracing, logging) := {"object": {"apiVersion": "config.openservicemesh.io/v1alpha2", "kind": "MeshConfig", "metadata": {"name": "osm-mesh-config", "namespace": "osm-system"}, "spec": {"observability": {
	"tracing": {"enable": true, "port": tracing},
	"remoteLogging": {"enable": true, "port": logging},
}}}}

test_ports_above_32767_are_denied if {
	fs := rule.findings with input as _mc(32768, 65535)
	{f.path | some f in fs} == {"spec.observability.tracing.port", "spec.observability.remoteLogging.port"}
	some f in fs
	f.code == "MG1009"
	f.severity == "deny"
	f.path == "spec.observability.tracing.port"
	contains(f.message, "tracing port 32768 is above 32767")
}

test_ports_up_to_32767_pass if {
	count(rule.findings) == 0 with input as _mc(9411, 30514)
	count(rule.findings) == 0 with input as _mc(1, 32767)
}

test_non_numbers_are_left_to_the_schema if {
	count(rule.findings) == 0 with input as _mc("40000", null)
}
