# METADATA
# title: Sidecar minimum TLS version is above the maximum
# description: |
#   sidecar.tlsMinProtocolVersion and tlsMaxProtocolVersion are each checked
#   against an enum, never against each other. osm-edge writes both into every
#   sidecar's bootstrap configuration, and with the minimum above the maximum
#   there is no TLS version a sidecar may negotiate, so mTLS between sidecars
#   fails. When unset, the API server defaults them to TLSv1_2 and TLSv1_3, so
#   setting only one of them can cross the other; TLS_AUTO is never compared.
# custom:
#   code: MG1015
#   severity: deny
#   fix: Set tlsMinProtocolVersion to a version no higher than tlsMaxProtocolVersion.
#   docs: docs/rules.md#mg1015
package meshguard.rules.meshconfig["tls-version-order"]

import data.meshguard.finding
import data.meshguard.kube

_rank := {"TLSv1_0": 0, "TLSv1_1": 1, "TLSv1_2": 2, "TLSv1_3": 3}

findings contains finding.new(rego.metadata.chain(), {
	"path": "spec.sidecar.tlsMinProtocolVersion",
	"message": sprintf("tlsMinProtocolVersion %s is above tlsMaxProtocolVersion %s: sidecars have no TLS version left to negotiate (unset, the two default to TLSv1_2 and TLSv1_3)", [finding.quote(low), finding.quote(high)]),
}) if {
	kube.is_meshconfig
	low := input.object.spec.sidecar.tlsMinProtocolVersion
	high := input.object.spec.sidecar.tlsMaxProtocolVersion
	_rank[low] > _rank[high]
}
