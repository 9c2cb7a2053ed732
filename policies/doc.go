// Package policies is meshguard's engine. It compiles the embedded Rego rules once
// into a prepared query, computes the facts Rego cannot (schema validation and
// pruning as the API server does them, "did you mean" suggestions) and evaluates
// one input shape for every caller: the webhook, audit and the CLI.
//
// A finding is not an error: Evaluate returns an error only when meshguard itself
// fails.
package policies
