# METADATA
# title: finding builder
# description: |
#   The one place a finding is shaped. A rule passes rego.metadata.chain() and
#   its details; code, severity, title, fix and docs come from the rule's
#   rule metadata, so they are written once.
package meshguard.finding

# new returns {code, severity, title, fix, docs, path, message} for the rule whose
# metadata chain is given. details holds message and, optionally, path (a field path
# such as spec.ports[0].protocol).
#
# The chain starts with the rule itself; chain[1] is its package, whose METADATA
# is the rule's (as the catalog reads it), and custom holds code, severity,
# fix and docs (and admission_severity, which the engine reads from the
# catalog). One object.union and direct lookups: a finding is built
# on every firing, and each ref walk or comprehension here costs every finding.
new(chain, details) := object.union(chain[1].annotations.custom, {
	"title": chain[1].annotations.title,
	"path": object.get(details, "path", ""),
	"message": details.message,
})

# quote renders a value for a message: strings in double quotes, others as JSON.
quote(v) := sprintf("%q", [v]) if is_string(v)

else := json.marshal(v)

# names joins up to three names and counts the rest: "a, b, c and 4 more".
names(list) := concat(", ", list) if count(list) <= 3

else := sprintf("%s and %d more", [concat(", ", array.slice(list, 0, 3)), count(list) - 3])
