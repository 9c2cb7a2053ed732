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

_with_log_level(level) := object.union(_mc, {"spec": {"sidecar": {"logLevel": level}}})

_unsupported(level) := {"path": "spec.sidecar.logLevel", "type": "FieldValueNotSupported", "badValue": level, "message": sprintf(`Unsupported value: %q: supported values: "trace", "debug", "info", "warning", "warn", "error", "critical", "false"`, [level])}

# An unquoted off arrives as false, and its error names the type as the bad value.
_not_a_string := {"path": "spec.sidecar.logLevel", "type": "FieldValueTypeInvalid", "badValue": "boolean", "message": `Invalid value: "boolean": spec.sidecar.logLevel in body must be of type string: "boolean"`}

test_log_level_off_is_left_to_its_rule if {
	count(rule.findings) == 0 with input as {"object": _with_log_level("off"), "facts": {"schema": {"errors": [_unsupported("off")]}}}
	count(rule.findings) == 0 with input as {"object": _with_log_level(false), "facts": {"schema": {"errors": [_not_a_string]}}}
}

test_other_bad_log_levels_are_denied if {
	fs := rule.findings with input as {"object": _with_log_level("verbose"), "facts": {"schema": {"errors": [_unsupported("verbose")]}}}
	count(fs) == 1
	some f in fs
	f.code == "MG1002"
	f.path == "spec.sidecar.logLevel"
	contains(f.message, `Unsupported value: "verbose"`)
}

test_log_level_true_is_denied_as_not_a_string if {
	fs := rule.findings with input as {"object": _with_log_level(true), "facts": {"schema": {"errors": [_not_a_string]}}}
	count(fs) == 1
}

test_valid_passes if {
	count(rule.findings) == 0 with input as {"object": _mc, "facts": {"schema": {"errors": []}}}
}
