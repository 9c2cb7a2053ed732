# METADATA
# title: UpstreamTrafficSetting host is already used by another
# description: |
#   osm-edge finds the UpstreamTrafficSetting of an upstream by its host, so two
#   settings for the same host leave it to chance which one applies. osm-edge's
#   own validator rejects the second one, but osm-edge does not register its
#   webhook for UpstreamTrafficSetting, so both are stored.
# custom:
#   code: MG3006
#   severity: deny
#   fix: Merge the settings into one UpstreamTrafficSetting per host, or change spec.host.
#   docs: docs/rules.md#mg3006
package meshguard.rules.crossresource["duplicate-upstream-host"]

import data.meshguard.finding
import data.meshguard.kube

findings contains finding.new(rego.metadata.chain(), {
	"path": "spec.host",
	"message": sprintf("UpstreamTrafficSetting %s conflicts with %s since they have the same host %s", [kube.id(input.object), other, finding.quote(host)]),
}) if {
	kube.is_upstream_traffic_setting
	host := input.object.spec.host
	is_string(host)
	some other in kube.index.upstreamHosts[host]
	other != kube.id(input.object)
}
