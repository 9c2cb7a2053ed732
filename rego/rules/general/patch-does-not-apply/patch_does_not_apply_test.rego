package meshguard.rules.general["patch-does-not-apply_test"]

import data.meshguard.rules.general["patch-does-not-apply"] as rule

_obj := {"kind": "MeshConfig", "metadata": {"name": "osm-mesh-config"}}

test_failing_operation_is_denied_with_suggestion if {
	fs := rule.findings with input as {"object": _obj, "patch": {
		"type": "json", "error": "replace operation does not apply: doc is missing path",
		"path": "spec.traffic.enableEngress", "suggestion": "spec.traffic.enableEgress",
	}}
	count(fs) == 1
	some f in fs
	f.path == "spec.traffic.enableEngress"
	contains(f.message, "did you mean spec.traffic.enableEgress?")
}

test_applied_patch_passes if {
	count(rule.findings) == 0 with input as {"object": _obj, "patch": {"type": "json"}}
}
