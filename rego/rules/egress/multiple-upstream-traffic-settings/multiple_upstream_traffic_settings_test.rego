package meshguard.rules.egress["multiple-upstream-traffic-settings_test"]

import data.meshguard.rules.egress["multiple-upstream-traffic-settings"] as rule

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

_uts(name) := {"apiGroup": "policy.openservicemesh.io/v1alpha1", "kind": "UpstreamTrafficSetting", "name": name}

test_two_settings_are_denied if {
	fs := rule.findings with input as _egress([_uts("a"), {"apiGroup": "specs.smi-spec.io/v1alpha4", "kind": "HTTPRouteGroup", "name": "r"}, _uts("b"), _uts("c")])
	count(fs) == 1
	some f in fs
	f.code == "MG2011"
	f.path == "spec.matches[2]"
	contains(f.message, `Egress app/web has 3 UpstreamTrafficSetting matches ("a", "b", "c")`)
	contains(f.message, "Cannot have more than 1 UpstreamTrafficSetting match")
}

test_one_setting_passes if {
	count(rule.findings) == 0 with input as _egress([_uts("a"), {"apiGroup": "specs.smi-spec.io/v1alpha4", "kind": "HTTPRouteGroup", "name": "r"}])
}

test_no_matches_pass if {
	count(rule.findings) == 0 with input as _egress([])
	count(rule.findings) == 0 with input as _egress("x")
}
