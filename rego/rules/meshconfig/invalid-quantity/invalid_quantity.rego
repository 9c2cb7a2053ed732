# METADATA
# title: Sidecar resource value is not a Kubernetes quantity
# description: |
#   sidecar.resources.limits and .requests are open maps in the CRD, so the API
#   server stores any value. osm-edge decodes them as Kubernetes resource
#   quantities; one value that does not parse (500 m, 1GB, two) makes the whole
#   MeshConfig undecodable, so none of its settings take effect.
# custom:
#   code: MG1010
#   severity: deny
#   fix: Write the value as a Kubernetes quantity, such as 500m, 128Mi or 1.
#   docs: docs/rules.md#mg1010
package meshguard.rules.meshconfig["invalid-quantity"]

import data.meshguard.finding
import data.meshguard.kube

findings contains finding.new(rego.metadata.chain(), {
	"path": sprintf("spec.sidecar.resources.%s%s", [kind, _key(name)]),
	"message": sprintf("%s%s %s is not a Kubernetes quantity such as 500m, 128Mi or 1: osm-edge cannot decode a MeshConfig that has it", [kind, _key(name), finding.quote(value)]),
}) if {
	kube.is_meshconfig
	some kind in ["limits", "requests"]
	resources := input.object.spec.sidecar.resources[kind]
	is_object(resources)
	some name, value in resources
	not _quantity(value)
}

# The grammar of Kubernetes' resource.Quantity; numbers are written as quantities
# too, and null decodes to an empty quantity.
_quantity(v) if {
	is_string(v)
	regex.match(`^[+-]?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE][+-]?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$`, v)
}

_quantity(v) if is_number(v)

_quantity(v) if is_null(v)

# Resource names such as nvidia.com/gpu are bracketed so the path stays readable.
_key(name) := sprintf(".%s", [name]) if regex.match(`^[A-Za-z0-9_-]+$`, name)

_key(name) := sprintf("[%q]", [name]) if not regex.match(`^[A-Za-z0-9_-]+$`, name)
