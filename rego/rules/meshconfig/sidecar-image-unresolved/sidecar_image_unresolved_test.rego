package meshguard.rules.meshconfig["sidecar-image-unresolved_test"]

import data.meshguard.rules.meshconfig["sidecar-image-unresolved"] as rule

_mc(sidecar) := {"object": {"apiVersion": "config.openservicemesh.io/v1alpha2", "kind": "MeshConfig", "metadata": {"name": "osm-mesh-config", "namespace": "osm-system"}, "spec": {"sidecar": sidecar}}}

_pipy := {"sidecarName": "pipy", "sidecarImage": "flomesh/pipy:0.90.3-38", "proxyServerPort": 6060}

_envoy := {"sidecarName": "envoy", "sidecarImage": "envoyproxy/envoy:v1.19.3", "proxyServerPort": 15128}

test_unresolved_image_warns if {
	cases := [
		{"sidecar": {"sidecarImage": "", "sidecarClass": "pipy", "sidecarDrivers": [_envoy]}, "class": "pipy"},
		{"sidecar": {"sidecarClass": "envoy", "sidecarDrivers": [_pipy]}, "class": "envoy"},
		{"sidecar": {"sidecarClass": "", "sidecarDrivers": [{"sidecarName": "pipy", "sidecarImage": ""}]}, "class": "pipy"},
	]
	every tc in cases {
		fs := rule.findings with input as _mc(tc.sidecar)
		count(fs) == 1
		some f in fs
		f.code == "MG1013"
		f.severity == "warn"
		f.path == "spec.sidecar.sidecarImage"
		contains(f.message, sprintf("no sidecarDrivers entry named %q", [tc.class]))
		contains(f.message, "OSM_DEFAULT_SIDECAR_IMAGE")
	}
}

test_resolved_image_passes if {
	cases := [
		{"sidecarImage": "flomesh/pipy:1.0"},
		{"sidecarClass": "pipy", "sidecarDrivers": [_pipy, _envoy]},
		{"sidecarClass": "envoy", "sidecarDrivers": [_pipy, _envoy]},
		{"sidecarClass": "", "sidecarDrivers": [_pipy]},
		{"sidecarDrivers": [{"sidecarName": "Pipy", "sidecarImage": "flomesh/pipy:0.90.3-38"}]},
	]
	every sidecar in cases {
		count(rule.findings) == 0 with input as _mc(sidecar)
	}
}

test_other_kinds_are_ignored if {
	count(rule.findings) == 0 with input as {"object": {"apiVersion": "policy.openservicemesh.io/v1alpha1", "kind": "Egress", "spec": {}}}
}

test_manifest_without_drivers_passes if {
	count(rule.findings) == 0 with input as {"object": {
		"apiVersion": "config.openservicemesh.io/v1alpha2",
		"kind": "MeshConfig",
		"metadata": {"name": "osm-mesh-config"},
		"spec": {"sidecar": {"logLevel": "error"}},
	}}
}

# In an admission review the MeshConfig is whole: no drivers and no image
# is no image (kubectl apply of a partial manifest removed them).
test_no_drivers_in_an_admission_review_is_no_image if {
	mc := {"apiVersion": "config.openservicemesh.io/v1alpha2", "kind": "MeshConfig", "metadata": {"name": "osm-mesh-config"}, "spec": {"traffic": {"enableEgress": false}}}
	count(rule.findings) == 1 with input as {"admission": true, "object": mc}
	count(rule.findings) == 0 with input as {"object": mc}
}
