package meshguard.rules.general["strategic-merge-patch_test"]

import data.meshguard.rules.general["strategic-merge-patch"] as rule

test_strategic_patch_is_denied if {
	fs := rule.findings with input as {"object": {"kind": "MeshConfig"}, "patch": {"type": "strategic"}}
	count(fs) == 1
	some f in fs
	f.code == "MG0001"
	contains(f.message, "MeshConfig")
}

test_merge_and_json_patches_pass if {
	count(rule.findings) == 0 with input as {"object": {"kind": "MeshConfig"}, "patch": {"type": "merge"}}
	count(rule.findings) == 0 with input as {"object": {"kind": "MeshConfig"}, "patch": {"type": "json"}}
	count(rule.findings) == 0 with input as {"object": {"kind": "MeshConfig"}}
}
