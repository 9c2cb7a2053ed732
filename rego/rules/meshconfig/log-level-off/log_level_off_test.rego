package meshguard.rules.meshconfig["log-level-off_test"]

import data.meshguard.rules.meshconfig["log-level-off"] as rule

_mc(level) := {"object": {"apiVersion": "config.openservicemesh.io/v1alpha2", "kind": "MeshConfig", "metadata": {"name": "osm-mesh-config", "namespace": "osm-system"}, "spec": {"sidecar": {"logLevel": level}}}}

test_quoted_off_is_denied if {
	fs := rule.findings with input as _mc("off")
	count(fs) == 1
	some f in fs
	f.code == "MG1016"
	f.severity == "deny"
	f.path == "spec.sidecar.logLevel"
	contains(f.message, `logLevel "off" is rejected by the API server`)
	contains(f.message, "YAML reads as the boolean false")
}

test_unquoted_off_is_denied if {
	fs := rule.findings with input as _mc(false)
	count(fs) == 1
	some f in fs
	f.path == "spec.sidecar.logLevel"
	contains(f.message, "logLevel false (an unquoted off")
}

test_other_levels_are_not_this_rule if {
	every level in ["critical", "error", "trace", "verbose", "", true, 0] {
		count(rule.findings) == 0 with input as _mc(level)
	}
}
