# METADATA
# title: MeshConfig apiVersion is not served
# description: |
#   osm-edge serves MeshConfig only as config.openservicemesh.io/v1alpha2 (the
#   storage version) and the deprecated v1alpha1; there is no v1alpha3. The API
#   server answers any other version with "no matches for kind MeshConfig", so
#   nothing is stored and none of the object's other fields could be checked
#   against a schema.
# custom:
#   code: MG1003
#   severity: deny
#   fix: Set apiVersion to config.openservicemesh.io/v1alpha2.
#   docs: docs/rules.md#mg1003
package meshguard.rules.meshconfig["version-not-served"]

import data.meshguard.finding
import data.meshguard.kube

findings contains finding.new(rego.metadata.chain(), {
	"path": "apiVersion",
	"message": sprintf("apiVersion %s is not served: the MeshConfig CRD serves %s", [finding.quote(input.object.apiVersion), _served]),
}) if {
	kube.is_meshconfig
	input.facts.schema.checked == true
	input.facts.schema.served == false
}

_served := concat(", ", [sprintf("%s/%s", [kube.group(input.object.apiVersion), v]) |
	some v in object.get(input.facts.schema, "servedVersions", [])
])
