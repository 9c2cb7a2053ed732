package policies

import "flag"

// update rewrites generated files instead of comparing them: docs/rules.md,
// the README's rule table and opa fmt output (go test ./policies -update).
var update = flag.Bool("update", false, "rewrite generated files (docs/rules.md, README rule table, opa fmt)")

// Update is update for the external test package.
var Update = update
