package policies

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// evalCounter counts the expressions a query evaluates.
type evalCounter struct{ n int }

func (c *evalCounter) Enabled() bool               { return true }
func (c *evalCounter) Config() topdown.TraceConfig { return topdown.TraceConfig{} }
func (c *evalCounter) TraceEvent(ev topdown.Event) {
	if ev.Op == topdown.EvalOp {
		c.n++
	}
}

// checkLinear holds the rules' work on one object to linear growth in each
// of its lists: doc(list, items) is the object with items in list, and
// doubling them must not much more than double the expressions the rules
// evaluate, as written (tests, conftest) and flattened (validate, the
// webhook). Counted, not timed, so the test does not depend on the machine.
func checkLinear(t *testing.T, lists map[string]func(i int) string, doc func(list string, items []string) string) {
	t.Helper()
	flat := newEngine(t)
	flat.flattenNow()
	engines := map[string]*Engine{"flattened": flat, "as written": newEngine(t, asWritten())}
	for list, item := range lists {
		for mode, e := range engines {
			small, large := exprCost(t, e, doc(list, items(item, 100))), exprCost(t, e, doc(list, items(item, 200)))
			if ratio := float64(large) / float64(small); ratio > 2.5 {
				t.Errorf("%s (rules %s): %d expressions for 100 entries, %d for 200 (%.1fx): a rule's cost grows faster than the list", list, mode, small, large, ratio)
			} else {
				t.Logf("%s (rules %s): %d expressions for 100 entries, %d for 200 (%.1fx)", list, mode, small, large, ratio)
			}
		}
	}
}

func items(item func(i int) string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = item(i)
	}
	return out
}

// exprCost counts the expressions the rules evaluate for a document.
func exprCost(t *testing.T, e *Engine, doc string) int {
	t.Helper()
	value, err := e.input(Input{Operation: "CREATE", Object: obj(t, doc)})
	if err != nil {
		t.Fatal(err)
	}
	c := &evalCounter{}
	if _, err := e.query.Load().Eval(context.Background(), rego.EvalParsedInput(value), rego.EvalQueryTracer(c)); err != nil {
		t.Fatal(err)
	}
	return c.n
}

// TestEgressRuleCostIsLinear: a rule that compared every port with every
// other one made an Egress of 750 ports miss the webhook's 3 s timeout, and
// the API server then admitted it unjudged (failurePolicy Ignore).
func TestEgressRuleCostIsLinear(t *testing.T) {
	protocols := []string{"tcp", "tcp-server-first", "http", "https"}
	lists := map[string]func(i int) string{
		"ports": func(i int) string {
			return fmt.Sprintf("{number: %d, protocol: %s}", 1000+i, protocols[i%len(protocols)])
		},
		"hosts":       func(i int) string { return fmt.Sprintf("h%d.example.com", i) },
		"ipAddresses": func(i int) string { return fmt.Sprintf("10.%d.%d.0/24", i/256, i%256) },
		"sources":     func(i int) string { return fmt.Sprintf("{kind: ServiceAccount, name: sa%d, namespace: ns}", i) },
		// every port the same number: one finding per server-first port,
		// not one per pair
		"ports of one number": func(i int) string { return fmt.Sprintf("{number: 3306, protocol: %s}", protocols[i%len(protocols)]) },
	}
	checkLinear(t, lists, func(list string, items []string) string {
		spec := map[string]string{
			"sources":     "[{kind: ServiceAccount, name: sa, namespace: ns}]",
			"hosts":       "[a.example.com]",
			"ipAddresses": "[10.0.0.0/8]",
			"ports":       "[{number: 80, protocol: http}, {number: 5432, protocol: tcp-server-first}]",
		}
		spec[strings.Fields(list)[0]] = "[" + strings.Join(items, ", ") + "]"
		doc := "apiVersion: policy.openservicemesh.io/v1alpha1\nkind: Egress\nmetadata: {name: e, namespace: ns}\nspec:\n"
		for _, k := range []string{"sources", "hosts", "ipAddresses", "ports"} {
			doc += "  " + k + ": " + spec[k] + "\n"
		}
		return doc
	})
}

// TestMeshConfigRuleCostIsLinear: the same for a MeshConfig's lists.
func TestMeshConfigRuleCostIsLinear(t *testing.T) {
	cidr := func(i int) string { return fmt.Sprintf("10.%d.%d.0/24", i/256, i%256) }
	port := func(i int) string { return fmt.Sprint(1000 + i) }
	lists := map[string]func(i int) string{
		"outboundIPRangeExclusionList": cidr,
		"outboundIPRangeInclusionList": cidr,
		"outboundPortExclusionList":    port,
		"inboundPortExclusionList":     port,
	}
	checkLinear(t, lists, func(list string, items []string) string {
		return "apiVersion: config.openservicemesh.io/v1alpha2\nkind: MeshConfig\nmetadata: {name: osm-mesh-config, namespace: osm-system}\n" +
			"spec:\n  traffic:\n    interceptionMode: iptables\n    " + list + ": [" + strings.Join(items, ", ") + "]\n"
	})
}
