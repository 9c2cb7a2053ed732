# METADATA
# title: Policy value does not match the CRD schema
# description: |
#   A wrong type, a value outside an enum or range (a port above 65535, a
#   source kind other than ServiceAccount), or a missing required field. The
#   API server rejects the request with this same wording; meshguard reports it
#   before the request is sent, naming the expected type or values. The kind,
#   name and namespace of Egress sources are left to MG2012.
# custom:
#   code: MG2002
#   severity: deny
#   fix: Change the value to the type, one of the values, or the range the message names.
#   docs: docs/rules.md#mg2002
package meshguard.rules.egress["schema-violation"]

import data.meshguard.finding
import data.meshguard.kube
import data.meshguard.schema

findings contains finding.new(rego.metadata.chain(), {
	"path": e.path,
	"message": schema.error_message(e),
}) if {
	kube.is_policy
	some e in input.facts.schema.errors
	not _left_to_other_rules(e)
}

# MG2012 reports source kind, name and namespace in osm-edge's terms, empty
# strings included; a second finding for the same field would only repeat it.
_left_to_other_rules(e) if {
	kube.is_egress
	regex.match(`^spec\.sources\[\d+\]\.(kind|name|namespace)$`, e.path)
}
