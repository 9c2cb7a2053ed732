package policies

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// The lookup tables rego/index defines (index) are built here, in Go, for
// PrepareInventories: egressIndex, upstreamIndex and namespaceIndex.
//
// They are plumbing, not judgement: keys built from a few fields of every
// object. In Rego they cost tens of microseconds per object (a sprintf, a
// format_int and a set per port and source), so a view of 10,000 Egress
// policies took most of a second, on one core, before any document was
// judged, and every MeshConfig scope of a validate run indexed the same
// UpstreamTrafficSettings again; here an object costs about a microsecond.
// rego/index stays the definition (it indexes an inventory that comes without
// an index, as in the rule tests), and TestIndexMatchesRego holds the two to
// the same output.
//
// Names and namespaces are strings on anything the API server stores. For
// one that is not (a file may hold it), ids and upstream_namespaces' keys are
// its JSON text, as in Rego; upstream_namespaces leaves out a namespace and
// namespace_labels a Namespace that is not a string, where Rego would keep
// them (a message may then name fewer namespaces; no verdict changes).

// upstreamIndex computes upstream_ids, upstream_hosts and upstream_namespaces.
func upstreamIndex(upstreams []map[string]any) map[string]any {
	ids := map[string]any{}
	hosts := map[string]map[string]bool{}
	namespaces := map[string]map[string]bool{}
	for _, u := range upstreams {
		id := objectID(u)
		ids[id] = true
		if spec, _ := u["spec"].(map[string]any); spec != nil {
			if host, ok := spec["host"].(string); ok {
				addTo(hosts, host, id)
			}
		}
		meta, _ := u["metadata"].(map[string]any)
		_, named := meta["name"]
		ns, ok := meta["namespace"].(string)
		if named && ok {
			addTo(namespaces, idPart(meta, "name"), ns)
		}
	}
	return map[string]any{"upstreamIds": ids, "upstreamHosts": sortedSets(hosts), "upstreamNamespaces": sortedSets(namespaces)}
}

// namespaceIndex computes namespace_labels.
func namespaceIndex(namespaces []map[string]any) map[string]any {
	labels := map[string]any{}
	for _, n := range namespaces {
		meta, _ := n["metadata"].(map[string]any)
		name, ok := meta["name"].(string)
		if !ok {
			continue
		}
		if _, seen := labels[name]; seen {
			continue // the first description wins
		}
		if l, ok := meta["labels"]; ok {
			labels[name] = l
		} else {
			labels[name] = map[string]any{}
		}
	}
	return map[string]any{"namespaceLabels": labels}
}

func addTo(m map[string]map[string]bool, key, value string) {
	if m[key] == nil {
		m[key] = map[string]bool{}
	}
	m[key][value] = true
}

// sortedSets turns each key's set into a sorted list.
func sortedSets(m map[string]map[string]bool) map[string]any {
	out := make(map[string]any, len(m))
	for k, set := range m {
		list := make([]string, 0, len(set))
		for v := range set {
			list = append(list, v)
		}
		sort.Strings(list)
		items := make([]any, len(list))
		for i, v := range list {
			items[i] = v
		}
		out[k] = items
	}
	return out
}

// EgressSummary is what the index reads of an Egress policy (rego/index): its
// namespace/name, each port's number and protocol and each source's kind,
// name and namespace, as decoded (the index skips what it cannot use, as the
// Rego does). It takes a tenth of the memory of the policy kept as maps, so a
// caller holding many policies for an inventory (validate's view) keeps these
// (Inventory.EgressSummaries).
type EgressSummary struct {
	// ID is "namespace/name" (kube.id).
	ID      string
	Ports   []EgressPort
	Sources []EgressSource
}

// EgressPort is a port of an Egress policy.
type EgressPort struct{ Number, Protocol any }

// EgressSource is a source of an Egress policy.
type EgressSource struct{ Kind, Name, Namespace any }

// SummarizeEgress returns what the index reads of an Egress policy.
func SummarizeEgress(e map[string]any) EgressSummary {
	s := EgressSummary{ID: objectID(e)}
	spec, _ := e["spec"].(map[string]any)
	for _, p := range members(spec["ports"]) {
		if m, ok := p.(map[string]any); ok {
			s.Ports = append(s.Ports, EgressPort{Number: m["number"], Protocol: m["protocol"]})
		}
	}
	for _, src := range members(spec["sources"]) {
		if m, ok := src.(map[string]any); ok {
			s.Sources = append(s.Sources, EgressSource{Kind: m["kind"], Name: m["name"], Namespace: m["namespace"]})
		}
	}
	return s
}

