package meshguard.rules.pods["metrics-annotation_test"]

import data.meshguard.rules.pods["metrics-annotation"] as rule

_pod := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "app", "namespace": "shop"}, "spec": {"containers": [{"name": "app"}]}}

_ns(v) := {"kind": "Namespace", "metadata": {
	"name": "shop",
	"labels": {"openservicemesh.io/monitored-by": "osm"},
	"annotations": {"openservicemesh.io/metrics": v, "openservicemesh.io/sidecar-injection": "enabled"},
}}

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

# osm-edge reads the annotation only for the pods it injects.
test_pods_not_injected_are_silent if {
	no_injection := object.union(_ns("on"), {"metadata": {"annotations": {"openservicemesh.io/sidecar-injection": "disabled"}}})
	count(rule.findings) == 0 with input as {"object": _pod, "inventory": {"namespaces": [no_injection]}}
	opted_out := object.union(_pod, {"metadata": {"annotations": {"openservicemesh.io/sidecar-injection": "no"}}})
	count(rule.findings) == 0 with input as {"object": opted_out, "inventory": {"namespaces": [_ns("on")]}}
	count(rule.findings) == 0 with input as {"object": _pod, "inventory": {"namespaces": [_ns("on")]}, "facts": {"injection": {"inject": false}}}
}

test_unknown_namespace_is_silent if {
	count(rule.findings) == 0 with input as {"object": _pod, "inventory": {}}
}
