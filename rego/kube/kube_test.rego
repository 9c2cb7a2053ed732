package meshguard.kube_test

import data.meshguard.kube

test_group_and_version if {
	kube.group("policy.openservicemesh.io/v1alpha1") == "policy.openservicemesh.io"
	kube.group("v1") == ""
	kube.version("config.openservicemesh.io/v1alpha2") == "v1alpha2"
	kube.version("v1") == "v1"
}

test_ref if {
	kube.ref({"kind": "Egress", "metadata": {"name": "a", "namespace": "b"}}) == "Egress b/a"
	kube.ref({"kind": "Namespace", "metadata": {"name": "a"}}) == "Namespace a"
}

_mc := {"apiVersion": "config.openservicemesh.io/v1alpha2", "kind": "MeshConfig", "metadata": {"name": "osm-mesh-config", "namespace": "osm-system"}, "spec": {"traffic": {"enableEgress": true}}}

_eg(name) := {"apiVersion": "policy.openservicemesh.io/v1alpha1", "kind": "Egress", "metadata": {"name": name, "namespace": "ns"}}

test_mesh_config_is_the_object_or_the_inventory if {
	kube.mesh_config == _mc with input as {"object": _mc}
	kube.mesh_config == _mc with input as {"object": _eg("a"), "inventory": {"meshConfig": _mc}}
	not kube.mesh_config with input as {"object": _eg("a"), "inventory": {}}
}

test_egresses_on_port_for_exclude_the_object_itself if {
	a := object.union(_eg("a"), {"spec": {"sources": [{"kind": "ServiceAccount", "name": "sa", "namespace": "ns"}], "ports": [{"number": 3306, "protocol": "tcp"}]}})
	b := object.union(_eg("b"), {"spec": {"sources": [{"kind": "ServiceAccount", "name": "sa", "namespace": "ns"}], "ports": [{"number": 3306, "protocol": "TCP"}]}})
	inp := {"object": a, "inventory": {"egresses": [a, b]}}
	{e.id | some e in kube.egresses_on_port_for(3306, "ns/sa", true)} == {"ns/b"} with input as inp
	kube.egresses_on_port_for(3306, "ns/sa", false) == set() with input as inp
	kube.egresses_on_port_for(3306, "ns/other", true) == set() with input as inp
	kube.egresses_on_port_for(80, "ns/sa", true) == set() with input as inp
}

test_precomputed_index_is_used if {
	kube.egress_ids == ["x/y"] with input as {"object": _mc, "inventory": {"egresses": [], "index": {"egressIds": ["x/y"], "egressServerFirst": {}, "egressNotServerFirst": {}}}}
}

test_passthrough_and_policy_flag if {
	kube.passthrough(_mc)
	not kube.passthrough({"spec": {"traffic": {"enableEgress": false}}})
	kube.egress_policy_enabled({"spec": {}})
	not kube.egress_policy_enabled({"spec": {"featureFlags": {"enableEgressPolicy": false}}})
}

test_protocol_lowercases if {
	kube.protocol({"protocol": "TCP"}) == "tcp"
	not kube.protocol({"number": 1})
}

test_has_items if {
	kube.has_items({"hosts": ["a"]}, "hosts")
	not kube.has_items({"hosts": []}, "hosts")
	not kube.has_items({"hosts": null}, "hosts")
	not kube.has_items({}, "hosts")
	not kube.has_items({"hosts": "a"}, "hosts")
}

test_egress_ids_are_sorted_without_the_object if {
	kube.egress_ids == ["ns/b", "ns/c"] with input as {"object": _eg("a"), "inventory": {"egresses": [_eg("c"), _eg("a"), _eg("b")]}}
	kube.egress_ids == ["ns/a", "ns/b"] with input as {"object": _mc, "inventory": {"egresses": [_eg("b"), _eg("a")]}}
	kube.egress_ids == [] with input as {"object": _mc, "inventory": {}}
}

test_ref_of_a_pod_without_a_name if {
	kube.ref({"kind": "Pod", "metadata": {"namespace": "shop", "generateName": "web-7d9f-"}}) == "Pod shop/web-7d9f-*"
	kube.ref({"kind": "Pod", "metadata": {"namespace": "shop"}}) == "Pod shop/(unnamed)"
}

_pod(ns, ann) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "app", "namespace": ns, "annotations": ann}, "spec": {"containers": [{"name": "app"}]}}

_namespace(name, labels, ann) := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels, "annotations": ann}}

_on := {"openservicemesh.io/sidecar-injection": "enabled"}

_monitored := {"openservicemesh.io/monitored-by": "osm"}

# The webhook's decision, when it gives one, is the answer.
test_injected_as_the_webhook_decided if {
	kube.injected with input as {"object": _pod("shop", {}), "facts": {"injection": {"inject": true}}}
	not kube.injected with input as {"object": _pod("shop", _on), "facts": {"injection": {"inject": false}}}
	kube.injected_but_for_host_network with input as {"object": _pod("shop", {}), "facts": {"injection": {"inject": false, "injectedButForHostNetwork": true}}}
	not kube.injected_but_for_host_network with input as {"object": _pod("shop", {}), "facts": {"injection": {"inject": false}}}
}

