# METADATA
# title: Egress references an UpstreamTrafficSetting that does not exist
# description: |
#   osm-edge looks an Egress policy's UpstreamTrafficSetting match up by name in
#   the policy's own namespace. When it is not found osm-edge logs it and
#   ignores the whole Egress policy, not just the match, so everything the
#   policy allows is blocked (or passed through, with enableEgress true).
#   meshguard validate, which sees every file, denies it. In an admission
#   review it warns: kubectl apply -k and a folder's apply send an Egress
#   before the UpstreamTrafficSetting it names (kinds in alphabetical order),
#   and osm-edge applies the policy once the setting exists.
# custom:
#   code: MG3005
#   severity: deny
#   admission_severity: warn
#   fix: Create the UpstreamTrafficSetting in the Egress's namespace before the Egress, or correct the match name.
#   docs: docs/rules.md#mg3005
package meshguard.rules.crossresource["missing-upstream-traffic-setting"]

import data.meshguard.finding
import data.meshguard.kube

findings contains finding.new(rego.metadata.chain(), {
	"path": sprintf("spec.matches[%d].name", [i]),
	"message": sprintf("%s references UpstreamTrafficSetting %s, which does not exist in namespace %s: osm-edge ignores the whole policy%s", [
		kube.object_ref, finding.quote(m.name), finding.quote(ns), _elsewhere(m.name, ns),
	]),
}) if {
	kube.is_egress
	is_array(input.inventory.upstreamTrafficSettings)
	ns := input.object.metadata.namespace
	some i, m in input.object.spec.matches
	m.kind == "UpstreamTrafficSetting"
	is_string(m.name)
	not _exists(ns, m.name)
}

_exists(ns, name) if kube.index.upstreamIds[concat("/", [ns, name])]

# _elsewhere points at a setting of that name in another namespace.
_elsewhere(name, ns) := sprintf(" (one exists in namespace %s, but it must be in %s)", [finding.names(others), finding.quote(ns)]) if {
	others := sort({finding.quote(other) |
		some other in kube.index.upstreamNamespaces[name]
		other != ns
	})
	count(others) > 0
} else := ""
