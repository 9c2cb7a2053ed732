package meshguard.rules.general["ignore-annotation_test"]

import data.meshguard.rules.general["ignore-annotation"] as rule

_with(v) := {"object": {"metadata": {"annotations": {"meshguard.io/ignore": v}}}}

test_bad_entries_warn if {
	fs := rule.findings with input as _with("MG2004, egress-passthrough,mg3001")
	count(fs) == 2
}

test_codes_pass if {
	count(rule.findings) == 0 with input as _with("MG2004, MG3001")
}

test_no_annotation_passes if {
	count(rule.findings) == 0 with input as {"object": {"metadata": {}}}
}
