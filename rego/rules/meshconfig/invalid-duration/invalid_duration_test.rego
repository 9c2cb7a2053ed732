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
		{"spec": {"sidecar": {"configResyncInterval": "90 s"}}, "want": `configResyncInterval "90 s" is not a duration such as 24h, 90s or 1m30s: osm-edge falls back to 0, which turns the periodic resync off`},
		{"spec": {"traffic": {"inboundExternalAuthorization": {"timeout": "1.5"}}}, "want": `timeout "1.5" is not a duration such as 24h, 90s or 1m30s: osm-edge falls back to 1s`},
	]
	every tc in cases {
		fs := rule.findings with input as _mc(tc.spec)
		[f.message | some f in fs] == [tc.want]
	}
}

test_go_durations_pass if {
	every d in ["24h", "90s", "1m30s", "1.5h", "30s", "+1h", "30000ms", "30000000us", "30000000µs", "30000000μs", "30000000000ns", "2h45m0.5s"] {
		count(rule.findings) == 0 with input as _mc(_spec(d, d, d, d))
	}
}

# The authorization timeout is judged for parsing only: what Pipy does with
# a timeout of 0 or less is not known here.
test_short_timeouts_pass if {
	every d in ["0", "-0", "-1s", ".5s", "300ms", "10us", "1ns"] {
		count(rule.findings) == 0 with input as _mc({"traffic": {"inboundExternalAuthorization": {"timeout": d}}})
	}
}

test_validity_of_zero_or_less_is_denied if {
	every d in ["0", "-0", "0s", "-24h", "-1ns"] {
		fs := rule.findings with input as _mc(_spec(d, "90s", "1s", d))
		{f.path | some f in fs} == {"spec.certificate.serviceCertValidityDuration", "spec.certificate.ingressGateway.validityDuration"}
		every f in fs {
			f.code == "MG1006"
			f.severity == "deny"
		}
	}
}

test_validity_message_says_certificates_are_expired if {
	fs := rule.findings with input as _mc(_spec("-24h", "90s", "1s", "0s"))
	{f.message | some f in fs} == {
		`serviceCertValidityDuration "-24h" is not positive: osm-edge uses a duration that parses as written (it falls back to 24h only when it does not parse), so every service certificate it issues is already expired and sidecars cannot set up mTLS with each other`,
		`validityDuration "0s" is not positive: osm-edge uses a duration that parses as written (it falls back to 24h only when it does not parse), so the ingress gateway certificate it issues is already expired`,
	}
}

test_resync_below_the_minimum_is_denied if {
	every d in ["-5m", "-0.5s", "1ns", "10s", "29.999s"] {
		fs := rule.findings with input as _mc({"sidecar": {"configResyncInterval": d}})
		[f.message | some f in fs] == [sprintf(`configResyncInterval %q is below osm-edge's minimum of 30s: osm-edge ignores it ("less than min allowed interval") and keeps the resync interval it had; 0 turns the periodic resync off`, [d])]
	}
}

# osm-edge's ticker reads "" as no resync configured, as it reads 0.
test_no_resync_passes if {
	every d in ["", "0", "-0", "0s", "30s"] {
		count(rule.findings) == 0 with input as _mc({"sidecar": {"configResyncInterval": d}})
	}
}

test_empty_is_still_denied_where_it_falls_back if {
	fs := rule.findings with input as _mc(_spec("", "", "", ""))
	{f.path | some f in fs} == {
		"spec.certificate.serviceCertValidityDuration",
		"spec.traffic.inboundExternalAuthorization.timeout",
		"spec.certificate.ingressGateway.validityDuration",
	}
}

test_non_strings_are_left_to_the_schema if {
	count(rule.findings) == 0 with input as _mc(_spec(24, true, null, 1))
}

test_other_kinds_are_ignored if {
	count(rule.findings) == 0 with input as {"object": {"apiVersion": "v1", "kind": "ConfigMap", "spec": {"sidecar": {"configResyncInterval": "x"}}}}
}
