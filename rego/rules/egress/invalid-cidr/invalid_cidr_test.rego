package meshguard.rules.egress["invalid-cidr_test"]

import data.meshguard.rules.egress["invalid-cidr"] as rule

_egress(cidrs) := {"object": {
	"apiVersion": "policy.openservicemesh.io/v1alpha1",
	"kind": "Egress",
	"metadata": {"name": "db", "namespace": "app"},
	"spec": {
		"sources": [{"kind": "ServiceAccount", "name": "api", "namespace": "app"}],
		"ipAddresses": cidrs,
		"ports": [{"number": 5432, "protocol": "tcp"}],
	},
}}

test_out_of_range_cidr_is_denied if {
	fs := rule.findings with input as _egress(["10.0.0.0/8", "999.1.1.1/99"])
	count(fs) == 1
	some f in fs
	f.code == "MG2007"
	f.path == "spec.ipAddresses[1]"
	contains(f.message, `Egress app/db: ipAddresses entry "999.1.1.1/99" is not a valid IPv4 CIDR`)
}

test_other_invalid_cidrs_are_denied if {
	count(rule.findings) == 5 with input as _egress(["10.0.0.0/33", "10.0.0.256/24", "010.0.0.0/8", "x10.0.0.0/8", "10.0.0.0"])
}

test_ipv6_is_denied if {
	count(rule.findings) == 1 with input as _egress(["fd00::/8"])
}

test_valid_cidrs_pass if {
	count(rule.findings) == 0 with input as _egress(["10.0.0.0/8", "192.168.1.7/32", "0.0.0.0/0", "10.1.2.3/24"])
}

test_schema_errors_are_left_to_mg2002 if {
	count(rule.findings) == 0 with input as object.union(_egress(["10.0.0.0"]), {"facts": {"schema": {"errors": [{"path": "spec.ipAddresses[0]", "type": "Invalid value", "message": "should match"}]}}})
}

test_wrong_types_do_not_error if {
	count(rule.findings) == 0 with input as _egress([5])
	count(rule.findings) == 0 with input as _egress("10.0.0.0/8")
}
