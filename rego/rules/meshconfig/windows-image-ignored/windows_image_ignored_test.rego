package meshguard.rules.meshconfig["windows-image-ignored_test"]

import data.meshguard.rules.meshconfig["windows-image-ignored"] as rule

_mc(sidecar) := {"object": {"apiVersion": "config.openservicemesh.io/v1alpha2", "kind": "MeshConfig", "metadata": {"name": "osm-mesh-config", "namespace": "osm-system"}, "spec": {"sidecar": sidecar}}}

test_windows_images_warn if {
	fs := rule.findings with input as _mc({
		"sidecarWindowsImage": "flomesh/pipy-windows:1.0",
		"sidecarDrivers": [
			{"sidecarName": "pipy", "sidecarImage": "flomesh/pipy:0.90.3-38"},
			{"sidecarName": "envoy", "sidecarImage": "envoyproxy/envoy:v1.19.3", "sidecarWindowsImage": "envoyproxy/envoy-windows:latest"},
		],
	})
	{f.path | some f in fs} == {"spec.sidecar.sidecarWindowsImage", "spec.sidecar.sidecarDrivers[1].sidecarWindowsImage"}
	every f in fs {
		f.code == "MG1014"
		f.severity == "warn"
		contains(f.message, "is never read")
		contains(f.message, "OSM_DEFAULT_SIDECAR_WINDOWS_IMAGE")
	}
	some f in fs
	contains(f.message, `sidecarWindowsImage "envoyproxy/envoy-windows:latest" of driver "envoy"`)
}

test_no_windows_image_passes if {
	count(rule.findings) == 0 with input as _mc({
		"sidecarWindowsImage": "",
		"sidecarDrivers": [{"sidecarName": "pipy", "sidecarImage": "flomesh/pipy:0.90.3-38"}],
	})
}
