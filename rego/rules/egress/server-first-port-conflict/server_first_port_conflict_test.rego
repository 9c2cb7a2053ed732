package meshguard.rules.egress["server-first-port-conflict_test"]

import data.meshguard.rules.egress["server-first-port-conflict"] as rule

_sa(ns, name) := {"kind": "ServiceAccount", "name": name, "namespace": ns}

_egress(name, sources, ports) := {
	"apiVersion": "policy.openservicemesh.io/v1alpha1",
	"kind": "Egress",
	"metadata": {"name": name, "namespace": "app"},
	"spec": {"sources": sources, "ipAddresses": ["10.0.0.0/8"], "ports": ports},
}

test_conflict_within_the_policy_is_denied if {
	fs := rule.findings with input as {"object": _egress("db", [_sa("app", "api")], [
		{"number": 3306, "protocol": "tcp-server-first"},
		{"number": 3306, "protocol": "TCP"},
		{"number": 5432, "protocol": "tcp"},
	])}
	count(fs) == 1
	some f in fs
	f.code == "MG2013"
	f.path == "spec.ports[0].protocol"
	startswith(f.message, "Egress app/db uses port 3306 as tcp-server-first and, at spec.ports[1], as tcp:")
}

test_one_finding_per_server_first_port if {
	# Two server-first uses of 3306 and three others: each server-first port
	# names the first other use and counts the rest.
	fs := rule.findings with input as {"object": _egress("db", [_sa("app", "api")], [
		{"number": 3306, "protocol": "http"},
		{"number": 3306, "protocol": "tcp-server-first"},
		{"number": 3306, "protocol": "tcp"},
		{"number": 3306, "protocol": "tcp-server-first"},
		{"number": 3306, "protocol": "https"},
		{"number": 3306, "protocol": "grpc"},
	])}
	{f.path | some f in fs} == {"spec.ports[1].protocol", "spec.ports[3].protocol"}
	every f in fs {
		contains(f.message, "uses port 3306 as tcp-server-first and, at spec.ports[0], as http (and at 2 more ports):")
	}
}

test_one_more_port_is_one if {
	fs := rule.findings with input as {"object": _egress("db", [_sa("app", "api")], [
		{"number": 3306, "protocol": "tcp-server-first"},
		{"number": 3306, "protocol": "tcp"},
		{"number": 3306, "protocol": "http"},
	])}
	some f in fs
	contains(f.message, "at spec.ports[1], as tcp (and at 1 more port):")
}

test_conflict_with_another_policy_names_it if {
	other := _egress("mysql", [_sa("app", "worker"), _sa("app", "api")], [{"number": 3306, "protocol": "tcp-server-first"}])
	fs := rule.findings with input as {
		"object": _egress("db", [_sa("app", "api")], [{"number": 3306, "protocol": "tcp"}]),
		"inventory": {"egresses": [other]},
	}
	count(fs) == 1
	some f in fs
	f.path == "spec.ports[0].protocol"
	contains(f.message, "Egress app/db uses port 3306 as tcp, but Egress app/mysql uses it as tcp-server-first for the same ServiceAccount app/api")
}

# the index is looked up from either side: here the object is the
# tcp-server-first one
test_server_first_port_finds_the_other_protocol if {
	other := _egress("pg", [_sa("app", "api")], [{"number": 3306, "protocol": "tcp"}])
	fs := rule.findings with input as {
		"object": _egress("db", [_sa("app", "api")], [{"number": 3306, "protocol": "TCP-Server-First"}]),
		"inventory": {"egresses": [other]},
	}
	count(fs) == 1
	some f in fs
	contains(f.message, "Egress app/db uses port 3306 as tcp-server-first, but Egress app/pg uses it as tcp for the same ServiceAccount app/api")
}

# osm-edge ignores the Egress policies of namespaces it does not monitor:
# such a policy conflicts with nothing
test_policies_in_unmonitored_namespaces_do_not_conflict if {
	other := object.union(_egress("mysql", [_sa("app", "api")], [{"number": 3306, "protocol": "tcp-server-first"}]), {"metadata": {"namespace": "plain"}})
	inp := {
		"object": _egress("db", [_sa("app", "api")], [{"number": 3306, "protocol": "tcp"}]),
		"inventory": {"egresses": [other], "namespaces": [
			{"kind": "Namespace", "metadata": {"name": "plain", "labels": {}}},
			{"kind": "Namespace", "metadata": {"name": "app", "labels": {"openservicemesh.io/monitored-by": "osm"}}},
		]},
	}
	count(rule.findings) == 0 with input as inp

	# once the namespace is monitored, the conflict is real
	monitored := json.patch(inp, [{"op": "replace", "path": "/inventory/namespaces/0/metadata/labels", "value": {"openservicemesh.io/monitored-by": "osm"}}])
	count(rule.findings) == 1 with input as monitored

	# nor does a policy osm-edge ignores conflict with another (MG3004 says
	# it is ignored), within itself or across policies
	count(rule.findings) == 0 with input as json.patch(monitored, [
		{"op": "replace", "path": "/inventory/namespaces/1/metadata/labels", "value": {}},
		{"op": "add", "path": "/object/spec/ports/-", "value": {"number": 3306, "protocol": "tcp-server-first"}},
	])
}

test_other_service_accounts_do_not_conflict if {
	other := _egress("mysql", [_sa("app", "worker")], [{"number": 3306, "protocol": "tcp-server-first"}])
	count(rule.findings) == 0 with input as {
		"object": _egress("db", [_sa("app", "api")], [{"number": 3306, "protocol": "tcp"}]),
		"inventory": {"egresses": [other]},
	}
}

test_same_protocol_and_the_old_copy_of_itself_pass if {
	self := _egress("db", [_sa("app", "api")], [{"number": 3306, "protocol": "tcp"}])
	other := _egress("mysql", [_sa("app", "api")], [{"number": 3306, "protocol": "tcp-server-first"}])
	count(rule.findings) == 0 with input as {
		"object": _egress("db", [_sa("app", "api")], [{"number": 3306, "protocol": "tcp-server-first"}]),
		"operation": "UPDATE",
		"inventory": {"egresses": [self, other]},
	}
}

test_unknown_protocols_are_left_to_mg2003 if {
	count(rule.findings) == 0 with input as {"object": _egress("db", [_sa("app", "api")], [
		{"number": 3306, "protocol": "tcp-server-first"},
		{"number": 3306, "protocol": "mysql"},
	])}
}

test_wrong_types_do_not_error if {
	count(rule.findings) == 0 with input as {"object": _egress("db", "api", [{"number": "3306", "protocol": "tcp-server-first"}, {"number": "3306", "protocol": "tcp"}])}
	count(rule.findings) == 0 with input as {
		"object": _egress("db", [_sa("app", "api")], [{"number": 3306, "protocol": "tcp"}]),
		"inventory": {"egresses": [{"kind": "Egress", "spec": "x"}]},
	}
}
