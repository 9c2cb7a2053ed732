package meshguard.rules.egress["match-kind_test"]

import data.meshguard.rules.egress["match-kind"] as rule

_egress(matches) := {"object": {
	"apiVersion": "policy.openservicemesh.io/v1alpha1",
	"kind": "Egress",
	"metadata": {"name": "web", "namespace": "app"},
	"spec": {
		"sources": [{"kind": "ServiceAccount", "name": "api", "namespace": "app"}],
		"hosts": ["httpbin.org"],
		"ports": [{"number": 80, "protocol": "http"}],
		"matches": matches,
	},
}}

test_tcp_route_with_smi_group_is_denied if {
	fs := rule.findings with input as _egress([{"apiGroup": "specs.smi-spec.io/v1alpha4", "kind": "TCPRoute", "name": "db"}])
	count(fs) == 1
	some f in fs
	f.code == "MG2010"
	f.path == "spec.matches[0].kind"
	contains(f.message, "Expected 'matches.kind' for match 'db' to be 'HTTPRouteGroup', got: TCPRoute")
}

test_route_group_with_policy_group_is_denied if {
	fs := rule.findings with input as _egress([
		{"apiGroup": "specs.smi-spec.io/v1alpha4", "kind": "HTTPRouteGroup", "name": "routes"},
		{"apiGroup": "policy.openservicemesh.io/v1alpha1", "kind": "HTTPRouteGroup", "name": "routes"},
	])
	count(fs) == 1
	some f in fs
	f.path == "spec.matches[1].kind"
	contains(f.message, "to be 'UpstreamTrafficSetting', got: HTTPRouteGroup")
}

test_matching_kinds_pass if {
	count(rule.findings) == 0 with input as _egress([
		{"apiGroup": "specs.smi-spec.io/v1alpha4", "kind": "HTTPRouteGroup", "name": "routes"},
		{"apiGroup": "policy.openservicemesh.io/v1alpha1", "kind": "UpstreamTrafficSetting", "name": "limits"},
	])
}

test_unknown_group_is_left_to_mg2009 if {
	count(rule.findings) == 0 with input as _egress([{"apiGroup": "policy.openservicemesh.io", "kind": "HTTPRouteGroup", "name": "x"}])
}

test_wrong_types_do_not_error if {
	count(rule.findings) == 0 with input as _egress([{"apiGroup": ["x"], "kind": "X"}, {"apiGroup": "specs.smi-spec.io/v1alpha4", "kind": 1}])
}
