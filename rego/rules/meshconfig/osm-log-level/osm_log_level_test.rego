package meshguard.rules.meshconfig["osm-log-level_test"]

import data.meshguard.rules.meshconfig["osm-log-level"] as rule

_mc(level) := {"object": {"apiVersion": "config.openservicemesh.io/v1alpha2", "kind": "MeshConfig", "metadata": {"name": "osm-mesh-config", "namespace": "osm-system"}, "spec": {"observability": {"osmLogLevel": level}}}}

test_unknown_levels_warn if {
	every level in ["verbose", "warning", "INFO", "critical", ""] {
		fs := rule.findings with input as _mc(level)
		count(fs) == 1
		some f in fs
		f.code == "MG1018"
		f.severity == "warn"
		f.path == "spec.observability.osmLogLevel"
		contains(f.message, sprintf("osmLogLevel %q is not one of debug, info, warn", [level]))
	}
}

test_chart_levels_pass if {
	every level in ["debug", "info", "warn", "error", "fatal", "panic", "disabled", "trace"] {
		count(rule.findings) == 0 with input as _mc(level)
	}
}

test_non_strings_are_left_to_the_schema if {
	count(rule.findings) == 0 with input as _mc(3)
}
