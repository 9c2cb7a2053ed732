# METADATA
# title: Egress source mTLS issuer "other" has no certificate
# description: |
#   With mtls.issuer osm the sidecar presents its mesh certificate to the
#   egress destination; with other it presents the certificate described by
#   mtls.cert and stored in cert.secret. Without mtls.cert osm-edge has no
#   client certificate to present, and the CRD does not require one.
# custom:
#   code: MG2014
#   severity: deny
#   fix: Add mtls.cert with sn, expiration and secret, or set mtls.issuer to osm.
#   docs: docs/rules.md#mg2014
package meshguard.rules.egress["mtls-other-without-cert"]

import data.meshguard.finding
import data.meshguard.kube

findings contains finding.new(rego.metadata.chain(), {
	"path": sprintf("spec.sources[%d].mtls.cert", [i]),
	"message": sprintf("%s: source %d (%s) sets mtls.issuer \"other\" without mtls.cert, so osm-edge has no client certificate to present", [kube.object_ref, i, _source(src)]),
}) if {
	kube.is_egress
	some i, src in input.object.spec.sources
	src.mtls.issuer == "other"
	object.get(src.mtls, "cert", null) == null
}

_source(src) := sprintf("ServiceAccount %s/%s", [src.namespace, src.name]) if {
	is_string(src.namespace)
	is_string(src.name)
}

else := "unnamed"
