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
	"egressPorts": egress_ports,
}

# egress_ids are the namespace/name of every Egress policy, sorted.
egress_ids := sort([kube.id(e) | some e in input.inventory.egresses])

# egress_ports maps a port number (as a string key) to the Egress policies
# using it: their id, the port's protocol (lower-case) and the
# ServiceAccounts the policy applies to. Only arrays and objects: the index
# travels through JSON when the engine precomputes it.
egress_ports := {key: entries |
	some key in {format_int(p.number, 10) | some e in input.inventory.egresses; some p in e.spec.ports; is_number(p.number)}
	entries := [entry |
		some e in input.inventory.egresses
		some p in e.spec.ports
		is_number(p.number)
		format_int(p.number, 10) == key
		entry := {"id": kube.id(e), "protocol": kube.protocol(p), "accounts": sort(kube.accounts(e))}
	]
}
