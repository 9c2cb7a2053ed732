package meshguard.rules.pods["injection-annotation_test"]

import data.meshguard.rules.pods["injection-annotation"] as rule

_pod(ann) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "app", "namespace": "shop", "annotations": ann}, "spec": {"containers": [{"name": "app", "image": "app:1"}]}}

_ns(ann) := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop", "labels": {"openservicemesh.io/monitored-by": "osm"}, "annotations": ann}}

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

test_empty_value_is_denied if {
	# osm-edge reads the annotation when it is there, empty or not.
	count(rule.findings) == 1 with input as {"object": _pod({"openservicemesh.io/sidecar-injection": ""}), "inventory": {}}
}

# osm-edge admits a pod its selection leaves before the annotations (spec
# §4.2): on the host network, in a system namespace, in a namespace its
# webhook does not watch.
test_pods_selected_out_before_the_annotations_pass if {
	bad := _pod({"openservicemesh.io/sidecar-injection": "maybe"})
	count(rule.findings) == 0 with input as {"object": object.union(bad, {"spec": {"hostNetwork": true}}), "inventory": {}}
	count(rule.findings) == 0 with input as {"object": object.union(bad, {"metadata": {"namespace": "kube-system"}}), "inventory": {}}
	count(rule.findings) == 0 with input as {"object": bad, "inventory": {"namespaces": [object.union(_ns({}), {"metadata": {"labels": {"openservicemesh.io/monitored-by": ""}}})]}}
	count(rule.findings) == 0 with input as {"object": bad, "inventory": {}, "facts": {"injection": {"inject": false, "reason": "host-network"}}}
	count(rule.findings) == 1 with input as {"object": bad, "inventory": {}, "facts": {"injection": {"inject": false, "reason": "invalid-annotation"}}}
}
