# METADATA
# title: Policy apiVersion is not served by its CRD
# description: |
#   The API server only accepts Egress and UpstreamTrafficSetting objects in a
#   version their CRD serves (v1alpha1 for osm-edge 1.3); any other version is
#   rejected with "no matches for kind". meshguard cannot check the rest of the
#   object against a schema for that version.
# custom:
#   code: MG2016
#   severity: deny
#   fix: Set apiVersion to policy.openservicemesh.io/ followed by a served version.
#   docs: docs/rules.md#mg2016
package meshguard.rules.egress["version-not-served"]

import data.meshguard.finding
import data.meshguard.kube

findings contains finding.new(rego.metadata.chain(), {
	"path": "apiVersion",
	"message": sprintf("%s: apiVersion %s is not served; the %s CRD serves %s", [kube.object_ref, finding.quote(input.object.apiVersion), input.object.kind, _served]),
}) if {
	kube.is_policy
	input.facts.schema.checked == true
	input.facts.schema.served == false
}

_served := concat(", ", [sprintf("%s/%s", [kube.group(input.object.apiVersion), v]) | some v in vs]) if {
	vs := object.get(input.facts.schema, "servedVersions", [])
	count(vs) > 0
} else := "no version"
