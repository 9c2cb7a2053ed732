# METADATA
# title: Egress match kind does not fit its apiGroup
# description: |
#   osm-edge's Egress webhook allows one kind per match apiGroup: HTTPRouteGroup
#   with specs.smi-spec.io/v1alpha4 and UpstreamTrafficSetting with
#   policy.openservicemesh.io/v1alpha1. Any other kind is rejected, and where
#   the webhook does not run the match is never resolved.
# custom:
#   code: MG2010
#   severity: deny
#   fix: Use kind HTTPRouteGroup with specs.smi-spec.io/v1alpha4 and kind UpstreamTrafficSetting with policy.openservicemesh.io/v1alpha1.
#   docs: docs/rules.md#mg2010
package meshguard.rules.egress["match-kind"]

import data.meshguard.finding
import data.meshguard.kube

_kind_for := {
	kube.smi_match_api_group: "HTTPRouteGroup",
	kube.policy_match_api_group: "UpstreamTrafficSetting",
}

findings contains finding.new(rego.metadata.chain(), {
	"path": sprintf("spec.matches[%d].kind", [i]),
	"message": sprintf("%s: match %s with apiGroup %s has kind %s; osm-edge rejects it with \"Expected 'matches.kind' for match '%s' to be '%s', got: %s\"", [
		kube.object_ref, finding.quote(name), m.apiGroup, finding.quote(m.kind),
		name, want, m.kind,
	]),
}) if {
	kube.is_egress
	some i, m in input.object.spec.matches
	is_string(m.kind)
	want := _kind_for[m.apiGroup]
	m.kind != want
	name := object.get(m, "name", "")
}
