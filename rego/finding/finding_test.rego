package meshguard.finding_test

import data.meshguard.finding

# the shape rego.metadata.chain() has in a rule: the rule (no METADATA of its
# own), then its package with the rule's METADATA, then enclosing packages
_chain := [
	{"path": ["meshguard", "rules", "x", "y", "findings"]},
	{"path": ["meshguard", "rules", "x", "y"], "annotations": {"scope": "package", "title": "T", "custom": {"code": "MG9999", "severity": "warn", "fix": "Do it.", "docs": "docs/rules.md#mg9999"}}},
	{"path": ["meshguard", "rules"], "annotations": {"scope": "subpackages", "title": "group"}},
]

test_new_takes_metadata_from_the_chain if {
	f := finding.new(_chain, {"path": "spec.a", "message": "m"})
	f == {"code": "MG9999", "severity": "warn", "title": "T", "fix": "Do it.", "docs": "docs/rules.md#mg9999", "path": "spec.a", "message": "m"}
}

# A rule with METADATA of its own still takes code and the rest from its
# package, where the catalog reads them.
test_new_reads_the_package_link if {
	own := array.concat([{"path": ["meshguard", "rules", "x", "y", "findings"], "annotations": {"scope": "rule", "title": "own"}}], array.slice(_chain, 1, 3))
	f := finding.new(own, {"message": "m"})
	f.code == "MG9999"
	f.title == "T"
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
