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
	idx.egressServerFirst == {"3306|b/sa": [{"id": "b/db", "protocol": "tcp-server-first"}]}
	idx.egressNotServerFirst["3306|a/sa"] == [{"id": "a/web", "protocol": "tcp"}]
	count(idx.egressNotServerFirst["443|a/sa"]) == 1
	count(idx.egressNotServerFirst) == 2
	idx.egressServerFirstPorts == {"3306": true}
	idx.egressNotServerFirstPorts == {"443": true, "3306": true}
}

test_index_names_a_policy_applied_twice_once if {
	idx := index.index with input as {"inventory": {"egresses": [
		_eg("a", "web", [{"number": 443, "protocol": "https"}]),
		_eg("a", "web", [{"number": 443, "protocol": "https"}, {"number": 80, "protocol": "http"}]),
	]}}
	idx.egressIds == ["a/web"]
}

test_index_skips_ports_without_a_number if {
	idx := index.index with input as {"inventory": {"egresses": [_eg("a", "x", [{"number": "http", "protocol": "tcp"}])]}}
	idx.egressServerFirst == {}
	idx.egressNotServerFirst == {}
}

test_index_of_an_empty_inventory if {
	idx := index.index with input as {"inventory": {}}
	idx == {
		"egressIds": [], "egressServerFirst": {}, "egressNotServerFirst": {},
		"egressServerFirstPorts": {}, "egressNotServerFirstPorts": {},
		"upstreamIds": {}, "upstreamHosts": {}, "upstreamNamespaces": {}, "namespaceLabels": {},
	}
}

test_index_leaves_out_unknown_protocols if {
	idx := index.index with input as {"inventory": {"egresses": [_eg("a", "x", [{"number": 50051, "protocol": "grpc"}])]}}
	idx.egressNotServerFirst == {}
}

_uts(ns, name, host) := {"kind": "UpstreamTrafficSetting", "metadata": {"name": name, "namespace": ns}, "spec": {"host": host}}

test_index_of_upstream_traffic_settings if {
	idx := index.index with input as {"inventory": {"upstreamTrafficSettings": [
		_uts("a", "x", "h.example.com"), _uts("b", "x", "h.example.com"), _uts("a", "y", "other.example.com"),
	]}}
	idx.upstreamIds == {"a/x": true, "b/x": true, "a/y": true}
	idx.upstreamHosts == {"h.example.com": ["a/x", "b/x"], "other.example.com": ["a/y"]}
	idx.upstreamNamespaces == {"x": ["a", "b"], "y": ["a"]}
}

test_index_of_namespaces_keeps_the_first_description if {
	idx := index.index with input as {"inventory": {"namespaces": [
		{"metadata": {"name": "a", "labels": {"k": "1"}}},
		{"metadata": {"name": "a", "labels": {"k": "2"}}},
		{"metadata": {"name": "b"}},
	]}}
	idx.namespaceLabels == {"a": {"k": "1"}, "b": {}}
}
