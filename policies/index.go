package policies

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// inventoryIndex computes the lookup tables rego/index defines (index):
// PrepareInventories builds the same tables, part by part.
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
// Names and namespaces are strings on anything the API server stores; a
// table here leaves out an UpstreamTrafficSetting or Namespace whose name
// or namespace is not one (the schema rules report it), where Rego would
// key it by its JSON text.
func inventoryIndex(inv *Inventory) map[string]any {
	idx := egressIndex(inv.Egresses)
	for k, v := range upstreamIndex(inv.UpstreamTrafficSettings) {
		idx[k] = v
	}
	for k, v := range namespaceIndex(inv.Namespaces) {
		idx[k] = v
	}
	return idx
}

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
		name, ok1 := meta["name"].(string)
		ns, ok2 := meta["namespace"].(string)
		if ok1 && ok2 {
			addTo(namespaces, name, ns)
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

// egressIndex computes the Egress tables: egress_ids, egress_server_first and
// egress_not_server_first.
func egressIndex(egresses []map[string]any) map[string]any {
	ids := make([]string, 0, len(egresses))
	tables := map[bool]map[string]map[indexEntry]bool{true: {}, false: {}}
	for _, e := range egresses {
		id := objectID(e)
		ids = append(ids, id)
		spec, _ := e["spec"].(map[string]any)
		accounts := serviceAccounts(spec["sources"])
		if len(accounts) == 0 {
			continue
		}
		for _, p := range members(spec["ports"]) {
			port, _ := p.(map[string]any)
			number, ok := formatInt(port["number"])
			if !ok {
				continue
			}
			protocol, ok := port["protocol"].(string)
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
				table[key][indexEntry{id: id, protocol: protocol}] = true
			}
		}
	}
	sort.Strings(ids)
	idList := make([]any, len(ids))
	for i, id := range ids {
		idList[i] = id
	}
	return map[string]any{
		"egressIds":            idList,
		"egressServerFirst":    indexTable(tables[true]),
		"egressNotServerFirst": indexTable(tables[false]),
	}
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

// serviceAccounts are the "namespace/name" of the ServiceAccount sources
// with a non-empty name and namespace, without repeats (kube.accounts).
func serviceAccounts(sources any) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range members(sources) {
		src, _ := s.(map[string]any)
		if src["kind"] != "ServiceAccount" {
			continue
		}
		name, _ := src["name"].(string)
		namespace, _ := src["namespace"].(string)
		if name == "" || namespace == "" {
			continue
		}
		if a := namespace + "/" + name; !seen[a] {
			seen[a] = true
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

// objectID is kube.id: "namespace/name", each "" when absent.
func objectID(o map[string]any) string {
	meta, _ := o["metadata"].(map[string]any)
	return idPart(meta, "namespace") + "/" + idPart(meta, "name")
}

func idPart(meta map[string]any, key string) string {
	v, ok := meta[key]
	if !ok {
		return ""
	}
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return "null"
	}
	if n, ok := formatInt(v); ok {
		return n
	}
	return fmt.Sprint(v) // not a name the API server takes; the schema rules say so
}

// formatInt is format_int(n, 10) for a number: its integer part, in decimal.
func formatInt(v any) (string, bool) {
	switch x := v.(type) {
	case int:
		return strconv.Itoa(x), true
	case int32:
		return strconv.FormatInt(int64(x), 10), true
	case int64:
		return strconv.FormatInt(x, 10), true
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
	return strconv.FormatFloat(math.Trunc(f), 'f', 0, 64), true
}
