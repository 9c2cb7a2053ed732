package meshguard.rules.pods["metrics-annotation_test"]

import data.meshguard.rules.pods["metrics-annotation"] as rule

_pod := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "app", "namespace": "shop"}, "spec": {"containers": [{"name": "app"}]}}

_ns(v) := {"kind": "Namespace", "metadata": {"name": "shop", "annotations": {"openservicemesh.io/metrics": v}}}

test_invalid_value_is_denied if {
	fs := rule.findings with input as {"object": _pod, "inventory": {"namespaces": [_ns("on")]}}
	count(fs) == 1
	some f in fs
	f.code == "MG4002"
	contains(f.message, `namespace shop has openservicemesh.io/metrics: "on"`)
}

test_valid_values_pass if {
	every v in ["enabled", "Disabled", "yes", "false"] {
		count(rule.findings) == 0 with input as {"object": _pod, "inventory": {"namespaces": [_ns(v)]}}
	}
}

test_unknown_namespace_is_silent if {
	count(rule.findings) == 0 with input as {"object": _pod, "inventory": {}}
}
