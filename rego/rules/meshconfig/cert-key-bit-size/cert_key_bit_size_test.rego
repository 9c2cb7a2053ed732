package meshguard.rules.meshconfig["cert-key-bit-size_test"]

import data.meshguard.rules.meshconfig["cert-key-bit-size"] as rule

_mc(bits) := {"object": {"apiVersion": "config.openservicemesh.io/v1alpha2", "kind": "MeshConfig", "metadata": {"name": "osm-mesh-config", "namespace": "osm-system"}, "spec": {"certificate": {"serviceCertValidityDuration": "24h", "certKeyBitSize": bits}}}}

test_sizes_outside_the_range_are_denied if {
	every bits in [0, 1024, 2047, 4097, 8192, -2048] {
		fs := rule.findings with input as _mc(bits)
		count(fs) == 1
		some f in fs
		f.code == "MG1007"
		f.path == "spec.certificate.certKeyBitSize"
		contains(f.message, sprintf("certKeyBitSize %v is outside 2048-4096", [bits]))
	}
}

test_sizes_in_the_range_pass if {
	every bits in [2048, 3072, 4096] {
		count(rule.findings) == 0 with input as _mc(bits)
	}
}

test_non_numbers_are_left_to_the_schema if {
	count(rule.findings) == 0 with input as _mc("1024")
}

test_missing_certificate_passes if {
	count(rule.findings) == 0 with input as {"object": {"apiVersion": "config.openservicemesh.io/v1alpha2", "kind": "MeshConfig", "metadata": {"name": "osm-mesh-config"}, "spec": {}}}
}
