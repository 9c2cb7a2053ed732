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

# within the object: every source gets every port
findings contains finding.new(rego.metadata.chain(), {
	"path": sprintf("spec.ports[%d].protocol", [i]),
	"message": sprintf("%s uses port %v as tcp-server-first and, at spec.ports[%d], as %s: %s", [kube.ref(input.object), p.number, j, other, _effect]),
}) if {
	kube.is_egress
	count(_accounts(input.object)) > 0
	some i, p in input.object.spec.ports
	kube.protocol(p) == "tcp-server-first"
	some j, q in input.object.spec.ports
	_same_number(p, q)
	other := kube.protocol(q)
	_conflict(kube.protocol(p), other)
}

# across policies: the other Egress shares a source ServiceAccount
findings contains finding.new(rego.metadata.chain(), {
	"path": sprintf("spec.ports[%d].protocol", [i]),
	"message": sprintf("%s uses port %v as %s, but %s uses it as %s for the same ServiceAccount %s: %s", [
		kube.ref(input.object), p.number, mine, kube.ref(e), theirs,
		finding.names(sort(shared)), _effect,
	]),
}) if {
	kube.is_egress
	some i, p in input.object.spec.ports
	mine := kube.protocol(p)
	some e in kube.egresses
	some q in e.spec.ports
	_same_number(p, q)
	theirs := kube.protocol(q)
	_conflict(mine, theirs)
	shared := _accounts(input.object) & _accounts(e)
	count(shared) > 0
}

_same_number(p, q) if {
	is_number(p.number)
	p.number == q.number
}

_conflict(a, b) if {
	a != b
	"tcp-server-first" in {a, b}
	a in _known
	b in _known
}

# _accounts are the namespace/name of the ServiceAccounts a policy applies to.
_accounts(policy) := {sprintf("%s/%s", [src.namespace, src.name]) |
	some src in policy.spec.sources
	src.kind == "ServiceAccount"
	is_string(src.name)
	is_string(src.namespace)
	src.name != ""
	src.namespace != ""
}
