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

test_code_of_no_rule_warns if {
	fs := rule.findings with input as {"object": {"kind": "Egress", "metadata": {"annotations": {"meshguard.io/ignore": "MG2004, MG2040"}}}}
	count(fs) == 1
	some f in fs
	contains(f.message, `"MG2040" is no rule meshguard has`)
}
