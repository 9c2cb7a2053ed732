package meshguard.rules.crossresource["missing-upstream-traffic-setting_test"]

import data.meshguard.rules.crossresource["missing-upstream-traffic-setting"] as rule

_egress(matches) := {
	"apiVersion": "policy.openservicemesh.io/v1alpha1",
	"kind": "Egress",
	"metadata": {"name": "httpbin", "namespace": "curl"},
	"spec": {"matches": matches},
}

_match(name) := {"apiGroup": "policy.openservicemesh.io/v1alpha1", "kind": "UpstreamTrafficSetting", "name": name}

_uts(ns, name) := {"apiVersion": "policy.openservicemesh.io/v1alpha1", "kind": "UpstreamTrafficSetting", "metadata": {"name": name, "namespace": ns}, "spec": {"host": "httpbin.org"}}

test_missing_setting_is_denied if {
	fs := rule.findings with input as {
		"object": _egress([{"apiGroup": "specs.smi-spec.io/v1alpha4", "kind": "HTTPRouteGroup", "name": "routes"}, _match("limits")]),
		"inventory": {"upstreamTrafficSettings": [_uts("curl", "other")]},
	}
	count(fs) == 1
	some f in fs
	f.code == "MG3005"
	f.path == "spec.matches[1].name"
	f.message == `Egress curl/httpbin references UpstreamTrafficSetting "limits", which does not exist in namespace "curl": osm-edge ignores the whole policy`
}

test_setting_in_another_namespace_is_pointed_out if {
	fs := rule.findings with input as {
		"object": _egress([_match("limits")]),
		"inventory": {"upstreamTrafficSettings": [_uts("httpbin", "limits")]},
	}
	some f in fs
	endswith(f.message, `(one exists in namespace "httpbin", but it must be in "curl")`)
}

test_no_settings_at_all_is_denied if {
	count(rule.findings) == 1 with input as {"object": _egress([_match("limits")]), "inventory": {"upstreamTrafficSettings": []}}
}

test_existing_setting_passes if {
	count(rule.findings) == 0 with input as {"object": _egress([_match("limits")]), "inventory": {"upstreamTrafficSettings": [_uts("curl", "limits")]}}
}

test_unknown_inventory_is_silent if {
	count(rule.findings) == 0 with input as {"object": _egress([_match("limits")]), "inventory": {}}
}
