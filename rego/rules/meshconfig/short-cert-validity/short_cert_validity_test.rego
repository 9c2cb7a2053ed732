package meshguard.rules.meshconfig["short-cert-validity_test"]

import data.meshguard.rules.meshconfig["short-cert-validity"] as rule

_mc(cert, gateway) := {"object": {"apiVersion": "config.openservicemesh.io/v1alpha2", "kind": "MeshConfig", "metadata": {"name": "osm-mesh-config", "namespace": "osm-system"}, "spec": {"certificate": {"serviceCertValidityDuration": cert, "certKeyBitSize": 2048, "ingressGateway": {"validityDuration": gateway}}}}}

test_validity_under_two_minutes_warns if {
	every d in ["1ns", "30s", "90s", "1m59.999s"] {
		fs := rule.findings with input as _mc(d, d)
		{f.path | some f in fs} == {"spec.certificate.serviceCertValidityDuration", "spec.certificate.ingressGateway.validityDuration"}
		every f in fs {
			f.code == "MG1023"
			f.severity == "warn"
		}
	}
}

test_message_names_the_value if {
	fs := rule.findings with input as _mc("90s", "24h")
	[f.message | some f in fs] == [`serviceCertValidityDuration "90s" is shorter than 2m: osm-edge renews a certificate 30 to 35 seconds before it expires, so it re-issues each one, and updates every sidecar, less than 90 seconds after issuing it`]
}

# 0 or less, and values that do not parse, are MG1006's.
test_long_zero_negative_and_junk_pass if {
	every d in ["2m", "24h", "0", "-1h", "24", "", "one day"] {
		count(rule.findings) == 0 with input as _mc(d, d)
	}
}

test_non_strings_and_other_kinds_are_ignored if {
	count(rule.findings) == 0 with input as _mc(60, null)
	count(rule.findings) == 0 with input as {"object": {"apiVersion": "v1", "kind": "ConfigMap", "spec": {"certificate": {"serviceCertValidityDuration": "1m"}}}}
}
