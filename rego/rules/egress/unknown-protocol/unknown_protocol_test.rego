package meshguard.rules.egress["unknown-protocol_test"]

import data.meshguard.rules.egress["unknown-protocol"] as rule

_egress(ports) := {"object": {
	"apiVersion": "policy.openservicemesh.io/v1alpha1",
	"kind": "Egress",
	"metadata": {"name": "e", "namespace": "ns"},
	"spec": {"sources": [{"kind": "ServiceAccount", "name": "sa", "namespace": "ns"}], "ports": ports},
}}

test_grpc_is_denied if {
	fs := rule.findings with input as _egress([{"number": 443, "protocol": "https"}, {"number": 50051, "protocol": "grpc"}])
	count(fs) == 1
	some f in fs
	f.code == "MG2003"
	f.path == "spec.ports[1].protocol"
	contains(f.message, `"grpc"`)
}

test_known_protocols_any_case_pass if {
	count(rule.findings) == 0 with input as _egress([
		{"number": 80, "protocol": "HTTP"},
		{"number": 443, "protocol": "https"},
		{"number": 5432, "protocol": "tcp"},
		{"number": 3306, "protocol": "tcp-server-first"},
	])
}

test_other_kinds_are_ignored if {
	count(rule.findings) == 0 with input as {"object": {"kind": "Service", "apiVersion": "v1", "spec": {"ports": [{"number": 1, "protocol": "grpc"}]}}}
}
