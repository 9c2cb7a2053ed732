package meshguard.rules.egress["tcp-without-ip-addresses_test"]

import data.meshguard.rules.egress["tcp-without-ip-addresses"] as rule

_egress(spec) := {"object": {
	"apiVersion": "policy.openservicemesh.io/v1alpha1",
	"kind": "Egress",
	"metadata": {"name": "db", "namespace": "app"},
	"spec": object.union({"sources": [{"kind": "ServiceAccount", "name": "api", "namespace": "app"}]}, spec),
}}

test_tcp_without_ip_addresses_warns if {
	fs := rule.findings with input as _egress({"ports": [{"number": 80, "protocol": "http"}, {"number": 5432, "protocol": "TCP"}]})
	count(fs) == 1
	some f in fs
	f.code == "MG2004"
	f.severity == "warn"
	f.path == "spec.ports[1].protocol"
	contains(f.message, "Egress app/db")
	contains(f.message, `"TCP" port 5432`)
}

test_server_first_with_empty_ip_addresses_warns if {
	count(rule.findings) == 1 with input as _egress({"ipAddresses": [], "ports": [{"number": 3306, "protocol": "tcp-server-first"}]})
}

test_tcp_with_ip_addresses_passes if {
	count(rule.findings) == 0 with input as _egress({"ipAddresses": ["10.30.0.0/24"], "ports": [{"number": 5432, "protocol": "tcp"}]})
}

test_http_without_ip_addresses_passes if {
	count(rule.findings) == 0 with input as _egress({"hosts": ["httpbin.org"], "ports": [{"number": 80, "protocol": "http"}]})
}

test_wrong_types_do_not_error if {
	count(rule.findings) == 0 with input as _egress({"ports": "tcp"})
	count(rule.findings) == 0 with input as _egress({"ports": [{"number": 1, "protocol": 6}]})
}

test_https_without_hosts_or_ip_addresses_warns if {
	fs := rule.findings with input as _egress({"ports": [{"number": 443, "protocol": "https"}]})
	count(fs) == 1
	some f in fs
	contains(f.message, `"https" port 443 to any destination: spec.hosts and spec.ipAddresses are both empty`)
}

test_https_with_hosts_or_ip_addresses_passes if {
	count(rule.findings) == 0 with input as _egress({"hosts": ["api.example.com"], "ports": [{"number": 443, "protocol": "https"}]})
	count(rule.findings) == 0 with input as _egress({"ipAddresses": ["10.30.0.0/24"], "ports": [{"number": 443, "protocol": "HTTPS"}]})
}
