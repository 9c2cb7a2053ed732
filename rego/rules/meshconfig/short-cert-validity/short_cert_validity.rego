# METADATA
# title: Certificate validity is shorter than 2 minutes
# description: |
#   osm-edge renews each certificate 30 to 35 seconds before it expires
#   (pkg/certificate: RenewBeforeCertExpires plus up to 5s of noise). With a
#   validity under 2 minutes it re-issues every sidecar's certificate less
#   than 90 seconds after issuing it, each time pushing new configuration to
#   the sidecars, and at 35s or less as soon as it is issued. Certificates stay valid, so
#   traffic works, at that cost. osm's own MeshConfig validator, before it
#   was removed, refused validities under 2 minutes. A validity of 0 or less
#   is MG1006.
# custom:
#   code: MG1023
#   severity: warn
#   fix: Set the validity to 2m or more; the default is 24h.
#   docs: docs/rules.md#mg1023
package meshguard.rules.meshconfig["short-cert-validity"]

import data.meshguard.finding
import data.meshguard.kube

_paths := [
	["spec", "certificate", "serviceCertValidityDuration"],
	["spec", "certificate", "ingressGateway", "validityDuration"],
]

findings contains finding.new(rego.metadata.chain(), {
	"path": concat(".", p),
	"message": sprintf("%s %s is shorter than 2m: osm-edge renews a certificate 30 to 35 seconds before it expires, so it re-issues each one, and updates every sidecar, less than 90 seconds after issuing it", [
		p[count(p) - 1],
		finding.quote(v),
	]),
}) if {
	kube.is_meshconfig
	some p in _paths
	v := object.get(input.object, p, null)
	is_string(v)

	# The regex keeps the builtin from erroring on what MG1006 reports.
	regex.match(`^[-+]?(0|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$`, v)
	ns := time.parse_duration_ns(v)
	ns > 0
	ns < 120000000000
}
