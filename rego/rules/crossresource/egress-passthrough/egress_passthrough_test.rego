package meshguard.rules.crossresource["egress-passthrough_test"]

import data.meshguard.rules.crossresource["egress-passthrough"] as rule

_egress := {
	"apiVersion": "policy.openservicemesh.io/v1alpha1",
	"kind": "Egress",
	"metadata": {"name": "httpbin", "namespace": "curl"},
	"spec": {"sources": [{"kind": "ServiceAccount", "name": "curl", "namespace": "curl"}], "hosts": ["httpbin.org"], "ports": [{"number": 80, "protocol": "http"}]},
}

_mesh(spec) := {"apiVersion": "config.openservicemesh.io/v1alpha2", "kind": "MeshConfig", "metadata": {"name": "osm-mesh-config", "namespace": "osm-system"}, "spec": spec}

test_passthrough_warns if {
	fs := rule.findings with input as {"object": _egress, "inventory": {"meshConfig": _mesh({"traffic": {"enableEgress": true}})}}
	count(fs) == 1
	some f in fs
	f.code == "MG3001"
	f.severity == "warn"
	f.message == "Egress curl/httpbin restricts nothing: spec.traffic.enableEgress is true in MeshConfig osm-system/osm-mesh-config, so unmatched egress traffic passes through"
}

test_passthrough_off_passes if {
	count(rule.findings) == 0 with input as {"object": _egress, "inventory": {"meshConfig": _mesh({"traffic": {"enableEgress": false}})}}
}

test_policy_feature_off_is_left_to_mg3003 if {
	count(rule.findings) == 0 with input as {"object": _egress, "inventory": {"meshConfig": _mesh({"traffic": {"enableEgress": true}, "featureFlags": {"enableEgressPolicy": false}})}}
}

test_unknown_mesh_config_is_silent if {
	count(rule.findings) == 0 with input as {"object": _egress, "inventory": {}}
}

test_meshconfig_itself_is_not_judged_here if {
	m := _mesh({"traffic": {"enableEgress": true}})
	count(rule.findings) == 0 with input as {"object": m, "inventory": {"egresses": [_egress]}}
}

# An Egress in a namespace osm-edge does not monitor is not used at all:
# MG3004 says so, not that it restricts nothing.
test_unmonitored_namespace_defers_to_mg3004 if {
	eg := {"apiVersion": "policy.openservicemesh.io/v1alpha1", "kind": "Egress", "metadata": {"name": "e", "namespace": "lost"}}
	mc := {"kind": "MeshConfig", "metadata": {"name": "osm-mesh-config", "namespace": "osm-system"}, "spec": {"traffic": {"enableEgress": true}, "featureFlags": {"enableEgressPolicy": true}}}
	count(rule.findings) == 0 with input as {"object": eg, "inventory": {"meshName": "osm", "meshConfig": mc, "index": {"egressIds": [], "namespaceLabels": {"lost": {}}}}}
	count(rule.findings) == 1 with input as {"object": eg, "inventory": {"meshName": "osm", "meshConfig": mc, "index": {"egressIds": [], "namespaceLabels": {"lost": {"openservicemesh.io/monitored-by": "osm"}}}}}
}
