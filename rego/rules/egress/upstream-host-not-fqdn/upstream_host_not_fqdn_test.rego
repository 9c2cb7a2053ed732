package meshguard.rules.egress["upstream-host-not-fqdn_test"]

import data.meshguard.rules.egress["upstream-host-not-fqdn"] as rule

_uts(host) := {"object": {
	"apiVersion": "policy.openservicemesh.io/v1alpha1",
	"kind": "UpstreamTrafficSetting",
	"metadata": {"name": "limits", "namespace": "app"},
	"spec": {"host": host},
}}

test_short_name_is_denied if {
	fs := rule.findings with input as _uts("httpbin")
	count(fs) == 1
	some f in fs
	f.code == "MG2015"
	f.path == "spec.host"
	contains(f.message, `UpstreamTrafficSetting app/limits: spec.host "httpbin" is not a fully qualified name`)
	contains(f.message, `spec.host: Invalid value: "httpbin": invalid FQDN specified as host`)
}

test_empty_host_is_denied if {
	count(rule.findings) == 1 with input as _uts("")
}

test_fqdn_passes if {
	count(rule.findings) == 0 with input as _uts("httpbin.httpbin.svc.cluster.local")
	count(rule.findings) == 0 with input as _uts("httpbin.org")
}

test_egress_and_wrong_types_are_ignored if {
	count(rule.findings) == 0 with input as _uts(5)
	count(rule.findings) == 0 with input as {"object": {"apiVersion": "policy.openservicemesh.io/v1alpha1", "kind": "Egress", "spec": {"host": "x"}}}
}
