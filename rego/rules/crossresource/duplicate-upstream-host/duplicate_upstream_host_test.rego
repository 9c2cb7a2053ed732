package meshguard.rules.crossresource["duplicate-upstream-host_test"]

import data.meshguard.rules.crossresource["duplicate-upstream-host"] as rule

_uts(ns, name, host) := {"apiVersion": "policy.openservicemesh.io/v1alpha1", "kind": "UpstreamTrafficSetting", "metadata": {"name": name, "namespace": ns}, "spec": {"host": host}}

test_same_host_is_denied if {
	fs := rule.findings with input as {
		"object": _uts("curl", "limits", "httpbin.org"),
		"inventory": {"upstreamTrafficSettings": [_uts("curl", "limits", "httpbin.org"), _uts("shop", "httpbin", "httpbin.org"), _uts("shop", "other", "example.com")]},
	}
	count(fs) == 1
	some f in fs
	f.code == "MG3006"
	f.path == "spec.host"
	f.message == `UpstreamTrafficSetting curl/limits conflicts with shop/httpbin since they have the same host "httpbin.org"`
}

test_update_of_itself_passes if {
	count(rule.findings) == 0 with input as {
		"object": _uts("curl", "limits", "httpbin.org"),
		"operation": "UPDATE",
		"inventory": {"upstreamTrafficSettings": [_uts("curl", "limits", "httpbin.org"), _uts("curl", "other", "example.com")]},
	}
}

test_unknown_inventory_and_wrong_types_are_silent if {
	count(rule.findings) == 0 with input as {"object": _uts("curl", "limits", "httpbin.org"), "inventory": {}}
	count(rule.findings) == 0 with input as {"object": _uts("curl", "limits", 5), "inventory": {"upstreamTrafficSettings": [_uts("a", "b", 5)]}}
}
