package meshguard.rules.meshconfig["spec-unchanged_test"]

import data.meshguard.rules.meshconfig["spec-unchanged"] as rule

_mc(metadata, traffic) := {
	"apiVersion": "config.openservicemesh.io/v1alpha2",
	"kind": "MeshConfig",
	"metadata": object.union({"name": "osm-mesh-config", "namespace": "osm-system"}, metadata),
	"spec": {"traffic": object.union({"interceptionMode": "iptables"}, traffic)},
}

_stored := _mc({"generation": 3}, {"enableEgress": true})

_update(obj) := {"operation": "UPDATE", "object": obj, "oldObject": _stored}

test_no_op_update_warns_with_the_command if {
	# kubectl patch -p '{"spec":{"traffic":{"enableEngress":false}}}': the typo is pruned.
	fs := rule.findings with input as _update(_mc({"generation": 3}, {"enableEgress": true}))
	count(fs) == 1
	some f in fs
	f.code == "MG1017"
	f.severity == "warn"
	f.path == "spec"
	contains(f.message, "this update changes nothing in spec")
	contains(f.message, "meshguard validate patch meshconfig osm-mesh-config -n osm-system -p '<your patch>' --type <its type>")
	not contains(f.message, "enableEngress") # meshguard never sees the name
}

test_label_and_annotate_that_change_nothing_pass if {
	# kubectl annotate --overwrite with the value already set
	same := _mc({"generation": 3}, {"enableEgress": true})
	every manager in ["kubectl-label", "kubectl-annotate"] {
		count(rule.findings) == 0 with input as object.union(_update(same), {"options": {"fieldManager": manager}})
	}
	count(rule.findings) == 1 with input as object.union(_update(same), {"options": {"fieldManager": "kubectl-patch"}})
}

test_no_op_update_without_generation_warns if {
	old := _mc({}, {"enableEgress": true})
	count(rule.findings) == 1 with input as {"operation": "UPDATE", "object": old, "oldObject": old}
}

_last_applied(config) := _mc({"generation": 3, "annotations": {"kubectl.kubernetes.io/last-applied-configuration": config}}, {"enableEgress": true})

test_new_last_applied_configuration_still_warns if {
	# kubectl apply --validate=false of a typo: the API server drops it from
	# spec, not from the annotation (the engine reports it there).
	annotated := _last_applied(`{"spec":{"traffic":{"enableEngress":false}}}`)
	count(rule.findings) == 1 with input as object.union(_update(annotated), {"facts": {"schema": {"unknownFields": [{"path": "spec.traffic.enableEngress", "source": "lastApplied"}]}}})
}

test_last_applied_configuration_alone_is_a_change if {
	# kubectl apply set-last-applied, and the annotation removed.
	count(rule.findings) == 0 with input as object.union(_update(_last_applied(`{"spec":{"traffic":{"enableEgress":true}}}`)), {"facts": {"schema": {"unknownFields": []}}})
	count(rule.findings) == 0 with input as {"operation": "UPDATE", "object": _stored, "oldObject": _last_applied(`{"spec":{}}`)}
}

test_finalizers_and_owners_are_changes if {
	count(rule.findings) == 0 with input as _update(_mc({"generation": 3, "finalizers": ["example.com/keep"]}, {"enableEgress": true}))
	count(rule.findings) == 0 with input as _update(_mc({"generation": 3, "ownerReferences": [{"kind": "ConfigMap", "name": "x", "uid": "1", "apiVersion": "v1"}]}, {"enableEgress": true}))
}

test_managed_fields_alone_still_warn if {
	# kubectl apply --server-side --validate=false of a typo.
	count(rule.findings) == 1 with input as _update(_mc({"generation": 3, "managedFields": [{"manager": "kubectl", "operation": "Apply"}]}, {"enableEgress": true}))
}

test_real_changes_pass if {
	cases := [
		_mc({"generation": 4}, {"enableEgress": false}),
		_mc({"generation": 3}, {"enableEgress": false}),
		_mc({"generation": 4}, {"enableEgress": true}),
		_mc({"generation": 3, "labels": {"team": "mesh"}}, {"enableEgress": true}),
		_mc({"generation": 3, "annotations": {"note": "x"}}, {"enableEgress": true}),
	]
	every obj in cases {
		count(rule.findings) == 0 with input as _update(obj)
	}
}

