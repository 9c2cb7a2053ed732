package meshguard.rules.egress["match-api-group_test"]

import data.meshguard.rules.egress["match-api-group"] as rule

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

_finding(match) := f if {
	fs := rule.findings with input as _egress([{"apiGroup": "specs.smi-spec.io/v1alpha4", "kind": "HTTPRouteGroup", "name": "ok"}, match])
	count(fs) == 1
	some f in fs
}

test_plain_group_is_denied_and_explained if {
	f := _finding({"apiGroup": "policy.openservicemesh.io", "kind": "UpstreamTrafficSetting", "name": "limits"})
	f.code == "MG2009"
	f.path == "spec.matches[1].apiGroup"
	contains(f.message, `Egress app/web: apiGroup "policy.openservicemesh.io" of match "limits" is the group alone: write the group/version string policy.openservicemesh.io/v1alpha1`)
	contains(f.message, "Expected 'matches.apiGroup' to be one of [specs.smi-spec.io/v1alpha4 policy.openservicemesh.io/v1alpha1], got: policy.openservicemesh.io")
}

test_other_smi_version_is_denied if {
	f := _finding({"apiGroup": "specs.smi-spec.io/v1alpha3", "kind": "HTTPRouteGroup", "name": "routes"})
	contains(f.message, "unsupported version: osm-edge accepts only specs.smi-spec.io/v1alpha4")
}

test_unknown_group_is_denied if {
	f := _finding({"apiGroup": "networking.k8s.io/v1", "kind": "Ingress", "name": "x"})
	contains(f.message, "is not accepted")
}

test_accepted_groups_pass if {
	count(rule.findings) == 0 with input as _egress([
		{"apiGroup": "specs.smi-spec.io/v1alpha4", "kind": "HTTPRouteGroup", "name": "routes"},
		{"apiGroup": "policy.openservicemesh.io/v1alpha1", "kind": "UpstreamTrafficSetting", "name": "limits"},
	])
}

test_wrong_types_do_not_error if {
	count(rule.findings) == 0 with input as _egress([{"apiGroup": 1, "kind": "X", "name": "x"}])
	count(rule.findings) == 0 with input as _egress("x")
}
