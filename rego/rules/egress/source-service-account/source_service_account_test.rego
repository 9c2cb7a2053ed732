package meshguard.rules.egress["source-service-account_test"]

import data.meshguard.rules.egress["source-service-account"] as rule

_egress(sources) := {"object": {
	"apiVersion": "policy.openservicemesh.io/v1alpha1",
	"kind": "Egress",
	"metadata": {"name": "web", "namespace": "app"},
	"spec": {
		"sources": sources,
		"hosts": ["httpbin.org"],
		"ports": [{"number": 80, "protocol": "http"}],
	},
}}

_sa := {"kind": "ServiceAccount", "name": "api", "namespace": "app"}

test_other_kind_is_denied if {
	fs := rule.findings with input as _egress([_sa, {"kind": "Service", "name": "api", "namespace": "app"}])
	count(fs) == 1
	some f in fs
	f.code == "MG2012"
	f.path == "spec.sources[1].kind"
	f.message == `Egress app/web: source 1 has kind "Service": osm-edge matches Egress sources by kind ServiceAccount only, so this source matches no pod`
}

test_missing_and_empty_fields_are_denied if {
	fs := rule.findings with input as _egress([{"name": "", "namespace": 5}])
	{f.path | some f in fs} == {"spec.sources[0].kind", "spec.sources[0].name", "spec.sources[0].namespace"}
	some f in fs
	f.path == "spec.sources[0].namespace"
	contains(f.message, "has namespace 5, which is not a string")
}

test_empty_namespace_is_denied if {
	fs := rule.findings with input as _egress([{"kind": "ServiceAccount", "name": "api", "namespace": ""}])
	count(fs) == 1
	some f in fs
	contains(f.message, "source 0 has no namespace")
}

test_service_accounts_pass if {
	count(rule.findings) == 0 with input as _egress([_sa, {"kind": "ServiceAccount", "name": "curl", "namespace": "curl"}])
}

test_wrong_types_do_not_error if {
	count(rule.findings) == 0 with input as _egress(["api"])
	count(rule.findings) == 0 with input as _egress("api")
}

test_names_no_service_account_can_have_are_denied if {
	fs := rule.findings with input as _egress([
		{"kind": "ServiceAccount", "name": "*", "namespace": "app"},
		{"kind": "ServiceAccount", "name": "web", "namespace": "Team.A"},
		{"kind": "ServiceAccount", "name": "my.sa-1", "namespace": "team-a"},
	])
	{f.path | some f in fs} == {"spec.sources[0].name", "spec.sources[1].namespace"}
	some f in fs
	f.path == "spec.sources[0].name"
	f.message == `Egress app/web: source 0 has name "*", which no ServiceAccount's name can be: osm-edge compares names exactly, never as patterns, so this source matches no pod`
}
