package meshguard.rules.meshconfig["sampled-fraction_test"]

import data.meshguard.rules.meshconfig["sampled-fraction"] as rule

_mc(tracing, logging) := {"object": {"apiVersion": "config.openservicemesh.io/v1alpha2", "kind": "MeshConfig", "metadata": {"name": "osm-mesh-config", "namespace": "osm-system"}, "spec": {"observability": {
	"tracing": {"enable": true, "sampledFraction": tracing},
	"remoteLogging": {"enable": true, "sampledFraction": logging},
}}}}

test_unparsable_fraction_is_denied_with_the_fallback if {
	fs := rule.findings with input as _mc("half", "1.0")
	count(fs) == 1
	some f in fs
	f.code == "MG1011"
	f.severity == "deny"
	f.path == "spec.observability.tracing.sampledFraction"
	f.message == `tracing sampledFraction "half" is not a number: osm-edge falls back to 1 and samples every request`
}

test_bad_fractions_are_denied if {
	cases := [
		{"value": "", "want": "is not a number"},
		{"value": "50%", "want": "is not a number"},
		{"value": "0,5", "want": "is not a number"},
		{"value": "1.5", "want": "is outside 0-1"},
		{"value": "-0.1", "want": "is outside 0-1"},
		{"value": "2e0", "want": "is outside 0-1"},
	]
	every tc in cases {
		fs := rule.findings with input as _mc("1.0", tc.value)
		count(fs) == 1
		some f in fs
		f.path == "spec.observability.remoteLogging.sampledFraction"
		contains(f.message, tc.want)
	}
}

test_fractions_pass if {
	every v in ["0", "1", "1.0", "0.25", ".5", "1.", "1e-2", "+0.5"] {
		count(rule.findings) == 0 with input as _mc(v, v)
	}
}

test_non_strings_are_left_to_the_schema if {
	count(rule.findings) == 0 with input as _mc(0.5, 2)
}
