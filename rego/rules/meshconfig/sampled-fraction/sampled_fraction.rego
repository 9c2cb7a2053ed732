# METADATA
# title: Sampled fraction is not a number from 0 to 1
# description: |
#   observability.tracing.sampledFraction and remoteLogging.sampledFraction are
#   strings in the CRD, so the API server stores any text. osm-edge parses them
#   as a decimal fraction of requests; text that does not parse makes it fall back
#   to 1, sampling every request, and a number outside 0 to 1 is not a fraction.
# custom:
#   code: MG1011
#   severity: deny
#   fix: Write sampledFraction as a decimal string from "0" to "1", such as "0.1".
#   docs: docs/rules.md#mg1011
package meshguard.rules.meshconfig["sampled-fraction"]

import data.meshguard.finding
import data.meshguard.kube

_sections := ["tracing", "remoteLogging"]

findings contains finding.new(rego.metadata.chain(), {
	"path": sprintf("spec.observability.%s.sampledFraction", [section]),
	"message": sprintf("%s sampledFraction %s is not a number: osm-edge falls back to 1 and samples every request", [section, finding.quote(v)]),
}) if {
	kube.is_meshconfig
	some section in _sections
	v := input.object.spec.observability[section].sampledFraction
	is_string(v)
	not _decimal(v)
}

findings contains finding.new(rego.metadata.chain(), {
	"path": sprintf("spec.observability.%s.sampledFraction", [section]),
	"message": sprintf("%s sampledFraction %s is outside 0-1: it is the fraction of requests to sample", [section, finding.quote(v)]),
}) if {
	kube.is_meshconfig
	some section in _sections
	v := input.object.spec.observability[section].sampledFraction
	is_string(v)
	_decimal(v)
	not _fraction(to_number(v))
}

# A plain decimal, so that to_number never errors.
_decimal(s) if regex.match(`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]{1,3})?$`, s)

_fraction(n) if {
	n >= 0
	n <= 1
}
