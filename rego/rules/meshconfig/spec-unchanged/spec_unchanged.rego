# METADATA
# title: MeshConfig update changes nothing in spec
# description: |
#   The API server prunes fields the CRD does not know before admission runs, so
#   a kubectl patch of a misspelled field (enableEngress) reaches meshguard as an
#   update whose spec equals the stored one; kubectl then prints "patched (no
#   change)" and exits 0. The misspelled name itself is gone, so this rule can
#   only say that nothing changed; meshguard validate patch, run on the patch
#   before it is sent, names the field. Updates that change only labels,
#   annotations, finalizers or owner references are left alone (a new
#   last-applied configuration counts only when it has no unknown field, as
#   kubectl apply set-last-applied writes it), and so are a kubectl label or
#   annotate that changes nothing (their field managers send metadata only)
#   and a patch, or a script's kubectl apply, that meshguard validate checks
#   and that has no unknown field (it only sets values already set).
# custom:
#   code: MG1017
#   severity: warn
#   fix: Run the same patch through meshguard validate patch to find the field the API server dropped.
#   docs: docs/rules.md#mg1017
package meshguard.rules.meshconfig["spec-unchanged"]

import data.meshguard.finding
import data.meshguard.kube
import data.meshguard.schema

findings contains finding.new(rego.metadata.chain(), {
	"path": "spec",
	"message": _message,
}) if {
	kube.is_meshconfig
	kube.updating
	not _idempotent_patch
	not schema.strict # an unknown field fails the request, it changes nothing
	object.get(input.object, "spec", {}) == object.get(input.oldObject, "spec", {})
	not _generation_changed
	not _metadata_changed
	not _metadata_command
}

_name := n if {
	n := input.object.metadata.name
	is_string(n)
} else := "osm-mesh-config"

_namespace := n if {
	n := input.object.metadata.namespace
	is_string(n)
	n != ""
} else := "osm-system"

_generation_changed if input.object.metadata.generation != input.oldObject.metadata.generation

# kubectl label, annotate and a patch of the finalizers change no spec on
# purpose. A new last-applied configuration is such a change only when it
# holds no field the CRD does not know: kubectl apply rewrites it on every
# apply, misspelled fields included (what this rule is for), while kubectl
# apply set-last-applied, or removing the annotation, changes only it.
# managedFields change with any apply, so they say nothing.
_metadata_changed if _labels(input.object) != _labels(input.oldObject)

_metadata_changed if _annotations(input.object) != _annotations(input.oldObject)

_metadata_changed if {
	some field in ["finalizers", "ownerReferences"]
	object.get(input.object, ["metadata", field], []) != object.get(input.oldObject, ["metadata", field], [])
}

_metadata_changed if {
	_last_applied(input.object) != _last_applied(input.oldObject)
	not _unknown_in_last_applied
}

# kubectl label and annotate (their field managers) send metadata only:
# one that changes nothing (a value already set, with --overwrite) cannot
# have lost a misspelled field.
_metadata_command if input.options.fieldManager in {"kubectl-label", "kubectl-annotate"}

_labels(obj) := object.get(obj, ["metadata", "labels"], {})

_last_applied(obj) := object.get(obj, ["metadata", "annotations", "kubectl.kubernetes.io/last-applied-configuration"], "")

_unknown_in_last_applied if {
	some u in input.facts.schema.unknownFields
	u.source == "lastApplied"
}

_annotations(obj) := object.remove(a, ["kubectl.kubernetes.io/last-applied-configuration"]) if {
	a := object.get(obj, ["metadata", "annotations"], {})
	is_object(a)
} else := {}

# meshguard validate sees the patch, or what a script's kubectl apply sends,
# itself, before any pruning: one with no unknown field that changes nothing
# is idempotent (setting a value already set), not a dropped typo.
_idempotent_patch if {
	_seen_as_sent
	count(object.get(input, ["facts", "schema", "unknownFields"], [])) == 0
}

_seen_as_sent if input.patch

_seen_as_sent if input.applied

# In the API server the misspelled name is already gone: point at the tool that
# sees it. meshguard validate sees the patch itself and has reported the
# unknown fields next to this finding.
_message := sprintf("this update changes nothing in spec; if it was meant to, a field was probably misspelled: the API server drops the fields it does not know before admission, so their names never reach meshguard; find them with: meshguard validate patch meshconfig %s -n %s -p '<your patch>' --type <its type>", [_name, _namespace]) if {
	not _seen_as_sent
} else := "this patch changes nothing in spec once the API server drops the unknown fields reported with it: kubectl prints \"patched (no change)\" and exits 0" if {
	input.patch
} else := sprintf("this kubectl %s changes nothing in spec once the API server drops the unknown fields reported with it", [input.applied])
