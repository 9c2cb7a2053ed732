# The shim that lets conftest run meshguard's rules: conftest queries
# data.main.deny and data.main.warn with the parsed document as input;
# meshguard's entrypoint expects {object, inventory, facts}. conftest has no
# cluster view and no Go-computed schema facts, so the inventory is empty and
# the schema facts say nothing is unknown or invalid.
package main

_findings := fs if {
	fs := data.meshguard.main.findings with input as {
		"object": input,
		"inventory": {},
		"facts": {"schema": {"unknownFields": [], "errors": []}},
	}
}

deny contains msg if {
	some f in _findings
	f.severity == "deny"
	msg := sprintf("[%s] %s", [f.code, f.message])
}

warn contains msg if {
	some f in _findings
	f.severity == "warn"
	msg := sprintf("[%s] %s", [f.code, f.message])
}
