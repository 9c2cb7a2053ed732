package meshguard.rules.egress["version-not-served_test"]

import data.meshguard.rules.egress["version-not-served"] as rule

_input(kind, version, served) := {
	"object": {"apiVersion": sprintf("policy.openservicemesh.io/%s", [version]), "kind": kind, "metadata": {"name": "httpbin", "namespace": "curl"}},
	"facts": {"schema": {"checked": true, "served": served, "servedVersions": ["v1alpha1"]}},
}

test_unserved_version_is_denied if {
	fs := rule.findings with input as _input("Egress", "v1beta1", false)
	count(fs) == 1
	some f in fs
	f.code == "MG2016"
	f.path == "apiVersion"
	f.message == `Egress curl/httpbin: apiVersion "policy.openservicemesh.io/v1beta1" is not served; the Egress CRD serves policy.openservicemesh.io/v1alpha1`
}

test_upstream_traffic_setting_is_checked_too if {
	count(rule.findings) == 1 with input as _input("UpstreamTrafficSetting", "v1", false)
}

test_served_version_passes if {
	count(rule.findings) == 0 with input as _input("Egress", "v1alpha1", true)
}

test_unchecked_kinds_pass if {
	count(rule.findings) == 0 with input as {"object": {"apiVersion": "policy.openservicemesh.io/v9", "kind": "Egress"}, "facts": {"schema": {"checked": false, "served": false}}}
	count(rule.findings) == 0 with input as {"object": {"apiVersion": "config.openservicemesh.io/v9", "kind": "MeshConfig"}, "facts": {"schema": {"checked": true, "served": false}}}
}

test_missing_served_versions_do_not_error if {
	fs := rule.findings with input as {"object": {"apiVersion": "policy.openservicemesh.io/v9", "kind": "Egress", "metadata": {"name": "a", "namespace": "b"}}, "facts": {"schema": {"checked": true, "served": false}}}
	some f in fs
	endswith(f.message, "serves no version")
}