# Offline, as osm-edge selects pods (spec §4.2), as far as the inputs tell.
test_injected_offline if {
	# a namespace meshguard was not shown: taken as injected
	kube.injected with input as {"object": _pod("shop", {})}
	kube.injected with input as {"object": _pod("shop", {"openservicemesh.io/sidecar-injection": "True"})}
	not kube.injected with input as {"object": _pod("shop", {"openservicemesh.io/sidecar-injection": "Disabled"})}
	not kube.injected with input as {"object": _pod("shop", {"openservicemesh.io/sidecar-injection": "sometimes"})}
	not kube.injected with input as {"object": _pod("kube-system", {})}
	not kube.injected with input as {"object": _pod("mesh", {}), "inventory": {"meshConfig": {"metadata": {"namespace": "mesh"}}}}
	host := object.union(_pod("shop", {}), {"spec": {"hostNetwork": true}})
	not kube.injected with input as {"object": host}
	kube.injected_but_for_host_network with input as {"object": host}

	# a namespace among the inputs
	kube.injected with input as {"object": _pod("shop", {}), "inventory": {"meshName": "osm", "namespaces": [_namespace("shop", _monitored, _on)]}}
	not kube.injected with input as {"object": _pod("shop", {}), "inventory": {"meshName": "osm", "namespaces": [_namespace("shop", _monitored, {})]}}
	not kube.injected with input as {"object": _pod("shop", {}), "inventory": {"meshName": "osm", "namespaces": [_namespace("shop", {"openservicemesh.io/monitored-by": "other"}, _on)]}}
	not kube.injected with input as {"object": _pod("shop", {}), "inventory": {"meshName": "osm", "namespaces": [_namespace("shop", object.union(_monitored, {"openservicemesh.io/ignore": "true"}), _on)]}}
	not kube.injected with input as {"object": _pod("shop", {}), "inventory": {"meshName": "osm", "namespaces": [_namespace("shop", _monitored, {"openservicemesh.io/sidecar-injection": "disabled"})]}}

	# the pod's annotation wins over its namespace's, in a namespace the
	# mesh watches
	kube.injected with input as {"object": _pod("shop", _on), "inventory": {"meshName": "osm", "namespaces": [_namespace("shop", _monitored, {})]}}
	not kube.injected with input as {"object": _pod("shop", _on), "inventory": {"meshName": "osm", "namespaces": [_namespace("shop", {}, _on)]}}
}

# osm-edge uses the Egress policies of monitored namespaces only: one in a
# Namespace the view shows unmonitored is not counted among the mesh's.
test_egress_ids_leave_out_unmonitored_namespaces if {
	inv := {"meshName": "osm", "index": {
		"egressIds": ["curl/a", "lost/b", "unknown/c"],
		"namespaceLabels": {"curl": {"openservicemesh.io/monitored-by": "osm"}, "lost": {}},
	}}
	kube.egress_ids == ["curl/a", "unknown/c"] with input as {"object": _mc, "inventory": inv}
	kube.unmonitored_namespace("lost") with input as {"object": _mc, "inventory": inv}
	not kube.unmonitored_namespace("unknown") with input as {"object": _mc, "inventory": inv}
}

# A stored pod's manifest, already injected: not injected again.
test_an_injected_pod_is_not_injected_again if {
	p := object.union(_pod("shop", {}), {"metadata": {"labels": {"osm-proxy-uuid": "u1"}}, "spec": {"volumes": [{"name": "sidecar-bootstrap-config-volume", "secret": {"secretName": "sidecar-bootstrap-config-u1"}}]}})
	not kube.injected with input as {"object": p}
	kube.injected with input as {"object": _pod("shop", {})}
}

# A kubectl debug copy drops the labels but keeps the bootstrap volume.
test_a_debug_copy_is_not_injected if {
	p := object.union(_pod("shop", {}), {"spec": {"volumes": [{"name": "sidecar-bootstrap-config-volume", "secret": {"secretName": "sidecar-bootstrap-config-u1"}}]}})
	not kube.injected with input as {"object": p}
}

test_sidecar_class_is_lower_case_and_pipy_when_unset if {
	kube.sidecar_class({"spec": {"sidecar": {"sidecarClass": "Envoy"}}}) == "envoy"
	kube.sidecar_class({"spec": {"sidecar": {"sidecarClass": ""}}}) == "pipy"
	kube.sidecar_class({"spec": {"sidecar": {}}}) == "pipy"
	kube.sidecar_class({"spec": {}}) == "pipy"
	kube.sidecar_class({"spec": {"sidecar": {"sidecarClass": 7}}}) == "pipy"
}
