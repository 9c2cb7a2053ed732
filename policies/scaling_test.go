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
// doubling them must not much more than double the expressions the
// (flattened) rules evaluate. Counted, not timed, so the test does not
// depend on the machine.
func checkLinear(t *testing.T, lists map[string]func(i int) string, doc func(list string, items []string) string) {
	t.Helper()
	ctx := context.Background()
	e := newEngine(t)
	e.flattenNow()
	for list, item := range lists {
		cost := func(n int) int {
			items := make([]string, n)
			for i := range items {
				items[i] = item(i)
			}
			value, err := e.input(Input{Operation: "CREATE", Object: obj(t, doc(list, items))})
			if err != nil {
				t.Fatal(err)
			}
			c := &evalCounter{}
			if _, err := e.query.Load().Eval(ctx, rego.EvalParsedInput(value), rego.EvalQueryTracer(c)); err != nil {
				t.Fatal(err)
			}
			return c.n
		}
		small, large := cost(100), cost(200)
		if ratio := float64(large) / float64(small); ratio > 2.5 {
			t.Errorf("%s: %d expressions for 100 entries, %d for 200 (%.1fx): a rule's cost grows faster than the list", list, small, large, ratio)
		} else {
			t.Logf("%s: %d expressions for 100 entries, %d for 200 (%.1fx)", list, small, large, ratio)
		}
	}
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
	}
	checkLinear(t, lists, func(list string, items []string) string {
		spec := map[string]string{
			"sources":     "[{kind: ServiceAccount, name: sa, namespace: ns}]",
			"hosts":       "[a.example.com]",
			"ipAddresses": "[10.0.0.0/8]",
			"ports":       "[{number: 80, protocol: http}, {number: 5432, protocol: tcp-server-first}]",
		}
		spec[list] = "[" + strings.Join(items, ", ") + "]"
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
