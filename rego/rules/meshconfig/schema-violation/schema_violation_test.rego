package meshguard.rules.meshconfig["schema-violation_test"]

import data.meshguard.rules.meshconfig["schema-violation"] as rule

_mc := {"apiVersion": "config.openservicemesh.io/v1alpha2", "kind": "MeshConfig", "metadata": {"name": "osm-mesh-config"}}

_type_error := {"path": "spec.traffic.enableEgress", "type": "Invalid value", "message": `Invalid value: "string": spec.traffic.enableEgress in body must be of type boolean: "string"`}

test_type_error_is_denied_in_api_server_words if {
	fs := rule.findings with input as {"object": _mc, "facts": {"schema": {"errors": [_type_error]}}}
	count(fs) == 1
	some f in fs
	f.code == "MG1002"
	f.path == "spec.traffic.enableEgress"
	contains(f.message, "must be of type boolean")
}

test_log_level_is_left_to_its_rule if {
	count(rule.findings) == 0 with input as {"object": _mc, "facts": {"schema": {"errors": [{"path": "spec.sidecar.logLevel", "type": "Unsupported value", "message": "x"}]}}}
}

test_valid_passes if {
	count(rule.findings) == 0 with input as {"object": _mc, "facts": {"schema": {"errors": []}}}
}
