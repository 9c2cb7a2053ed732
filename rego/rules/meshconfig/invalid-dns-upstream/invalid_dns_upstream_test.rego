package meshguard.rules.meshconfig["invalid-dns-upstream_test"]

import data.meshguard.rules.meshconfig["invalid-dns-upstream"] as rule

_mc(primary, secondary) := {"object": {"apiVersion": "config.openservicemesh.io/v1alpha2", "kind": "MeshConfig", "metadata": {"name": "osm-mesh-config", "namespace": "osm-system"}, "spec": {"sidecar": {"localDNSProxy": {
	"enable": true,
	"primaryUpstreamDNSServerIPAddr": primary,
	"secondaryUpstreamDNSServerIPAddr": secondary,
}}}}}

test_non_addresses_are_denied if {
	every addr in ["dns.google", "10.96.0.10/32", "10.96.0.10:53", "999.1.1.1", "fe80::1%eth0"] {
		fs := rule.findings with input as _mc(addr, "8.8.8.8")
		count(fs) == 1
		some f in fs
		f.code == "MG1019"
		f.severity == "deny"
		f.path == "spec.sidecar.localDNSProxy.primaryUpstreamDNSServerIPAddr"
		contains(f.message, sprintf("primaryUpstreamDNSServerIPAddr %q is not an IP address", [addr]))
	}
}

test_secondary_is_checked_too if {
	fs := rule.findings with input as _mc("10.96.0.10", "kube-dns")
	[f.path | some f in fs] == ["spec.sidecar.localDNSProxy.secondaryUpstreamDNSServerIPAddr"]
}

test_addresses_pass if {
	count(rule.findings) == 0 with input as _mc("10.96.0.10", "8.8.8.8")
	count(rule.findings) == 0 with input as _mc("2001:4860:4860::8888", "::1")
	count(rule.findings) == 0 with input as _mc("", "")
}

test_non_strings_are_left_to_the_schema if {
	count(rule.findings) == 0 with input as _mc(8, null)
}
