package meshguard.schema_test

import data.meshguard.schema

test_sibling_suggestion if {
	m := schema.unknown_message({"path": "spec.traffic.enableEngress", "field": "enableEngress", "source": "object", "suggestion": "spec.traffic.enableEgress", "suggestionSegments": ["spec", "traffic", "enableEgress"]})
	m == `unknown field "spec.traffic.enableEngress" is dropped by the API server; did you mean "enableEgress"?`
}

test_moved_suggestion if {
	m := schema.unknown_message({"path": "spec.observability.serviceCertValidityDuration", "source": "object", "suggestion": "spec.certificate.serviceCertValidityDuration", "moved": true})
	contains(m, "did you mean spec.certificate.serviceCertValidityDuration?")
}

test_no_suggestion if {
	schema.unknown_message({"path": "spec.zzz", "source": "object"}) == `unknown field "spec.zzz" is dropped by the API server`
}

_u := {"path": "spec.traffic.enableEngress", "source": "lastApplied", "suggestion": "spec.traffic.enableEgress", "suggestionSegments": ["spec", "traffic", "enableEgress"]}

test_last_applied_removal if {
	m := schema.unknown_message(_u) with input as {
		"oldObject": {"spec": {"traffic": {"enableEgress": true}}},
		"object": {"spec": {"traffic": {}}},
	}
	contains(m, "last-applied configuration")
	contains(m, "this apply would remove spec.traffic.enableEgress (it was true)")
}

test_last_applied_without_removal if {
	m := schema.unknown_message(_u) with input as {
		"oldObject": {"spec": {"traffic": {"enableEgress": true}}},
		"object": {"spec": {"traffic": {"enableEgress": true}}},
	}
	not contains(m, "would remove")
}

test_error_message if {
	schema.error_message({"path": "spec.a", "message": "Invalid value: 1: bad"}) == "spec.a: Invalid value: 1: bad"
}

test_unknown_field_under_strict_validation_is_refused if {
	msg := schema.unknown_message({"path": "spec.traffic.enableEngress", "source": "object", "suggestion": "spec.traffic.enableEgress"}) with input as {"options": {"fieldValidation": "Strict"}}
	msg == `unknown field "spec.traffic.enableEngress" makes the API server refuse the request (kubectl's strict field validation); did you mean "enableEgress"?`
}

test_unknown_field_otherwise_is_dropped if {
	msg := schema.unknown_message({"path": "spec.x", "source": "object"}) with input as {"options": {"fieldValidation": "Warn"}}
	startswith(msg, `unknown field "spec.x" is dropped by the API server`)
}

test_last_applied_names_the_flag_that_let_it_through if {
	contains(schema.unknown_message(_u), "(kubectl apply --validate=false)")
	contains(schema.unknown_message(_u), "(kubectl apply --validate=false)") with input as {"options": {"fieldValidation": "Ignore"}}
	contains(schema.unknown_message(_u), "(kubectl apply --validate=warn)") with input as {"options": {"fieldValidation": "Warn"}}
}

test_last_applied_names_the_command_that_wrote_it if {
	inp := {
		"oldObject": {"spec": {"traffic": {"enableEgress": true}}},
		"object": {"spec": {"traffic": {}}},
	}
	m := schema.unknown_message(_u) with input as object.union(inp, {"options": {"fieldValidation": "Ignore", "fieldManager": "kubectl-replace"}})
	contains(m, "(kubectl replace --save-config --validate=false)")
	contains(m, "this replace would remove spec.traffic.enableEgress")
	contains(schema.unknown_message(_u), "(kubectl create --save-config --validate=false)") with input as {"options": {"fieldManager": "kubectl-create"}}
	contains(schema.unknown_message(_u), "(kubectl apply --validate=false)") with input as {"options": {"fieldManager": "kubectl-client-side-apply"}}
	contains(schema.unknown_message(_u), "(kubectl edit --validate=false)") with input as {"options": {"fieldManager": "kubectl-edit"}}
}
