# METADATA
# title: Egress port is tcp-server-first and another protocol for the same ServiceAccount
# description: |
#   On a tcp-server-first port the sidecar does not wait for the client's
#   first bytes (the server speaks first), so it cannot tell protocols apart on
#   that port. osm-edge's docs require such a port not to be reused with another
#   protocol for the same pods. The sidecar of a ServiceAccount combines every
#   Egress policy naming it, so the conflict may span policies.
# custom:
#   code: MG2013
#   severity: deny
#   fix: Use one protocol per port number for a ServiceAccount, or move the server-first destination to another port.
#   docs: docs/rules.md#mg2013
package meshguard.rules.egress["server-first-port-conflict"]

import data.meshguard.finding
import data.meshguard.kube

_known := {"http", "https", "tcp", "tcp-server-first"}

_effect := "osm-edge does not detect protocols on a tcp-server-first port, so one of the two uses of the port breaks"

# within the object: every source gets every port. One finding per
# server-first port, naming the first other use of its number and
# counting the rest, however many ports share the number.
findings contains finding.new(rego.metadata.chain(), {
	"path": sprintf("spec.ports[%d].protocol", [i]),
	"message": sprintf("%s uses port %v as tcp-server-first and, at spec.ports[%d], as %s%s: %s", [kube.object_ref, p.number, c.first[0], c.first[1], _more(c.more), _effect]),
}) if {
	kube.is_egress
	not kube.object_unmonitored # MG3004's: osm-edge ignores the policy
	some i, p in input.object.spec.ports
	is_string(p.protocol)
	lower(p.protocol) == "tcp-server-first"
	count(_accounts) > 0
	is_number(p.number)
	c := _conflicts[p.number]
}

_more(0) := ""

_more(1) := " (and at 1 more port)"

_more(n) := sprintf(" (and at %d more ports)", [n]) if n > 1

# _conflicts maps each port number to its first use with a known protocol
# other than tcp-server-first ([index, protocol]) and how many more there
# are, for the numbers that have one.
_conflicts := {n: {"first": uses[0], "more": count(uses) - 1} |
	some n, all in _uses
	uses := sort([u | some u in all; u[1] != "tcp-server-first"; u[1] in _known])
	count(uses) > 0
}

# _uses maps each port number of the object to where it is used and as
# what ([index, protocol]). OPA builds the inner set for every number in
# one pass (comprehension indexing), so a policy with hundreds of ports
# costs linear time, not a second loop over the ports for each one.
_uses := {n: uses |
	some n in _numbers
	uses := {[j, lower(q.protocol)] |
		some j, q in input.object.spec.ports
		q.number == n
		is_string(q.protocol)
	}
}

_numbers := {n |
	some p in input.object.spec.ports
	n := p.number
	is_number(n)
}

# across policies: another Egress opens the same port for a shared ServiceAccount
findings contains finding.new(rego.metadata.chain(), {
	"path": sprintf("spec.ports[%d].protocol", [i]),
	"message": sprintf("%s uses port %v as %s, but Egress %s uses it as %s for the same ServiceAccount %s: %s", [
		kube.object_ref, p.number, mine, other.id, other.protocol,
		finding.names(sort(shared)), _effect,
	]),
}) if {
	kube.is_egress
	not kube.object_unmonitored # MG3004's: osm-edge ignores the policy
	some i, p in input.object.spec.ports
	is_string(p.protocol)
	mine := lower(p.protocol)
	mine in kube.egress_protocols
	server_first := mine == "tcp-server-first"
	is_number(p.number)
	kube.port_on_other_side(p.number, server_first)
	some other in _conflicting(p.number, server_first)
	shared := {a |
		some a in _accounts
		some o in kube.egresses_on_port_for(p.number, a, server_first)
		o.id == other.id
		o.protocol == other.protocol
	}
}

# _conflicting are the other policies that open port n for one of the
# object's ServiceAccounts with a protocol that conflicts with it (tcp-server-first
# against any other, or the reverse), found through the index.
_conflicting(n, server_first) := {{"id": o.id, "protocol": o.protocol} |
	some a in _accounts
	some o in kube.egresses_on_port_for(n, a, server_first)
}

# _accounts are the ServiceAccounts the object under review applies to.
_accounts := kube.accounts(input.object)
