# METADATA
# title: inventory index
# description: |
#   Lookup tables over the cluster view, so that a rule judging one object
#   against thousands of others does a keyed lookup instead of a scan. The
#   engine evaluates index once per inventory (when Go freezes it) and hands
#   it to the rules as input.inventory.index; kube.index computes it here when
#   an input has none (unit tests, one-off evaluations).
package meshguard.index

import data.meshguard.kube

index := {
	"egressIds": egress_ids,
	"egressServerFirst": egress_server_first,
	"egressNotServerFirst": egress_not_server_first,
	"egressServerFirstPorts": _ports(true),
	"egressNotServerFirstPorts": _ports(false),
	"upstreamIds": upstream_ids,
	"upstreamHosts": upstream_hosts,
	"upstreamNamespaces": upstream_namespaces,
	"namespaceLabels": namespace_labels,
}

# egress_ids are the namespace/name of every Egress policy, sorted, each once
# (a runbook may apply the same policy twice: the cluster holds one).
egress_ids := sort({kube.id(e) | some e in input.inventory.egresses})

# egress_server_first and egress_not_server_first map "port|namespace/name of a
# ServiceAccount" (kube.port_account_key) to the Egress policies that open that
# port for that ServiceAccount, as tcp-server-first or as another protocol
# osm-edge knows: their id and the port's protocol (lower-case). A port can only
# conflict across the two, so a policy looks up the other table, and the common
# case (no tcp-server-first at all) finds nothing, however many policies share
# a port such as 443. Only arrays and objects: the index travels through JSON
# when the engine precomputes it.
egress_server_first := _by_port_account(true)

egress_not_server_first := _by_port_account(false)

# Grouping is one pass: _port_accounts is evaluated whole, once, and each
# table read from that value. A comprehension per key scanning every entry
# was quadratic in the number of ports. A set of {id, protocol} iterates
# sorted by id, then protocol.
_by_port_account(server_first) := {key: [entry | some entry in entries] |
	some key, entries in _port_accounts[server_first]
}

# egressServerFirstPorts and egressNotServerFirstPorts hold the port numbers
# (as strings) of the two tables' keys, so that a port no policy opens on the
# other side is passed over with one lookup.
_ports(server_first) := {split(key, "|")[0]: true | some key, _ in _port_accounts[server_first]}

_port_accounts[protocol == "tcp-server-first"][kube.port_account_key(p.number, account)] contains {"id": kube.id(e), "protocol": protocol} if {
	some e in input.inventory.egresses
	some p in e.spec.ports
	is_number(p.number)
	protocol := kube.protocol(p)
	protocol in kube.egress_protocols
	some account in kube.accounts(e)
}

# upstream_ids holds the namespace/name of every UpstreamTrafficSetting (as
# keys of an object: a set would travel through JSON as a list).
upstream_ids := {kube.id(u): true | some u in input.inventory.upstreamTrafficSettings}

# upstream_hosts maps a host to the UpstreamTrafficSettings for it, sorted.
upstream_hosts := {host: [id | some id in ids] | some host, ids in _upstream_hosts}

_upstream_hosts[u.spec.host] contains kube.id(u) if {
	some u in input.inventory.upstreamTrafficSettings
	is_string(u.spec.host)
}

# upstream_namespaces maps a name to the namespaces holding an
# UpstreamTrafficSetting of that name, sorted.
upstream_namespaces := {name: [ns | some ns in namespaces] | some name, namespaces in _upstream_namespaces}

_upstream_namespaces[u.metadata.name] contains u.metadata.namespace if {
	some u in input.inventory.upstreamTrafficSettings
}

# namespace_labels maps a Namespace's name to its labels (the first one given
# when a namespace is described twice).
namespace_labels := {name: object.get(input.inventory.namespaces[min(positions)], ["metadata", "labels"], {}) |
	some name, positions in _namespace_positions
}

_namespace_positions[ns.metadata.name] contains i if {
	some i, ns in input.inventory.namespaces
}
