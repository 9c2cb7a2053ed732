package meshguard.rules.meshconfig["sidecar-class-not-pipy_test"]

import data.meshguard.rules.meshconfig["sidecar-class-not-pipy"] as rule

_mc(sidecar) := {"apiVersion": "config.openservicemesh.io/v1alpha2", "kind": "MeshConfig", "metadata": {"name": "osm-mesh-config", "namespace": "osm-system"}, "spec": {"sidecar": sidecar}}

# What meshguard serve adds when its injecting webhook injects by osm-system/osm-mesh-config.
_injector := {"name": "meshguard", "meshConfig": "osm-system/osm-mesh-config"}

_admission(old, new, facts) := {"admission": true, "operation": "UPDATE", "oldObject": _mc(old), "object": _mc(new), "facts": facts}

test_meshguard_injecting_is_told_every_pod_is_refused if {
	fs := rule.findings with input as _admission({"sidecarClass": "pipy"}, {"sidecarClass": "envoy"}, {"injector": _injector})
	count(fs) == 1
	some f in fs
	f.code == "MG1025"
	f.admission_severity == "deny"
	f.path == "spec.sidecar.sidecarClass"
	startswith(f.message, `spec.sidecar.sidecarClass is "envoy" (was "pipy"): meshguard's injecting webhook, which injects this mesh's pods by this MeshConfig, injects osm-edge's Pipy sidecar only, so it would refuse every pod created in the monitored namespaces`)
	contains(f.message, "to move to osm-edge's envoy driver, first hand injection back to osm-edge")
	contains(f.message, "restore its configuration osm-webhook-osm")
	contains(f.message, "meshguard serve with --inject=false")
}

test_a_create_and_an_empty_old_class if {
	fs := rule.findings with input as {"admission": true, "operation": "CREATE", "object": _mc({"sidecarClass": "Envoy"}), "facts": {"injector": _injector}}
	some f in fs
	startswith(f.message, `spec.sidecar.sidecarClass is "Envoy": meshguard's injecting webhook`)

	gs := rule.findings with input as _admission({}, {"sidecarClass": "envoy"}, {"injector": _injector})
	some g in gs
	startswith(g.message, `spec.sidecar.sidecarClass is "envoy" (was "", which means pipy): `)

	# An update that keeps the class does not say "was" (the engine says it
	# was already so).
	hs := rule.findings with input as _admission({"sidecarClass": "envoy"}, {"sidecarClass": "envoy", "logLevel": "debug"}, {"injector": _injector})
	some h in hs
	startswith(h.message, `spec.sidecar.sidecarClass is "envoy": `)
}

test_pipy_passes if {
	every sidecar in [{"sidecarClass": "pipy"}, {"sidecarClass": "Pipy"}, {"sidecarClass": ""}, {}] {
		count(rule.findings) == 0 with input as _admission({"sidecarClass": "envoy"}, sidecar, {"injector": _injector})
		count(rule.findings) == 0 with input as {"object": _mc(sidecar)}
	}
}

# A meshguard that only validates (serve --inject=false) leaves the move to
# osm-edge's Envoy driver alone, and so does one injecting by another
# MeshConfig.
test_no_word_at_admission_unless_meshguard_injects_by_it if {
	count(rule.findings) == 0 with input as _admission({"sidecarClass": "pipy"}, {"sidecarClass": "envoy"}, {})
	other := {"name": "meshguard", "meshConfig": "osm-system/other"}
	count(rule.findings) == 0 with input as _admission({"sidecarClass": "pipy"}, {"sidecarClass": "envoy"}, {"injector": other})
}

test_offline_it_is_a_conditional_note if {
	fs := rule.findings with input as {"object": _mc({"sidecarClass": "envoy"})}
	count(fs) == 1
	some f in fs
	f.severity == "info"
	startswith(f.message, `spec.sidecar.sidecarClass is "envoy": if meshguard's injecting webhook injects this mesh's pods, it refuses every pod`)
	contains(f.message, "with osm-edge's own injector the class is fine")

	gs := rule.findings with input as {"operation": "UPDATE", "oldObject": _mc({"sidecarClass": "pipy"}), "object": _mc({"sidecarClass": "envoy"})}
	some g in gs
	startswith(g.message, `spec.sidecar.sidecarClass is "envoy" (was "pipy"): if meshguard's`)
}

test_other_kinds_are_ignored if {
	count(rule.findings) == 0 with input as {"object": {"apiVersion": "policy.openservicemesh.io/v1alpha1", "kind": "Egress", "spec": {}}, "facts": {"injector": _injector}}
}

test_a_class_osm_edge_has_no_driver_for if {
	fs := rule.findings with input as _admission({"sidecarClass": "pipy"}, {"sidecarClass": "foo"}, {"injector": _injector})
	count(fs) == 1
	some f in fs
	endswith(f.message, "osm-edge has no sidecar driver of that name either (pipy and envoy are its two): set sidecarClass to pipy")
	not contains(f.message, "foo driver")
}
