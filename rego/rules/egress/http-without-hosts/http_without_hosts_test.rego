package meshguard.rules.egress["http-without-hosts_test"]

import data.meshguard.rules.egress["http-without-hosts"] as rule

_egress(spec) := {"object": {
	"apiVersion": "policy.openservicemesh.io/v1alpha1",
	"kind": "Egress",
	"metadata": {"name": "web", "namespace": "app"},
	"spec": object.union({"sources": [{"kind": "ServiceAccount", "name": "api", "namespace": "app"}]}, spec),
}}

test_http_without_hosts_is_denied if {
	fs := rule.findings with input as _egress({"ipAddresses": ["1.2.3.0/24"], "ports": [{"number": 5432, "protocol": "tcp"}, {"number": 80, "protocol": "HTTP"}]})
	count(fs) == 1
	some f in fs
	f.code == "MG2005"
	f.severity == "deny"
	f.path == "spec.ports[1].protocol"
	contains(f.message, `Egress app/web allows nothing on "HTTP" port 80`)
}

test_empty_hosts_is_denied if {
	count(rule.findings) == 1 with input as _egress({"hosts": [], "ports": [{"number": 80, "protocol": "http"}]})
}

test_http_with_hosts_passes if {
	count(rule.findings) == 0 with input as _egress({"hosts": ["httpbin.org"], "ports": [{"number": 80, "protocol": "http"}]})
}

test_https_without_hosts_is_left_alone if {
	count(rule.findings) == 0 with input as _egress({"ipAddresses": ["1.2.3.0/24"], "ports": [{"number": 443, "protocol": "https"}]})
}
