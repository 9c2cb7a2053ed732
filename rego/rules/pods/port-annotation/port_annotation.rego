# METADATA
# title: Port exclusion annotation holds something that is not a port
# description: |
#   openservicemesh.io/outbound-port-exclusion-list and
#   inbound-port-exclusion-list are comma-separated ports. osm-edge rejects the
#   pod for an entry that is not a positive number, and lets one above 65535
#   through to osm-init, where iptables-restore fails and the pod never starts
#   (in eBPF mode there is no osm-init, and such a number is not an error).
# custom:
#   code: MG4003
#   severity: deny
#   fix: List ports from 1 to 65535, comma-separated.
#   docs: docs/rules.md#mg4003
package meshguard.rules.pods["port-annotation"]

import data.meshguard.finding
import data.meshguard.kube

_keys := {"openservicemesh.io/outbound-port-exclusion-list", "openservicemesh.io/inbound-port-exclusion-list"}

findings contains finding.new(rego.metadata.chain(), {
	"path": sprintf("metadata.annotations[%q]", [key]),
	"message": sprintf("%s: %s lists %s, which is not a port from 1 to 65535: %s", [kube.object_ref, key, finding.quote(entry), _effect(entry)]),
}) if {
	kube.is_pod
	kube.injected
	some key in _keys
	some raw in split(input.object.metadata.annotations[key], ",")
	entry := trim_space(raw)
	not _port(entry)
	not _harmless(entry)
}

# In eBPF mode there is no osm-init, and osm-edge reads any number from 1.
_harmless(entry) if {
	kube.ebpf
	regex.match(`^[0-9]+$`, entry)
	to_number(entry) > 65535
}

_port(entry) if {
	regex.match(`^[0-9]+$`, entry)
	n := to_number(entry)
	n >= 1
	n <= 65535
}

_effect(entry) := "osm-init's iptables-restore fails on it and the pod never starts" if {
	regex.match(`^[0-9]+$`, entry)
	to_number(entry) > 65535
} else := "osm-edge's injector rejects the pod"
