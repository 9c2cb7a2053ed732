package meshguard.rules.general["unresolved-command_test"]

import data.meshguard.rules.general["unresolved-command"] as rule

test_unresolved_patch_is_reported if {
	fs := rule.findings with input as {"object": {"kind": "MeshConfig", "metadata": {"name": "osm-mesh-config"}}, "patch": {"type": "merge", "unresolved": "uses $PATCH"}}
	count(fs) == 1
	some f in fs
	f.severity == "info"
	contains(f.message, "uses $PATCH")
}

test_resolved_patch_passes if {
	count(rule.findings) == 0 with input as {"object": {"kind": "MeshConfig", "metadata": {"name": "x"}}, "patch": {"type": "merge"}}
}

test_partial_patch_is_reported_as_checked_in_part if {
	fs := rule.findings with input as {"object": {"kind": "MeshConfig", "metadata": {"name": "osm-mesh-config"}}, "patch": {"type": "merge", "partial": "a shell expansion stands for a value"}}
	count(fs) == 1
	some f in fs
	f.severity == "info"
	f.message == "kubectl patch of MeshConfig osm-mesh-config checked in part: a shell expansion stands for a value"
}

test_kustomize_patch_is_named_so if {
	some f in rule.findings with input as {"object": {"kind": "Egress", "metadata": {"name": "httpbin"}}, "patch": {"type": "merge", "source": "kustomize patch", "partial": "only its field names are checked"}}
	f.message == "kustomize patch of Egress httpbin checked in part: only its field names are checked"
}

test_unreadable_here_document_names_its_command if {
	some f in rule.findings with input as {"object": {"kind": "Egress", "metadata": {"name": "e"}}, "patch": {"source": "kubectl apply", "unresolved": "its here-document is YAML only once the shell has run $(cat x)"}}
	f.message == "kubectl apply of Egress e not checked: its here-document is YAML only once the shell has run $(cat x)"
}

test_command_naming_only_a_kind if {
	fs := rule.findings with input as {"object": {"kind": "MeshConfig", "metadata": {"name": ""}}, "patch": {"source": "kubectl edit", "unresolved": "in an editor"}}
	some f in fs
	f.message == "kubectl edit of MeshConfig not checked: in an editor"
}
