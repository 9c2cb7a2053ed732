package meshguard.rules.egress["invalid-host_test"]

import data.meshguard.rules.egress["invalid-host"] as rule

_egress(hosts) := {"object": {
	"apiVersion": "policy.openservicemesh.io/v1alpha1",
	"kind": "Egress",
	"metadata": {"name": "web", "namespace": "app"},
	"spec": {
		"sources": [{"kind": "ServiceAccount", "name": "api", "namespace": "app"}],
		"hosts": hosts,
		"ports": [{"number": 443, "protocol": "https"}],
	},
}}

_message(host) := f.message if {
	fs := rule.findings with input as _egress(["ok.example.com", host])
	count(fs) == 1
	some f in fs
	f.code == "MG2006"
	f.path == "spec.hosts[1]"
}

test_wildcard_is_denied if {
	m := _message("*.example.com")
	startswith(m, `Egress app/web: host "*.example.com" is a wildcard`)
	contains(m, "matches hosts exactly")
}

test_port_is_denied if {
	contains(_message("api.example.com:8443"), "has a port")
}

test_upper_case_is_denied if {
	contains(_message("API.example.com"), "upper-case")
}

test_long_label_is_denied if {
	label := concat("", ["a" | some _ in numbers.range(1, 64)])
	contains(_message(sprintf("%s.example.com", [label])), "label longer than 63")
}

test_63_character_labels_pass if {
	label := concat("", ["a" | some _ in numbers.range(1, 63)])
	count(rule.findings) == 0 with input as _egress([sprintf("%s.example.com", [label])])
}

test_other_invalid_names_are_denied if {
	contains(_message("https://api.example.com"), "not a valid DNS name")
	contains(_message("-bad.example.com"), "not a valid DNS name")
	contains(_message("a..b"), "not a valid DNS name")
	contains(_message(""), "is empty")
	contains(_message(42), "is not a string")
}

test_dns_names_pass if {
	count(rule.findings) == 0 with input as _egress(["httpbin.org", "api.example.com", "localhost", "10.0.0.1", "a-b.c-d.e"])
}

test_hosts_not_a_list_does_not_error if {
	count(rule.findings) == 0 with input as _egress("httpbin.org")
}
