# METADATA
# title: Egress references more than one UpstreamTrafficSetting
# description: |
#   An Egress policy can carry the connection, circuit-breaking and rate-limit
#   settings of one UpstreamTrafficSetting. osm-edge's Egress webhook rejects a
#   policy with more than one UpstreamTrafficSetting match.
# custom:
#   code: MG2011
#   severity: deny
#   fix: Keep one UpstreamTrafficSetting match per Egress, merging the settings or splitting the policy.
#   docs: docs/rules.md#mg2011
package meshguard.rules.egress["multiple-upstream-traffic-settings"]

import data.meshguard.finding
import data.meshguard.kube

# one finding, at the second UpstreamTrafficSetting match
findings contains finding.new(rego.metadata.chain(), {
	"path": sprintf("spec.matches[%d]", [_indices[1]]),
	"message": sprintf("%s has %d UpstreamTrafficSetting matches (%s); osm-edge rejects it with \"Cannot have more than 1 UpstreamTrafficSetting match\"", [
		kube.object_ref, count(_indices),
		finding.names([finding.quote(object.get(input.object.spec.matches[i], "name", "")) | some i in _indices]),
	]),
}) if {
	kube.is_egress
	count(_indices) > 1
}

_indices := [i |
	some i, m in input.object.spec.matches
	m.apiGroup == kube.policy_match_api_group
	m.kind == "UpstreamTrafficSetting"
]
