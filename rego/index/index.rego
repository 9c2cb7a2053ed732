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
	"upstreamIds": upstream_ids,
	"upstreamHosts": upstream_hosts,
	"upstreamNamespaces": upstream_namespaces,
	"namespaceLabels": namespace_labels,
}

# egress_ids are the namespace/name of every Egress policy, sorted.
egress_ids := sort([kube.id(e) | some e in input.inventory.egresses])

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

_by_port_account(server_first) := {key: entries |
	some key in _port_account_keys[server_first]
	entries := [{"id": entry.id, "protocol": entry.protocol} |
		some entry in _port_accounts
		entry.serverFirst == server_first
		entry.key == key
	]
}

_port_accounts contains {"key": kube.port_account_key(p.number, account), "serverFirst": protocol == "tcp-server-first", "id": kube.id(e), "protocol": protocol} if {
	some e in input.inventory.egresses
	some p in e.spec.ports
	is_number(p.number)
	protocol := kube.protocol(p)
	protocol in kube.egress_protocols
	some account in kube.accounts(e)
}

_port_account_keys[server_first] contains entry.key if {
	some entry in _port_accounts
	server_first := entry.serverFirst
}

# upstream_ids holds the namespace/name of every UpstreamTrafficSetting (as
# keys of an object: a set would travel through JSON as a list).
upstream_ids := {kube.id(u): true | some u in input.inventory.upstreamTrafficSettings}

# upstream_hosts maps a host to the UpstreamTrafficSettings for it.
upstream_hosts := {host: ids |
	some host in {u.spec.host | some u in input.inventory.upstreamTrafficSettings; is_string(u.spec.host)}
	ids := sort([kube.id(u) | some u in input.inventory.upstreamTrafficSettings; u.spec.host == host])
}

# upstream_namespaces maps a name to the namespaces holding an
# UpstreamTrafficSetting of that name.
upstream_namespaces := {name: namespaces |
	some name in {u.metadata.name | some u in input.inventory.upstreamTrafficSettings}
	namespaces := sort({u.metadata.namespace | some u in input.inventory.upstreamTrafficSettings; u.metadata.name == name})
}

# namespace_labels maps a Namespace's name to its labels (the first one given
# when a namespace is described twice).
namespace_labels := {name: labels |
	some name in {ns.metadata.name | some ns in input.inventory.namespaces}
	labels := [object.get(ns, ["metadata", "labels"], {}) | some ns in input.inventory.namespaces; ns.metadata.name == name][0]
}
