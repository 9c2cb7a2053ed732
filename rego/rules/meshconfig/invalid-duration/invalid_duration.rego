# METADATA
# title: MeshConfig duration does not parse
# description: |
#   serviceCertValidityDuration, configResyncInterval,
#   inboundExternalAuthorization.timeout and ingressGateway.validityDuration are
#   plain strings in the CRD, so the API server stores any text. osm-edge parses
#   them as Go durations (a number with a unit: 24h, 90s, 1m30s) and, when that
#   fails, silently uses its fallback: 24h for certificate validity, 1s for the
#   authorization timeout, and 0 (no periodic resync) for configResyncInterval.
# custom:
#   code: MG1006
#   severity: deny
#   fix: Write the duration as a number with a unit, such as 24h, 90s or 1m30s.
#   docs: docs/rules.md#mg1006
package meshguard.rules.meshconfig["invalid-duration"]

import data.meshguard.finding
import data.meshguard.kube

_fields := [
	{"path": ["spec", "certificate", "serviceCertValidityDuration"], "fallback": "24h"},
	{"path": ["spec", "certificate", "ingressGateway", "validityDuration"], "fallback": "24h"},
	{"path": ["spec", "sidecar", "configResyncInterval"], "fallback": "0, which turns the periodic resync off"},
	{"path": ["spec", "traffic", "inboundExternalAuthorization", "timeout"], "fallback": "1s"},
]

findings contains finding.new(rego.metadata.chain(), {
	"path": concat(".", f.path),
	"message": sprintf("%s %s is not a duration such as 24h, 90s or 1m30s: osm-edge falls back to %s", [
		f.path[count(f.path) - 1],
		finding.quote(v),
		f.fallback,
	]),
}) if {
	kube.is_meshconfig
	some f in _fields
	v := object.get(input.object, f.path, null)
	is_string(v)
	not _is_duration(v)
}

# The regex is Go's time.ParseDuration grammar; it keeps the builtin from
# erroring, and the builtin still rejects values that overflow.
_is_duration(s) if {
	regex.match(`^[-+]?(0|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$`, s)
	time.parse_duration_ns(s)
}