// egressIndex computes the Egress tables: egress_ids, egress_server_first and
// egress_not_server_first.
func egressIndex(egresses []EgressSummary) map[string]any {
	ids := make([]string, 0, len(egresses))
	tables := map[bool]map[string]map[indexEntry]bool{true: {}, false: {}}
	for _, e := range egresses {
		ids = append(ids, e.ID)
		accounts := serviceAccounts(e.Sources)
		if len(accounts) == 0 {
			continue
		}
		for _, port := range e.Ports {
			number, ok := formatInt(port.Number)
			if !ok {
				continue
			}
			protocol, ok := port.Protocol.(string)
			if !ok {
				continue
			}
			protocol = strings.ToLower(protocol)
			if !egressProtocols[protocol] {
				continue
			}
			table := tables[protocol == "tcp-server-first"]
			for _, account := range accounts {
				key := number + "|" + account
				if table[key] == nil {
					table[key] = map[indexEntry]bool{}
				}
				table[key][indexEntry{id: e.ID, protocol: protocol}] = true
			}
		}
	}
	sort.Strings(ids)
	idList := make([]any, 0, len(ids))
	for i, id := range ids {
		if i == 0 || id != ids[i-1] { // the same policy twice is one object
			idList = append(idList, id)
		}
	}
	return map[string]any{
		"egressIds":                 idList,
		"egressServerFirst":         indexTable(tables[true]),
		"egressNotServerFirst":      indexTable(tables[false]),
		"egressServerFirstPorts":    tablePorts(tables[true]),
		"egressNotServerFirstPorts": tablePorts(tables[false]),
	}
}

// summaries are an inventory's Egress policies as the index reads them; nil
// when the inventory does not know them.
func (inv *Inventory) summaries() []EgressSummary {
	if inv.Egresses == nil && inv.EgressSummaries == nil {
		return nil
	}
	out := make([]EgressSummary, 0, len(inv.Egresses)+len(inv.EgressSummaries))
	for _, e := range inv.Egresses {
		out = append(out, SummarizeEgress(e))
	}
	return append(out, inv.EgressSummaries...)
}

// egressProtocols are the protocols osm-edge compiles (kube.egress_protocols).
var egressProtocols = map[string]bool{"http": true, "https": true, "tcp": true, "tcp-server-first": true}

type indexEntry struct{ id, protocol string }

// indexTable turns each key's set of entries into a list sorted by id, then
// protocol: the order in which Rego iterates a set of {id, protocol}.
func indexTable(t map[string]map[indexEntry]bool) map[string]any {
	out := make(map[string]any, len(t))
	for key, set := range t {
		entries := make([]indexEntry, 0, len(set))
		for en := range set {
			entries = append(entries, en)
		}
		sort.Slice(entries, func(i, j int) bool {
			if entries[i].id != entries[j].id {
				return entries[i].id < entries[j].id
			}
			return entries[i].protocol < entries[j].protocol
		})
		list := make([]any, len(entries))
		for i, en := range entries {
			list[i] = map[string]any{"id": en.id, "protocol": en.protocol}
		}
		out[key] = list
	}
	return out
}

// tablePorts are the port numbers of a table's keys ("port|account").
func tablePorts(t map[string]map[indexEntry]bool) map[string]any {
	out := map[string]any{}
	for key := range t {
		port, _, _ := strings.Cut(key, "|")
		out[port] = true
	}
	return out
}

// serviceAccounts are the "namespace/name" of the ServiceAccount sources
// with a non-empty name and namespace, without repeats (kube.accounts).
func serviceAccounts(sources []EgressSource) []string {
	var out []string
	for _, src := range sources {
		if src.Kind != "ServiceAccount" {
			continue
		}
		name, _ := src.Name.(string)
		namespace, _ := src.Namespace.(string)
		if name == "" || namespace == "" {
			continue
		}
		if a := namespace + "/" + name; !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// members are what Rego's `some x in v` visits: an array's elements or an
// object's values.
func members(v any) []any {
	switch x := v.(type) {
	case []any:
		return x
	case map[string]any:
		out := make([]any, 0, len(x))
		for _, e := range x {
			out = append(out, e)
		}
		return out
	}
	return nil
}

// ObjectID is the id the inventory knows an object by (kube.id):
// "namespace/name", each "" when absent.
func ObjectID(o map[string]any) string { return objectID(o) }

// objectID is kube.id: "namespace/name", each "" when absent.
func objectID(o map[string]any) string {
	meta, _ := o["metadata"].(map[string]any)
	return idPart(meta, "namespace") + "/" + idPart(meta, "name")
}

// idPart is a name or namespace in an id: "" when absent, a string as it is,
// anything else as JSON (kube._id_part).
func idPart(meta map[string]any, key string) string {
	v, ok := meta[key]
	if !ok {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(normalize(v))
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// formatInt is format_int(n, 10) for a number: its integer part, in decimal.
func formatInt(v any) (string, bool) {
	switch x := v.(type) {
	case int:
		return strconv.Itoa(x), true
	case int8:
		return strconv.FormatInt(int64(x), 10), true
	case int16:
		return strconv.FormatInt(int64(x), 10), true
	case int32:
		return strconv.FormatInt(int64(x), 10), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case uint:
		return strconv.FormatUint(uint64(x), 10), true
	case uint32:
		return strconv.FormatUint(uint64(x), 10), true
	case uint64:
		return strconv.FormatUint(x, 10), true
	case float32:
		return formatFloatInt(float64(x))
	case float64:
		return formatFloatInt(x)
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return strconv.FormatInt(i, 10), true
		}
		f, err := x.Float64()
		if err != nil {
			return "", false
		}
		return formatFloatInt(f)
	}
	return "", false
}

func formatFloatInt(f float64) (string, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "", false
	}
	t := math.Trunc(f)
	if t == 0 {
		t = 0 // -0.5 truncates to -0, which format_int writes as 0
	}
	return strconv.FormatFloat(t, 'f', 0, 64), true
}
