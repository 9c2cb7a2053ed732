# METADATA
# title: Egress ipAddresses entry is not a valid IPv4 CIDR
# description: |
#   The CRD pattern for spec.ipAddresses is not anchored at the start and does
#   not bound the numbers, so values such as 999.1.1.1/99 are stored. osm-edge
#   cannot parse them: it logs the error and skips the entry, so the range the
#   author meant is never allowed. Values the pattern already rejects are left
#   to MG2002.
# custom:
#   code: MG2007
#   severity: deny
#   fix: Write each entry as an IPv4 CIDR a.b.c.d/n with octets 0-255 (no leading zeros) and n 0-32.
#   docs: docs/rules.md#mg2007
package meshguard.rules.egress["invalid-cidr"]

import data.meshguard.finding
import data.meshguard.kube

findings contains finding.new(rego.metadata.chain(), {
	"path": path,
	"message": sprintf("%s: ipAddresses entry %s is not a valid IPv4 CIDR (a.b.c.d/n, octets 0-255, n 0-32); osm-edge logs and skips it", [kube.object_ref, finding.quote(cidr)]),
}) if {
	kube.is_egress
	some i, cidr in input.object.spec.ipAddresses
	is_string(cidr)
	not _valid(cidr)
	path := sprintf("spec.ipAddresses[%d]", [i])

	# the API server already rejects what fails the CRD pattern (MG2002)
	not _schema_error(path)
}

# net.cidr_is_valid parses as Go's net.ParseCIDR does (as osm-edge does): it
# bounds octets and prefix and rejects leading zeros; the pattern keeps it IPv4.
_valid(cidr) if {
	regex.match(`^[0-9]{1,3}(\.[0-9]{1,3}){3}/[0-9]{1,2}$`, cidr)
	net.cidr_is_valid(cidr)
}

_schema_error(path) if {
	some e in input.facts.schema.errors
	e.path == path
}
