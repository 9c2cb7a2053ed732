# METADATA
# title: UpstreamTrafficSetting host is not a fully qualified name
# description: |
#   spec.host names the upstream the settings apply to: a mesh service's FQDN
#   (name.namespace.svc.cluster.local) or an egress host. osm-edge's own
#   validator requires at least one dot and rejects the object with "invalid
#   FQDN specified as host", but osm-edge does not register its webhook for
#   UpstreamTrafficSetting, so the object is stored unchecked.
# custom:
#   code: MG2015
#   severity: deny
#   fix: Write spec.host as a fully qualified name, e.g. httpbin.httpbin.svc.cluster.local or httpbin.org.
#   docs: docs/rules.md#mg2015
package meshguard.rules.egress["upstream-host-not-fqdn"]

import data.meshguard.finding
import data.meshguard.kube

findings contains finding.new(rego.metadata.chain(), {
	"path": "spec.host",
	"message": sprintf("%s: spec.host %s is not a fully qualified name (it has no dot); osm-edge's own validator would reject it: spec.host: Invalid value: %s: invalid FQDN specified as host", [kube.object_ref, finding.quote(host), finding.quote(host)]),
}) if {
	kube.is_upstream_traffic_setting
	host := input.object.spec.host
	is_string(host)
	not contains(host, ".")
}
