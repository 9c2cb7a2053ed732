# METADATA
# title: schema facts
# description: |
#   Messages for what Go found when it pruned and validated the object against
#   its CRD exactly as the API server does (input.facts.schema). The rules of
#   each group decide which of these to report.
package meshguard.schema

import data.meshguard.finding

# unknown_message words an unknown field with its "did you mean".
unknown_message(u) := concat("", [_unknown_head(u), _did_you_mean(u), _removes(u)])

_unknown_head(u) := sprintf("unknown field %q is dropped by the API server", [u.path]) if {
	u.source == "object"
	not strict
}

_unknown_head(u) := sprintf("unknown field %q makes the API server refuse the request (kubectl's strict field validation)", [u.path]) if {
	u.source == "object"
	strict
}

# strict is true when the request asks the API server to refuse a field it
# does not know (kubectl apply, create and replace by default; --validate=false
# and warn drop it instead). A webhook never sees such a request with one.
strict if input.options.fieldValidation == "Strict"

_unknown_head(u) := sprintf("unknown field %q in the last-applied configuration (%s %s) was dropped by the API server", [u.path, _command, _validate_flag]) if {
	u.source == "lastApplied"
}

# _command is the kubectl command that wrote the last-applied configuration,
# as its field manager names it: apply, edit, or create and replace with
# --save-config.
_command := "kubectl create --save-config" if {
	input.options.fieldManager == "kubectl-create"
} else := "kubectl replace --save-config" if {
	input.options.fieldManager == "kubectl-replace"
} else := "kubectl edit" if {
	input.options.fieldManager == "kubectl-edit"
} else := "kubectl apply"

# _validate_flag is the kubectl flag that let an unknown field through: the
# request says which (Warn, or Ignore for false), an older kubectl does not.
_validate_flag := "--validate=warn" if input.options.fieldValidation == "Warn"

else := "--validate=false"

_did_you_mean(u) := "" if not u.suggestion

_did_you_mean(u) := sprintf("; did you mean %q?", [_last(u.suggestion)]) if {
	u.suggestion
	not u.moved
}

_did_you_mean(u) := sprintf("; did you mean %s? (that field belongs there)", [u.suggestion]) if u.moved

_removes(u) := sprintf("; this %s would remove %s (it was %s)", [_update_verb, u.suggestion, finding.quote(old)]) if {
	removes(u)
	old := object.get(input.oldObject, u.suggestionSegments, null)
}

_removes(u) := "" if not removes(u)

_update_verb := "replace" if input.options.fieldManager == "kubectl-replace"

else := "apply"

# removes is true when kubectl's three-way merge drops the real field: it is in
# the stored object, missing from the new one, and its misspelling was applied.
removes(u) if {
	u.source == "lastApplied"
	u.suggestionSegments
	object.get(input.oldObject, u.suggestionSegments, null) != null
	object.get(input.object, u.suggestionSegments, null) == null
}

_last(p) := parts[count(parts) - 1] if parts := split(p, ".")

# error_message is the API server's own wording of a schema error.
error_message(e) := sprintf("%s: %s", [e.path, e.message])
