package meshguard.rules.meshconfig["invalid-duration_test"]

import data.meshguard.rules.meshconfig["invalid-duration"] as rule

_mc(spec) := {"object": {"apiVersion": "config.openservicemesh.io/v1alpha2", "kind": "MeshConfig", "metadata": {"name": "osm-mesh-config", "namespace": "osm-system"}, "spec": spec}}

_spec(cert, resync, timeout, gateway) := {
	"certificate": {"serviceCertValidityDuration": cert, "certKeyBitSize": 2048, "ingressGateway": {"validityDuration": gateway}},
	"sidecar": {"configResyncInterval": resync},
	"traffic": {"inboundExternalAuthorization": {"timeout": timeout}},
}

test_unit_less_and_junk_durations_are_denied if {
	fs := rule.findings with input as _mc(_spec("24", "90 s", "1sec", "one day"))
	{f.path | some f in fs} == {
		"spec.certificate.serviceCertValidityDuration",
		"spec.sidecar.configResyncInterval",
		"spec.traffic.inboundExternalAuthorization.timeout",
		"spec.certificate.ingressGateway.validityDuration",
	}
	every f in fs {
		f.code == "MG1006"
		f.severity == "deny"
	}
}

test_message_names_value_and_fallback if {
	cases := [
		{"spec": {"certificate": {"serviceCertValidityDuration": "24", "certKeyBitSize": 2048}}, "want": `serviceCertValidityDuration "24" is not a duration such as 24h, 90s or 1m30s: osm-edge falls back to 24h`},
		{"spec": {"sidecar": {"configResyncInterval": ""}}, "want": `configResyncInterval "" is not a duration such as 24h, 90s or 1m30s: osm-edge falls back to 0, which turns the periodic resync off`},
		{"spec": {"traffic": {"inboundExternalAuthorization": {"timeout": "1.5"}}}, "want": `timeout "1.5" is not a duration such as 24h, 90s or 1m30s: osm-edge falls back to 1s`},
	]
	every tc in cases {
		fs := rule.findings with input as _mc(tc.spec)
		[f.message | some f in fs] == [tc.want]
	}
}

test_go_durations_pass if {
	every d in ["24h", "90s", "1m30s", "1.5h", ".5s", "0", "-0", "+1h", "300ms", "10us", "10µs", "10μs", "1ns", "2h45m0.5s"] {
		count(rule.findings) == 0 with input as _mc(_spec(d, d, d, d))
	}
}

test_non_strings_are_left_to_the_schema if {
	count(rule.findings) == 0 with input as _mc(_spec(24, true, null, 1))
}

test_other_kinds_are_ignored if {
	count(rule.findings) == 0 with input as {"object": {"apiVersion": "v1", "kind": "ConfigMap", "spec": {"sidecar": {"configResyncInterval": "x"}}}}
}
