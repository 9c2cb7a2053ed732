package policies

import (
	"encoding/json"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
)

// sidecarResourceFacts tells Rego what it cannot compute exactly about the
// values of a MeshConfig's spec.sidecar.resources (input.facts.sidecarResources):
// Kubernetes quantities go from nano units to exa binary multiples, and OPA's
// units.parse neither knows the n and u suffixes nor keeps large values exact.
// For each limits and requests value that is a quantity:
//
//	quantity  its canonical form, as the API server prints it in its errors (200m, 1Gi)
//	sign      -1, 0 or 1
//	whole     whether it is a whole number, as the API server's integer check
//	          has it (its value in milli units, rounded up, divides by 1000)
//	pageMultiple  for hugepages-<size>, whether it is a whole number of pages
//
// and, under requestVsLimit, for each name with both a request and a limit,
// the request compared with the limit as the API server compares them
// (resource.Quantity.Cmp: -1, 0 or 1). Values that are not quantities are
// left out: MG1010 reports them. It returns nil for other objects.
func sidecarResourceFacts(obj map[string]any) map[string]any {
	if kind, _ := obj["kind"].(string); kind != "MeshConfig" {
		return nil
	}
	if v, _ := obj["apiVersion"].(string); !strings.HasPrefix(v, "config.openservicemesh.io/") {
		return nil
	}
	spec, _ := obj["spec"].(map[string]any)
	sidecar, _ := spec["sidecar"].(map[string]any)
	res, _ := sidecar["resources"].(map[string]any)
	if res == nil {
		return nil
	}
	parsed := map[string]map[string]resource.Quantity{}
	facts := map[string]any{}
	for _, kind := range []string{"limits", "requests"} {
		list, _ := res[kind].(map[string]any)
		parsed[kind] = map[string]resource.Quantity{}
		entries := map[string]any{}
		for name, v := range list {
			q, ok := quantity(v)
			if !ok {
				continue
			}
			// The API server rounds every value up to milli units before it
			// judges it (SetDefaults_ResourceList, pkg/apis/core/v1): 100500u
			// is 101m, as is 100400u.
			q.RoundUp(-3)
			parsed[kind][name] = q
			entry := map[string]any{
				"quantity": q.String(),
				"sign":     q.Sign(),
				"whole":    q.MilliValue()%1000 == 0,
			}
			if size, ok := strings.CutPrefix(name, "hugepages-"); ok {
				entry["pageMultiple"] = pageMultiple(size, q)
			}
			entries[name] = entry
		}
		facts[kind] = entries
	}
	cmp := map[string]any{}
	for name, req := range parsed["requests"] {
		if lim, ok := parsed["limits"][name]; ok {
			cmp[name] = req.Cmp(lim)
		}
	}
	facts["requestVsLimit"] = cmp
	return facts
}

// pageMultiple reports whether q is a whole number of huge pages of size
// (the name's suffix, hugepages-2Mi), as the API server requires
// (IsHugePageResourceValueDivisible, pkg/apis/core/helper): a size that is
// no positive whole quantity of bytes divides nothing.
func pageMultiple(size string, q resource.Quantity) bool {
	page, err := resource.ParseQuantity(size)
	if err != nil || page.Sign() <= 0 || page.MilliValue()%1000 != 0 {
		return false
	}
	return q.Value()%page.Value() == 0
}

// quantity decodes v as corev1.ResourceRequirements does: a string or a JSON
// number is parsed as a quantity; anything else does not decode.
func quantity(v any) (resource.Quantity, bool) {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case json.Number:
		s = x.String()
	case float64:
		s = strconv.FormatFloat(x, 'g', -1, 64)
	case int:
		s = strconv.Itoa(x)
	case int64:
		s = strconv.FormatInt(x, 10)
	case uint64:
		s = strconv.FormatUint(x, 10)
	default:
		return resource.Quantity{}, false
	}
	q, err := resource.ParseQuantity(s)
	return q, err == nil
}
