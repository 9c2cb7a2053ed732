# METADATA
# title: MeshConfig duration is not one osm-edge can use
# description: |
#   serviceCertValidityDuration, configResyncInterval,
#   inboundExternalAuthorization.timeout and ingressGateway.validityDuration are
#   plain strings in the CRD, so the API server stores any text. osm-edge parses
#   them as Go durations (a number with a unit: 24h, 90s, 1m30s) and, when that
#   fails, silently uses its fallback: 24h for certificate validity, 1s for the
#   authorization timeout, and 0 (no periodic resync) for configResyncInterval.
#   A value that parses is used as written, with no fallback: a certificate
#   validity of 0 or less issues certificates that are already expired, so
#   sidecars cannot set up mTLS. osm-edge's resync ticker ignores an interval
#   below its 30s minimum (other than 0, which stops it, and an empty value,
#   which means no resync) and keeps the interval it had.
# custom:
#   code: MG1006
#   severity: deny
#   fix: Write the duration as a positive number with a unit, such as 24h, 90s or 1m30s (a resync interval of at least 30s, or 0 for none).
#   docs: docs/rules.md#mg1006
package meshguard.rules.meshconfig["invalid-duration"]

import data.meshguard.finding
import data.meshguard.kube

# expired says what a validity of 0 or less does; resync marks the interval
# osm-edge's ticker reads, for which "" means no resync, as 0 does
# (pkg/ticker: "No resync configured").
_fields := [
	{"path": ["spec", "certificate", "serviceCertValidityDuration"], "fallback": "24h", "expired": "every service certificate it issues is already expired and sidecars cannot set up mTLS with each other"},
	{"path": ["spec", "certificate", "ingressGateway", "validityDuration"], "fallback": "24h", "expired": "the ingress gateway certificate it issues is already expired"},
	{"path": ["spec", "sidecar", "configResyncInterval"], "fallback": "0, which turns the periodic resync off", "resync": true},
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
	not _no_resync(f, v)
}

# osm-edge falls back only when a value does not parse (spec §1.3): a
# validity that parses is used as written, and a certificate issued for 0 or
# less expires as it is issued; osm-edge then re-issues it, expired again.
findings contains finding.new(rego.metadata.chain(), {
	"path": concat(".", f.path),
	"message": sprintf("%s %s is not positive: osm-edge uses a duration that parses as written (it falls back to %s only when it does not parse), so %s", [
		f.path[count(f.path) - 1],
		finding.quote(v),
		f.fallback,
		f.expired,
	]),
}) if {
	kube.is_meshconfig
	some f in _fields
	f.expired
	v := object.get(input.object, f.path, null)
	is_string(v)
	_is_duration(v)
	time.parse_duration_ns(v) <= 0
}

# osm-edge's resync ticker (pkg/ticker, min resync interval 30s in
# pkg/catalog) stops on 0 and otherwise takes only intervals of at least 30s;
# below that, negative included, it logs a warning and keeps ticking as it did.
findings contains finding.new(rego.metadata.chain(), {
	"path": concat(".", f.path),
	"message": sprintf("configResyncInterval %s is below osm-edge's minimum of 30s: osm-edge ignores it (\"less than min allowed interval\") and keeps the resync interval it had; 0 turns the periodic resync off", [finding.quote(v)]),
}) if {
	kube.is_meshconfig
	some f in _fields
	f.resync
	v := object.get(input.object, f.path, null)
	is_string(v)
	_is_duration(v)
	ns := time.parse_duration_ns(v)
	ns != 0
	ns < 30000000000
}

_no_resync(f, "") if f.resync

# The regex is Go's time.ParseDuration grammar; it keeps the builtin from
# erroring, and the builtin still rejects values that overflow.
_is_duration(s) if {
	regex.match(`^[-+]?(0|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$`, s)
	time.parse_duration_ns(s)
}
