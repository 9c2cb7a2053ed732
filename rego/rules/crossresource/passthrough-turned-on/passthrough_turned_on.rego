# METADATA
# title: MeshConfig egress passthrough makes the existing Egress policies restrict nothing
# description: |
#   With spec.traffic.enableEgress true, osm-edge passes through any outbound
#   traffic no Egress policy matches, so the mesh's Egress policies stop
#   restricting anything (they still add routing, mTLS and
#   UpstreamTrafficSetting behaviour). On an update meshguard warns only when
#   the change brings this about, not on every later MeshConfig edit.
# custom:
#   code: MG3002
#   severity: warn
#   fix: Keep spec.traffic.enableEgress false while Egress policies are meant to restrict egress traffic.
#   docs: docs/rules.md#mg3002
package meshguard.rules.crossresource["passthrough-turned-on"]

import data.meshguard.finding
import data.meshguard.kube

findings contains finding.new(rego.metadata.chain(), {
	"path": "spec.traffic.enableEgress",
	"message": sprintf("%s sets spec.traffic.enableEgress to true while the mesh has Egress policies (%s): unmatched egress traffic passes through, so they restrict nothing", [kube.object_ref, finding.names(kube.egress_ids)]),
}) if {
	kube.is_meshconfig
	not kube.meshconfig_never_read # MG1005's
	_restricts_nothing(input.object)
	count(kube.egress_ids) > 0
	not _already
}

# _restricts_nothing: passthrough is on and the policies are applied (when
# they are not, MG3003 says so).
_restricts_nothing(cfg) if {
	kube.passthrough(cfg)
	kube.egress_policy_enabled(cfg)
}

_already if {
	kube.updating
	_restricts_nothing(input.oldObject)
}
