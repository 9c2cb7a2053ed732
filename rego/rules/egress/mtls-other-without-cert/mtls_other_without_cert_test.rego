package meshguard.rules.egress["mtls-other-without-cert_test"]

import data.meshguard.rules.egress["mtls-other-without-cert"] as rule

_egress(mtls) := {"object": {
	"apiVersion": "policy.openservicemesh.io/v1alpha1",
	"kind": "Egress",
	"metadata": {"name": "bank", "namespace": "app"},
	"spec": {
		"sources": [
			{"kind": "ServiceAccount", "name": "web", "namespace": "app"},
			{"kind": "ServiceAccount", "name": "api", "namespace": "app", "mtls": mtls},
		],
		"hosts": ["bank.example.com"],
		"ports": [{"number": 443, "protocol": "https"}],
	},
}}

_cert := {"sn": 1, "expiration": "2030-01-01 00:00:00", "secret": {"name": "bank-client", "namespace": "app"}}

test_other_without_cert_is_denied if {
	fs := rule.findings with input as _egress({"issuer": "other"})
	count(fs) == 1
	some f in fs
	f.code == "MG2014"
	f.path == "spec.sources[1].mtls.cert"
	f.message == `Egress app/bank: source 1 (ServiceAccount app/api) sets mtls.issuer "other" without mtls.cert, so osm-edge has no client certificate to present`
}

test_other_with_cert_passes if {
	count(rule.findings) == 0 with input as _egress({"issuer": "other", "cert": _cert})
}

test_osm_issuer_needs_no_cert if {
	count(rule.findings) == 0 with input as _egress({"issuer": "osm"})
}

test_wrong_types_do_not_error if {
	count(rule.findings) == 0 with input as _egress("other")
	fs := rule.findings with input as _egress({"issuer": "other", "cert": null})
	count(fs) == 1
}
