package meshguard.rules.meshconfig["sidecar-class-changed_test"]

import data.meshguard.rules.meshconfig["sidecar-class-changed"] as rule

_pipy := {"sidecarName": "pipy", "sidecarImage": "flomesh/pipy:0.90.3-38", "proxyServerPort": 6060}

_envoy := {"sidecarName": "envoy", "sidecarImage": "envoyproxy/envoy:v1.19.3", "proxyServerPort": 15128}

_mc(sidecar) := {"apiVersion": "config.openservicemesh.io/v1alpha2", "kind": "MeshConfig", "metadata": {"name": "osm-mesh-config", "namespace": "osm-system"}, "spec": {"sidecar": sidecar}}

_update(old, new) := {"operation": "UPDATE", "oldObject": _mc(old), "object": _mc(new)}

test_changing_the_class_warns_with_the_mix_until_restart if {
	fs := rule.findings with input as _update(
		{"sidecarClass": "pipy", "sidecarDrivers": [_pipy, _envoy]},
		{"sidecarClass": "envoy", "sidecarDrivers": [_pipy, _envoy]},
	)
	count(fs) == 1
	some f in fs
	f.code == "MG1024"
	f.severity == "warn"
	f.path == "spec.sidecar.sidecarClass"
	startswith(f.message, `spec.sidecar.sidecarClass changes from "pipy" to "envoy", but osm-controller and osm-injector read it only when they start`)
	contains(f.message, `osm-injector injects the pipy driver's sidecar with the image and proxyServerPort it now looks up for "envoy" (image "envoyproxy/envoy:v1.19.3", port 15128)`)
	contains(f.message, "pods running now keep their pipy sidecar until they are recreated")
	contains(f.message, "kubectl rollout restart deployment osm-controller osm-injector -n osm-system")
}

test_empty_class_is_pipy if {
	# Back from envoy to the default: "" means pipy.
	fs := rule.findings with input as _update({"sidecarClass": "envoy", "sidecarDrivers": [_pipy, _envoy]}, {"sidecarClass": "", "sidecarDrivers": [_pipy, _envoy]})
	some f in fs
	startswith(f.message, `spec.sidecar.sidecarClass changes from "envoy" to "" (pipy)`)
	contains(f.message, `looks up for "pipy" (image "flomesh/pipy:0.90.3-38", port 6060)`)

	# Unset and "" and pipy in any case are one class.
	unchanged := [
		[{}, {"sidecarClass": "pipy"}],
		[{"sidecarClass": ""}, {"sidecarClass": "Pipy"}],
		[{"sidecarClass": "envoy"}, {"sidecarClass": "Envoy"}],
		[{"sidecarClass": "envoy", "logLevel": "error"}, {"sidecarClass": "envoy", "logLevel": "debug"}],
	]
	every pair in unchanged {
		count(rule.findings) == 0 with input as _update(pair[0], pair[1])
	}
}

test_image_and_port_as_osm_edge_looks_them_up if {
	cases := [
		# sidecar.sidecarImage wins over the driver's.
		{"sidecar": {"sidecarClass": "envoy", "sidecarImage": "flomesh/pipy:1.0.0", "sidecarDrivers": [_pipy, _envoy]}, "want": `(image "flomesh/pipy:1.0.0" from spec.sidecar.sidecarImage, port 15128)`},
		# No driver for the class: the environment's image and the constant port.
		{"sidecar": {"sidecarClass": "envoy", "sidecarDrivers": [_pipy]}, "want": "(the image in osm-injector's OSM_DEFAULT_SIDECAR_IMAGE, port 15128, osm-edge's constant when no sidecarDrivers entry matches)"},
		# The driver is found case-insensitively.
		{"sidecar": {"sidecarClass": "envoy", "sidecarDrivers": [_pipy, {"sidecarName": "Envoy", "sidecarImage": "envoyproxy/envoy:v1.20.0", "proxyServerPort": 15200}]}, "want": `(image "envoyproxy/envoy:v1.20.0", port 15200)`},
	]
	every tc in cases {
		fs := rule.findings with input as _update({"sidecarClass": "pipy", "sidecarDrivers": [_pipy, _envoy]}, tc.sidecar)
		count(fs) == 1
		some f in fs
		contains(f.message, tc.want)
	}
}

test_a_create_says_nothing if {
	count(rule.findings) == 0 with input as {"operation": "CREATE", "object": _mc({"sidecarClass": "envoy", "sidecarDrivers": [_envoy]})}
	count(rule.findings) == 0 with input as {"object": _mc({"sidecarClass": "envoy", "sidecarDrivers": [_envoy]})}
}

test_other_kinds_are_ignored if {
	count(rule.findings) == 0 with input as {"operation": "UPDATE", "oldObject": {"kind": "Egress", "apiVersion": "policy.openservicemesh.io/v1alpha1"}, "object": {"kind": "Egress", "apiVersion": "policy.openservicemesh.io/v1alpha1", "spec": {}}}
}

test_silent_while_meshguard_injects_this_mesh if {
	# osm-injector injects nothing then; MG1025 speaks of the class.
	inp := object.union(_update({"sidecarClass": "envoy"}, {"sidecarClass": "pipy"}), {"facts": {"injector": {"name": "meshguard", "meshConfig": "osm-system/osm-mesh-config"}}})
	count(rule.findings) == 0 with input as inp
	other := object.union(_update({"sidecarClass": "envoy"}, {"sidecarClass": "pipy"}), {"facts": {"injector": {"name": "meshguard", "meshConfig": "other/osm-mesh-config"}}})
	count(rule.findings) == 1 with input as other
}
