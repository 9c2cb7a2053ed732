# METADATA
# title: Egress match apiGroup is not one osm-edge accepts
# description: |
#   osm-edge's Egress webhook takes spec.matches[].apiGroup as a group/version
#   string and accepts only specs.smi-spec.io/v1alpha4 (HTTPRouteGroup) and
#   policy.openservicemesh.io/v1alpha1 (UpstreamTrafficSetting). The group
#   alone, as in policy.openservicemesh.io, is a common mistake: the webhook
#   rejects it, and in namespaces the webhook does not watch the match never
#   resolves.
# custom:
#   code: MG2009
#   severity: deny
#   fix: Set apiGroup to specs.smi-spec.io/v1alpha4 for an HTTPRouteGroup or policy.openservicemesh.io/v1alpha1 for an UpstreamTrafficSetting.
#   docs: docs/rules.md#mg2009
package meshguard.rules.egress["match-api-group"]

import data.meshguard.finding
import data.meshguard.kube

findings contains finding.new(rego.metadata.chain(), {
	"path": sprintf("spec.matches[%d].apiGroup", [i]),
	"message": sprintf("%s: apiGroup %s of match %s %s; osm-edge rejects it with \"Expected 'matches.apiGroup' to be one of [%s %s], got: %s\"", [
		kube.object_ref, finding.quote(m.apiGroup), finding.quote(object.get(m, "name", "")), _why(m.apiGroup),
		kube.smi_match_api_group, kube.policy_match_api_group, m.apiGroup,
	]),
}) if {
	kube.is_egress
	some i, m in input.object.spec.matches
	is_string(m.apiGroup)
	not m.apiGroup in _accepted
}

_accepted := {kube.smi_match_api_group, kube.policy_match_api_group}

# _why names the accepted value the author most likely meant.
_why(g) := sprintf("is the group alone: write the group/version string %s", [want]) if {
	some want in _accepted
	g == kube.group(want)
}

else := sprintf("names an unsupported version: osm-edge accepts only %s", [want]) if {
	some want in _accepted
	kube.group(g) == kube.group(want)
}

else := "is not accepted"
