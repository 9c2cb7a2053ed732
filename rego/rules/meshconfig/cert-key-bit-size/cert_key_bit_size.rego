# METADATA
# title: Certificate key size is outside 2048-4096 bits
# description: |
#   certificate.certKeyBitSize is a plain integer in the CRD, so the API server
#   stores any number. osm-edge accepts only 2048 to 4096 bits and silently
#   issues 2048-bit keys for anything else, so a request for 1024 or 8192 bits
#   is never honoured.
# custom:
#   code: MG1007
#   severity: deny
#   fix: Set certificate.certKeyBitSize to a value from 2048 to 4096, such as 2048 or 4096.
#   docs: docs/rules.md#mg1007
package meshguard.rules.meshconfig["cert-key-bit-size"]

import data.meshguard.finding
import data.meshguard.kube

findings contains finding.new(rego.metadata.chain(), {
	"path": "spec.certificate.certKeyBitSize",
	"message": sprintf("certKeyBitSize %v is outside 2048-4096: osm-edge ignores it and issues 2048-bit keys", [bits]),
}) if {
	kube.is_meshconfig
	bits := input.object.spec.certificate.certKeyBitSize
	is_number(bits)
	not _supported(bits)
}

_supported(bits) if {
	bits >= 2048
	bits <= 4096
}
