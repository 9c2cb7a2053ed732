package policies

import (
	"fmt"

	"github.com/open-policy-agent/opa/v1/ast"
)

// InputDocument returns the exact input document Evaluate hands the query for
// in, as plain JSON values: the object (pruned of unknown fields), the
// Go-computed schema facts, the request's details and the inventory as the
// engine sees it (after PrepareInventory: its lookup index, without the Egress
// policies themselves). POSTing {"input": <this>} to another OPA's
// /v1/data/meshguard/main/findings, with the same rules loaded, evaluates what
// meshguard evaluates; the webhook benchmark (test/bench) does exactly that.
func (e *Engine) InputDocument(in Input) (map[string]any, error) {
	if in.Object == nil {
		return nil, fmt.Errorf("input document: no object")
	}
	value, err := e.input(in)
	if err != nil {
		return nil, err
	}
	doc, err := ast.JSON(value)
	if err != nil {
		return nil, fmt.Errorf("input document: %w", err)
	}
	m, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("input document: %T, not an object", doc)
	}
	return m, nil
}