test_setting_a_non_default_value_passes if {
	old := {"apiVersion": "config.openservicemesh.io/v1alpha2", "kind": "MeshConfig", "metadata": {"name": "osm-mesh-config"}, "spec": {"sidecar": {"logLevel": "error"}}}
	new := json.patch(old, [
		{"op": "add", "path": "/spec/sidecar/tlsMinProtocolVersion", "value": "TLSv1_3"},
		{"op": "add", "path": "/spec/sidecar/tlsMaxProtocolVersion", "value": "TLSv1_3"},
		{"op": "add", "path": "/spec/sidecar/localProxyMode", "value": "Localhost"},
	])
	count(rule.findings) == 0 with input as {"operation": "UPDATE", "object": new, "oldObject": old}
}

test_creates_pass if {
	count(rule.findings) == 0 with input as {"operation": "CREATE", "object": _stored}
	count(rule.findings) == 0 with input as {"object": _stored}
	count(rule.findings) == 0 with input as {"operation": "UPDATE", "object": _stored}
}

test_other_kinds_are_ignored if {
	eg := {"apiVersion": "policy.openservicemesh.io/v1alpha1", "kind": "Egress", "metadata": {"name": "e"}, "spec": {}}
	count(rule.findings) == 0 with input as {"operation": "UPDATE", "object": eg, "oldObject": eg}
}

test_idempotent_cli_patch_is_silent if {
	count(rule.findings) == 0 with input as {
		"operation": "UPDATE",
		"object": _same,
		"oldObject": _same,
		"patch": {"type": "merge"},
		"facts": {"schema": {"unknownFields": []}},
	}
}

test_cli_patch_with_typo_fires if {
	count(rule.findings) == 1 with input as {
		"operation": "UPDATE",
		"object": _same,
		"oldObject": _same,
		"patch": {"type": "merge"},
		"facts": {"schema": {"unknownFields": [{"path": "spec.traffic.enableEngress", "source": "object"}]}},
	}
}

_same := {"apiVersion": "config.openservicemesh.io/v1alpha2", "kind": "MeshConfig", "metadata": {"name": "osm-mesh-config", "namespace": "osm-system"}, "spec": {"traffic": {"enableEgress": true}}}

test_cli_patch_message_names_what_kubectl_prints if {
	some f in rule.findings with input as {
		"operation": "UPDATE",
		"object": _same,
		"oldObject": _same,
		"patch": {"type": "merge"},
		"facts": {"schema": {"unknownFields": [{"path": "spec.traffic.enableEngress", "source": "object"}]}},
	}
	contains(f.message, "patched (no change)")
	not contains(f.message, "meshguard validate patch")
}

test_idempotent_cli_apply_is_silent if {
	# A script's kubectl apply of a MeshConfig that restates what is set.
	count(rule.findings) == 0 with input as {
		"operation": "UPDATE",
		"object": _same,
		"oldObject": _same,
		"applied": "apply",
		"facts": {"schema": {"unknownFields": []}},
	}
}

test_cli_apply_with_typo_names_the_command if {
	some f in rule.findings with input as {
		"operation": "UPDATE",
		"object": _same,
		"oldObject": _same,
		"applied": "apply",
		"facts": {"schema": {"unknownFields": [{"path": "spec.traffic.enableEngress", "source": "object"}]}},
	}
	f.message == "this kubectl apply changes nothing in spec once the API server drops the unknown fields reported with it"
}

test_refused_apply_changes_nothing_and_says_nothing if {
	# kubectl apply (strict field validation) of a misspelled field: the API
	# server refuses it, so there is no update to call unchanged.
	count(rule.findings) == 0 with input as {
		"operation": "UPDATE",
		"object": _same,
		"oldObject": _same,
		"applied": "apply",
		"options": {"fieldValidation": "Strict"},
		"facts": {"schema": {"unknownFields": [{"path": "spec.traffic.enableEngress", "source": "object"}]}},
	}
}
