package meshguard.rules.egress["hosts-ignored-for-tcp_test"]

import data.meshguard.rules.egress["hosts-ignored-for-tcp"] as rule

_egress(spec) := {"object": {
	"apiVersion": "policy.openservicemesh.io/v1alpha1",
	"kind": "Egress",
	"metadata": {"name": "db", "namespace": "app"},
	"spec": object.union({"sources": [{"kind": "ServiceAccount", "name": "api", "namespace": "app"}]}, spec),
}}

test_hosts_with_tcp_only_warn if {
	fs := rule.findings with input as _egress({"hosts": ["db.example.com"], "ports": [{"number": 5432, "protocol": "tcp"}, {"number": 3306, "protocol": "TCP-Server-First"}]})
	count(fs) == 1
	some f in fs
	f.code == "MG2008"
	f.severity == "warn"
	f.path == "spec.hosts"
	contains(f.message, `Egress app/db lists hosts "db.example.com", but its ports (5432/tcp, 3306/tcp-server-first) are tcp only`)
	contains(f.message, "any destination")
}

test_message_mentions_ip_addresses_when_set if {
	fs := rule.findings with input as _egress({"hosts": ["db.example.com"], "ipAddresses": ["10.0.0.0/8"], "ports": [{"number": 5432, "protocol": "tcp"}]})
	some f in fs
	contains(f.message, "only spec.ipAddresses limits")
}

test_hosts_with_an_http_port_pass if {
	count(rule.findings) == 0 with input as _egress({"hosts": ["db.example.com"], "ports": [{"number": 5432, "protocol": "tcp"}, {"number": 443, "protocol": "https"}]})
}

test_tcp_without_hosts_passes if {
	count(rule.findings) == 0 with input as _egress({"ipAddresses": ["10.0.0.0/8"], "ports": [{"number": 5432, "protocol": "tcp"}]})
}

test_unknown_protocols_only_are_left_to_mg2003 if {
	count(rule.findings) == 0 with input as _egress({"hosts": ["a.example.com"], "ports": [{"number": 50051, "protocol": "grpc"}]})
}
