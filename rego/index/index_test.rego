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
	idx.egressServerFirst == {"3306|b/sa": [{"key": "3306|b/sa", "serverFirst": true, "id": "b/db", "protocol": "tcp-server-first"}]}
	idx.egressNotServerFirst["3306|a/sa"] == [{"key": "3306|a/sa", "serverFirst": false, "id": "a/web", "protocol": "tcp"}]
	count(idx.egressNotServerFirst["443|a/sa"]) == 1
	count(idx.egressNotServerFirst) == 2
}

test_index_skips_ports_without_a_number if {
	idx := index.index with input as {"inventory": {"egresses": [_eg("a", "x", [{"number": "http", "protocol": "tcp"}])]}}
	idx.egressServerFirst == {}
	idx.egressNotServerFirst == {}
}

test_index_of_an_empty_inventory if {
	idx := index.index with input as {"inventory": {}}
	idx == {"egressIds": [], "egressServerFirst": {}, "egressNotServerFirst": {}}
}

test_index_leaves_out_unknown_protocols if {
	idx := index.index with input as {"inventory": {"egresses": [_eg("a", "x", [{"number": 50051, "protocol": "grpc"}])]}}
	idx.egressNotServerFirst == {}
}
