package meshguard.index_test

import data.meshguard.index

_eg(ns, name, ports) := {
	"apiVersion": "policy.openservicemesh.io/v1alpha1",
	"kind": "Egress",
	"metadata": {"name": name, "namespace": ns},
	"spec": {"sources": [{"kind": "ServiceAccount", "name": "sa", "namespace": ns}], "ports": ports},
}

test_index_keys_ports_and_sorts_ids if {
	idx := index.index with input as {"inventory": {"egresses": [
		_eg("b", "db", [{"number": 3306, "protocol": "TCP-Server-First"}]),
		_eg("a", "web", [{"number": 443, "protocol": "https"}, {"number": 3306, "protocol": "tcp"}]),
	]}}
	idx.egressIds == ["a/web", "b/db"]
	{e | some e in idx.egressPorts["3306"]} == {
		{"id": "b/db", "protocol": "tcp-server-first", "accounts": ["b/sa"]},
		{"id": "a/web", "protocol": "tcp", "accounts": ["a/sa"]},
	}
	count(idx.egressPorts["443"]) == 1
}

test_index_skips_ports_without_a_number if {
	idx := index.index with input as {"inventory": {"egresses": [_eg("a", "x", [{"number": "http", "protocol": "tcp"}])]}}
	idx.egressPorts == {}
}

test_index_of_an_empty_inventory if {
	idx := index.index with input as {"inventory": {}}
	idx == {"egressIds": [], "egressPorts": {}}
}
