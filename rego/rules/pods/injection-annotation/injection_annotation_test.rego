package meshguard.rules.pods["injection-annotation_test"]

import data.meshguard.rules.pods["injection-annotation"] as rule

_pod(ann) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "app", "namespace": "shop", "annotations": ann}, "spec": {"containers": [{"name": "app", "image": "app:1"}]}}

_ns(ann) := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop", "annotations": ann}}

test_invalid_pod_value_is_denied if {
	fs := rule.findings with input as {"object": _pod({"openservicemesh.io/sidecar-injection": "on"}), "inventory": {}}
	count(fs) == 1
	some f in fs
	f.code == "MG4001"
	f.path == `metadata.annotations["openservicemesh.io/sidecar-injection"]`
	contains(f.message, `Pod shop/app has openservicemesh.io/sidecar-injection: "on"`)
}

test_valid_values_in_any_case_pass if {
	every v in ["enabled", "Yes", "TRUE", "disabled", "no", "False"] {
		count(rule.findings) == 0 with input as {"object": _pod({"openservicemesh.io/sidecar-injection": v}), "inventory": {"namespaces": [_ns({"openservicemesh.io/sidecar-injection": v})]}}
	}
}

test_invalid_namespace_value_is_denied if {
	fs := rule.findings with input as {"object": _pod({}), "inventory": {"namespaces": [_ns({"openservicemesh.io/sidecar-injection": "1"})]}}
	count(fs) == 1
	some f in fs
	f.path == "metadata.namespace"
	contains(f.message, "namespace shop has")
}

test_other_kinds_are_ignored if {
	count(rule.findings) == 0 with input as {"object": object.union(_pod({"openservicemesh.io/sidecar-injection": "on"}), {"kind": "Service"}), "inventory": {}}
}
