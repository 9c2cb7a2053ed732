package meshguard.rules.pods["port-annotation_test"]

import data.meshguard.rules.pods["port-annotation"] as rule

_pod(ann) := {"object": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "app", "namespace": "shop", "annotations": ann}, "spec": {"containers": [{"name": "app"}]}}}

test_bad_entries_are_denied if {
	fs := rule.findings with input as _pod({"openservicemesh.io/outbound-port-exclusion-list": "6379, 0,http", "openservicemesh.io/inbound-port-exclusion-list": "70000"})
	count(fs) == 3
	some f in fs
	f.code == "MG4003"
	f.path == `metadata.annotations["openservicemesh.io/inbound-port-exclusion-list"]`
	contains(f.message, "iptables-restore fails")
}

test_good_lists_pass if {
	count(rule.findings) == 0 with input as _pod({"openservicemesh.io/outbound-port-exclusion-list": "6379, 5432", "openservicemesh.io/inbound-port-exclusion-list": "1,65535"})
}

test_empty_entries_are_denied if {
	count(rule.findings) == 1 with input as _pod({"openservicemesh.io/outbound-port-exclusion-list": "6379,"})
	count(rule.findings) == 1 with input as _pod({"openservicemesh.io/inbound-port-exclusion-list": ""})
}

# In eBPF mode there is no osm-init: a number above 65535 is harmless, but
# osm-edge still rejects 0 and what is no number.
test_ebpf_mode if {
	ebpf := {"inventory": {"meshConfig": {"spec": {"traffic": {"interceptionMode": "ebpf"}}}}}
	count(rule.findings) == 0 with input as object.union(_pod({"openservicemesh.io/outbound-port-exclusion-list": "70000"}), ebpf)
	count(rule.findings) == 1 with input as object.union(_pod({"openservicemesh.io/outbound-port-exclusion-list": "0"}), ebpf)
	count(rule.findings) == 1 with input as object.union(_pod({"openservicemesh.io/inbound-port-exclusion-list": "abc"}), ebpf)
}
