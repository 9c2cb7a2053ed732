package meshguard.rules.meshconfig["tls-version-order_test"]

import data.meshguard.rules.meshconfig["tls-version-order"] as rule

_mc(low, high) := {"object": {"apiVersion": "config.openservicemesh.io/v1alpha2", "kind": "MeshConfig", "metadata": {"name": "osm-mesh-config", "namespace": "osm-system"}, "spec": {"sidecar": {"tlsMinProtocolVersion": low, "tlsMaxProtocolVersion": high}}}}

test_min_above_max_is_denied if {
	cases := [["TLSv1_3", "TLSv1_2"], ["TLSv1_2", "TLSv1_1"], ["TLSv1_1", "TLSv1_0"], ["TLSv1_3", "TLSv1_0"]]
	every tc in cases {
		fs := rule.findings with input as _mc(tc[0], tc[1])
		count(fs) == 1
		some f in fs
		f.code == "MG1015"
		f.severity == "deny"
		f.path == "spec.sidecar.tlsMinProtocolVersion"
		contains(f.message, sprintf("tlsMinProtocolVersion %q is above tlsMaxProtocolVersion %q", tc))
	}
}

test_ordered_and_auto_versions_pass if {
	cases := [
		["TLSv1_2", "TLSv1_3"],
		["TLSv1_2", "TLSv1_2"],
		["TLSv1_0", "TLSv1_3"],
		["TLS_AUTO", "TLSv1_0"],
		["TLSv1_3", "TLS_AUTO"],
		["TLS_AUTO", "TLS_AUTO"],
	]
	every tc in cases {
		count(rule.findings) == 0 with input as _mc(tc[0], tc[1])
	}
}

test_unknown_values_are_left_to_the_schema if {
	count(rule.findings) == 0 with input as _mc("TLSv1_4", "TLSv1_2")
	count(rule.findings) == 0 with input as _mc(13, 12)
}
