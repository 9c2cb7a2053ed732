package meshguard.finding_test

import data.meshguard.finding

_chain := [
	{"path": ["meshguard", "rules", "x", "y"], "annotations": {"scope": "package", "title": "T", "custom": {"code": "MG9999", "severity": "warn", "fix": "Do it.", "docs": "docs/rules.md#mg9999"}}},
	{"path": ["meshguard", "rules"], "annotations": {"scope": "subpackages", "title": "group"}},
]

test_new_takes_metadata_from_the_chain if {
	f := finding.new(_chain, {"path": "spec.a", "message": "m"})
	f == {"code": "MG9999", "severity": "warn", "title": "T", "fix": "Do it.", "docs": "docs/rules.md#mg9999", "path": "spec.a", "message": "m"}
}

test_new_path_defaults_to_empty if {
	finding.new(_chain, {"message": "m"}).path == ""
}

test_quote if {
	finding.quote("a") == `"a"`
	finding.quote(5) == "5"
	finding.quote(false) == "false"
}

test_names if {
	finding.names(["a"]) == "a"
	finding.names(["a", "b", "c"]) == "a, b, c"
	finding.names(["a", "b", "c", "d", "e"]) == "a, b, c and 2 more"
}
