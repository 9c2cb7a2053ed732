# METADATA
# title: Egress source is not a fully named ServiceAccount
# description: |
#   osm-edge applies an Egress policy to the pods of its sources, matching each
#   source by kind ServiceAccount, name and namespace. A source of another kind,
#   or with an empty or missing name or namespace, matches no pod; nor does a
#   name no ServiceAccount or namespace can have ("*", "web-*", upper case):
#   names are compared exactly, never as patterns. The CRD rejects a missing
#   field or another kind but accepts any string; this rule reports all of
#   them (MG2002 leaves these fields to it).
# custom:
#   code: MG2012
#   severity: deny
#   fix: Set each source's kind to ServiceAccount and give the ServiceAccount's name and namespace.
#   docs: docs/rules.md#mg2012
package meshguard.rules.egress["source-service-account"]

import data.meshguard.finding
import data.meshguard.kube

findings contains finding.new(rego.metadata.chain(), {
	"path": sprintf("spec.sources[%d].%s", [i, field]),
	"message": sprintf("%s: source %d %s", [kube.object_ref, i, problem]),
}) if {
	kube.is_egress
	some i, src in input.object.spec.sources
	is_object(src)
	not _well_formed(src)
	some field in ["kind", "name", "namespace"]
	problem := _problem(field, object.get(src, field, null))
}

# _well_formed sources have no problem: one check instead of three
_well_formed(src) if {
	src.kind == "ServiceAccount"
	_valid_name("name", src.name)
	_valid_name("namespace", src.namespace)
}

# _valid_name: a ServiceAccount's name is a DNS subdomain (RFC 1123), a
# namespace's a DNS label, as the API server requires of them.
_valid_name("name", v) if {
	is_string(v)
	count(v) <= 253
	regex.match(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`, v)
}

_valid_name("namespace", v) if {
	is_string(v)
	count(v) <= 63
	regex.match(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`, v)
}

_problem("kind", v) := "has no kind: osm-edge matches Egress sources by kind ServiceAccount" if v == null

_problem("kind", v) := sprintf("has kind %s: osm-edge matches Egress sources by kind ServiceAccount only, so this source matches no pod", [finding.quote(v)]) if {
	v != null
	v != "ServiceAccount"
}

_problem(field, v) := sprintf("has no %s: the source must name the ServiceAccount's %s, or it matches no pod", [field, field]) if {
	field in {"name", "namespace"}
	v in {null, ""}
}

_problem(field, v) := sprintf("has %s %s, which is not a string: it must be the ServiceAccount's %s", [field, finding.quote(v), field]) if {
	field in {"name", "namespace"}
	v != null
	not is_string(v)
}

_problem(field, v) := sprintf("has %s %s, which no ServiceAccount's %s can be: osm-edge compares names exactly, never as patterns, so this source matches no pod", [field, finding.quote(v), field]) if {
	field in {"name", "namespace"}
	is_string(v)
	v != ""
	not _valid_name(field, v)
}
