package meshguard.rules.pods["ip-range-annotation_test"]

import data.meshguard.rules.pods["ip-range-annotation"] as rule

_pod(ann) := {"object": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "app", "namespace": "shop", "annotations": ann}, "spec": {"containers": [{"name": "app"}]}}}

test_bad_entries_are_denied if {
	fs := rule.findings with input as _pod({"openservicemesh.io/outbound-ip-range-exclusion-list": "10.0.0.0/8, 10.0.0.1", "openservicemesh.io/outbound-ip-range-inclusion-list": "junk"})
	count(fs) == 2
	some f in fs
	f.code == "MG4004"
	contains(f.message, `lists "10.0.0.1", which is not a CIDR`)
}

test_good_lists_pass if {
	count(rule.findings) == 0 with input as _pod({"openservicemesh.io/outbound-ip-range-exclusion-list": "10.0.0.0/8,192.168.1.1/32", "openservicemesh.io/outbound-ip-range-inclusion-list": "172.16.0.0/12"})
}

test_ipv6_is_denied_where_osm_init_writes_iptables_rules if {
	fs := rule.findings with input as _pod({"openservicemesh.io/outbound-ip-range-exclusion-list": "10.0.0.0/8, fd00::/8"})
	count(fs) == 1
	some f in fs
	contains(f.message, `lists "fd00::/8", an IPv6 CIDR`)
}

test_ipv6_passes_in_ebpf_mode if {
	count(rule.findings) == 0 with input as object.union(_pod({"openservicemesh.io/outbound-ip-range-exclusion-list": "fd00::/8"}), {"inventory": {"meshConfig": {"spec": {"traffic": {"interceptionMode": "ebpf"}}}}})
}

test_pods_not_injected_are_silent if {
	count(rule.findings) == 0 with input as object.union(_pod({"openservicemesh.io/outbound-ip-range-exclusion-list": "junk"}), {"facts": {"injection": {"inject": false}}})
}

test_empty_entries_are_denied if {
	count(rule.findings) == 1 with input as _pod({"openservicemesh.io/outbound-ip-range-exclusion-list": "10.0.0.0/8,,"})
}
