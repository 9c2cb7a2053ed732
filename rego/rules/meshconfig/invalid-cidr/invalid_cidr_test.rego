package meshguard.rules.meshconfig["invalid-cidr_test"]

import data.meshguard.rules.meshconfig["invalid-cidr"] as rule

_mc(traffic) := {"object": {"apiVersion": "config.openservicemesh.io/v1alpha2", "kind": "MeshConfig", "metadata": {"name": "osm-mesh-config", "namespace": "osm-system"}, "spec": {"traffic": traffic}}}

test_entries_the_crd_pattern_lets_through_are_denied if {
	fs := rule.findings with input as _mc({
		"outboundIPRangeExclusionList": ["10.0.0.0/8", "999.1.1.1/99", "junk1.2.3.4/24"],
		"outboundIPRangeInclusionList": ["1.2.3.4/33", "::ffff:1.2.3.4/24", "192.168.0.0/16"],
	})
	{f.path | some f in fs} == {
		"spec.traffic.outboundIPRangeExclusionList[1]",
		"spec.traffic.outboundIPRangeExclusionList[2]",
		"spec.traffic.outboundIPRangeInclusionList[0]",
		"spec.traffic.outboundIPRangeInclusionList[1]",
	}
	every f in fs {
		f.code == "MG1008"
		f.severity == "deny"
	}
}

test_message_names_the_entry_and_why if {
	fs := rule.findings with input as _mc({"outboundIPRangeExclusionList": ["999.1.1.1/99"]})
	some f in fs
	contains(f.message, `outboundIPRangeExclusionList entry "999.1.1.1/99" is not an IPv4 CIDR`)
	contains(f.message, "not anchored")
}

test_ipv4_cidrs_pass if {
	count(rule.findings) == 0 with input as _mc({
		"outboundIPRangeExclusionList": ["10.0.0.0/8", "0.0.0.0/0", "169.254.169.254/32", "1.2.3.4/24"],
		"outboundIPRangeInclusionList": [],
	})
}

test_wrong_types_are_left_to_the_schema if {
	count(rule.findings) == 0 with input as _mc({"outboundIPRangeExclusionList": [5, null], "outboundIPRangeInclusionList": "10.0.0.0/8"})
}
