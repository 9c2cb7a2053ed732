package meshguard.rules.general["kubectl-refuses_test"]

import data.meshguard.rules.general["kubectl-refuses"] as rule

test_refused_command_is_denied if {
	fs := rule.findings with input as {"object": {"kind": "MeshConfig", "metadata": {"name": "osm-mesh-config"}}, "patch": {"refused": "no -p"}}
	count(fs) == 1
	some f in fs
	f.code == "MG0005"
	f.severity == "deny"
	f.message == "kubectl patch of MeshConfig osm-mesh-config is refused by kubectl itself, which sends nothing: no -p"
}

test_other_commands_pass if {
	count(rule.findings) == 0 with input as {"object": {"kind": "MeshConfig", "metadata": {"name": "x"}}, "patch": {"type": "merge"}}
	count(rule.findings) == 0 with input as {"object": {"kind": "MeshConfig", "metadata": {"name": "x"}}}
}
