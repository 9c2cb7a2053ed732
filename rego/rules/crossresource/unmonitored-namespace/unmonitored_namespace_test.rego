package meshguard.rules.crossresource["unmonitored-namespace_test"]

import data.meshguard.rules.crossresource["unmonitored-namespace"] as rule

_egress := {"apiVersion": "policy.openservicemesh.io/v1alpha1", "kind": "Egress", "metadata": {"name": "httpbin", "namespace": "curl"}}

_ns(name, labels) := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}

test_unlabelled_namespace_warns if {
	fs := rule.findings with input as {"object": _egress, "inventory": {"namespaces": [_ns("curl", {"team": "a"}), _ns("other", {})]}}
	count(fs) == 1
	some f in fs
	f.code == "MG3004"
	f.path == "metadata.namespace"
	f.message == `Egress curl/httpbin is in namespace "curl", which has no openservicemesh.io/monitored-by label: osm-edge only uses Egress policies in namespaces it monitors`
}

test_namespace_without_labels_warns if {
	count(rule.findings) == 1 with input as {"object": _egress, "inventory": {"namespaces": [{"kind": "Namespace", "metadata": {"name": "curl"}}]}}
}

test_monitored_namespace_passes if {
	count(rule.findings) == 0 with input as {"object": _egress, "inventory": {"namespaces": [_ns("curl", {"openservicemesh.io/monitored-by": "osm"})]}}
}

test_unknown_namespaces_are_silent if {
	count(rule.findings) == 0 with input as {"object": _egress, "inventory": {}}
	count(rule.findings) == 0 with input as {"object": _egress, "inventory": {"namespaces": [_ns("other", {})]}}
}

test_other_mesh_warns_when_the_mesh_is_known if {
	fs := rule.findings with input as {"object": _egress, "inventory": {"meshName": "osm", "namespaces": [_ns("curl", {"openservicemesh.io/monitored-by": "edge"})]}}
	count(fs) == 1
	some f in fs
	f.message == `Egress curl/httpbin is in namespace "curl", which is monitored by mesh "edge", not "osm": osm-edge only uses Egress policies in namespaces it monitors`
}

test_own_mesh_passes_when_the_mesh_is_known if {
	count(rule.findings) == 0 with input as {"object": _egress, "inventory": {"meshName": "osm", "namespaces": [_ns("curl", {"openservicemesh.io/monitored-by": "osm"})]}}
}

test_any_mesh_passes_when_the_mesh_is_unknown if {
	count(rule.findings) == 0 with input as {"object": _egress, "inventory": {"namespaces": [_ns("curl", {"openservicemesh.io/monitored-by": "edge"})]}}
}
