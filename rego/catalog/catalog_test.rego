package meshguard.catalog_test

import data.meshguard.catalog

test_codes_hold_the_rules if {
	"MG0004" in catalog.codes
	"MG1001" in catalog.codes
	not "MG9999" in catalog.codes
}
