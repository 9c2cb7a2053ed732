# METADATA
# title: Egress host is not a plain DNS name
# description: |
#   osm-edge matches an http request's Host header against each spec.hosts entry
#   and against entry:port itself, and uses https entries as TLS server names. An
#   entry must therefore be a lower-case DNS name (RFC 1123 subdomain) without a
#   port. The Pipy driver looks hosts up as exact keys, so a wildcard such as
#   *.example.com matches no request (read from osm-edge's source, not
#   measured). The CRD accepts any string.
# custom:
#   code: MG2006
#   severity: deny
#   fix: Write each host as a lower-case DNS name without port or wildcard, listing every host you need.
#   docs: docs/rules.md#mg2006
package meshguard.rules.egress["invalid-host"]

import data.meshguard.finding
import data.meshguard.kube

findings contains finding.new(rego.metadata.chain(), {
	"path": sprintf("spec.hosts[%d]", [i]),
	"message": sprintf("%s: host %s %s", [kube.object_ref, finding.quote(host), _problem(host)]),
}) if {
	kube.is_egress
	some i, host in input.object.spec.hosts
	not _valid(host)
}

_dns_name := `^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`

# _dns_name with each label at most 63 characters, so that a valid host costs
# one match
_dns_name_63 := `^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$`

_valid(host) if {
	is_string(host)
	count(host) <= 253
	regex.match(_dns_name_63, host)
}

# _problem says what is wrong, most specific first.
_problem(host) := "is not a string: it must be a DNS name" if not is_string(host)

else := "is a wildcard, which osm-edge does not support: it matches hosts exactly, so no request matches this entry; list each host" if {
	contains(host, "*")
}

else := "has a port: osm-edge already matches both the host and host:port, so write the name alone" if {
	regex.match(`^[^:]+:[0-9]+$`, host)
}

else := "is empty: it must be a DNS name" if {
	host == ""
}

else := "is longer than 253 characters, the limit for a DNS name" if {
	count(host) > 253
}

else := "has upper-case letters: osm-edge compares hosts as written, so write the name in lower case" if {
	lower(host) != host
	_valid(lower(host))
}

else := "has a label longer than 63 characters, the limit for a DNS label" if {
	regex.match(_dns_name, host)
}

else := "is not a valid DNS name: use lower-case letters, digits, '-' and '.', each label starting and ending with a letter or digit"
