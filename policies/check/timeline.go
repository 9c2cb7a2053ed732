package check

import (
	"path/filepath"
	"sort"
	"strings"

	"github.com/meshguard/meshguard/policies"
	"github.com/meshguard/meshguard/policies/source"
)

// A script or runbook also changes which Egress policies the mesh has as
// its lines run: a policy it applies is not there above that line, one it
// deletes (kubectl delete egress NAME, delete -f FILE, delete namespace NS)
// is gone below it. A runbook that turns egress passthrough on before it
// creates its first policy, or after it deleted its last, is not told that
// the mesh has policies that passthrough makes useless (MG3002, MG3003).
//
// Policies from elsewhere (a manifest the script does not apply) are there
// from the first line, as the cluster the script runs on has them, until the
// script deletes them.

// maxTimeScopes bounds the scopes one file's timeline adds: each is one more
// inventory to index. A script that changes its policies more often than
// that is judged against all of them throughout, as before.
const maxTimeScopes = 64

// egressEvent is a command of a script that applies or deletes policies.
type egressEvent struct {
	at source.At
	// apply holds the ids an apply adds; del the deletion, for a delete.
	apply []string
	del   *source.Deletion
}

// deleted records a script's kubectl delete of Egress policies.
func (v *view) deleted(file string, d source.Deletion) {
	if v.deletions == nil {
		v.deletions = map[string][]source.Deletion{}
	}
	v.deletions[file] = append(v.deletions[file], d)
}

// documentAt records where a document of a script or runbook stands.
func (v *view) documentAt(d *source.Document) {
	if v.docsAt == nil {
		v.docsAt = map[string][]source.At{}
	}
	v.docsAt[d.File] = append(v.docsAt[d.File], d.At())
}

// timeScopes adds, for each document of a script or runbook that runs
// before some of the script's policies are applied or after some are
// deleted, a scope without them, and notes it in timeKeys.
func (v *view) timeScopes() {
	var byFile map[string][]string // manifestEgresses, once there is a file to follow
	for file, docs := range v.docsAt {
		if byFile == nil {
			byFile = v.manifestEgresses()
		}
		events := v.egressEvents(file, byFile)
		if len(events) == 0 || len(events) > maxTimeEvents || len(docs) == 0 {
			continue
		}
		// Every scope of one file has the same policies (steps change only
		// the MeshConfig): the ids each event concerns are found once.
		history := v.histories(events, v.scopes[v.scriptScopeKey(file, docs[0])], byFile)
		keys := map[source.At]string{}
		var created []string
		for _, at := range docs {
			if _, done := keys[at]; done {
				continue
			}
			base := v.scriptScopeKey(file, at)
			inv := v.scopes[base]
			if inv == nil {
				continue
			}
			gone := goneAt(at, history)
			if len(gone) == 0 {
				continue
			}
			ids := make([]string, 0, len(gone))
			for id := range gone {
				ids = append(ids, id)
			}
			sort.Strings(ids)
			k := "time\x00" + base + "\x00" + strings.Join(ids, "\x00")
			if _, ok := v.scopes[k]; !ok {
				if len(created) == maxTimeScopes {
					// Too many to index: the file is judged against all its
					// policies throughout, and the scopes made go.
					for _, c := range created {
						delete(v.scopes, c)
					}
					keys = nil
					break
				}
				v.scopes[k] = without(inv, gone)
				created = append(created, k)
			}
			keys[at] = k
		}
		if len(keys) > 0 {
			if v.timeKeys == nil {
				v.timeKeys = map[string]map[source.At]string{}
			}
			v.timeKeys[file] = keys
		}
	}
}

// maxTimeEvents bounds the applies and deletes of one file that a timeline
// follows; a script with more is judged against all its policies throughout.
const maxTimeEvents = 256

// idEvent is an apply (or a delete) of one policy.
type idEvent struct {
	at    source.At
	apply bool
}

// histories are, by policy id, the events of a file that apply or delete
// it, in the file's order: ids its applies name, and the policies of inv a
// delete removes.
func (v *view) histories(events []egressEvent, inv *policies.Inventory, byFile map[string][]string) map[string][]idEvent {
	var universe []string
	if inv != nil {
		for _, e := range inv.Egresses {
			universe = append(universe, policies.ObjectID(e))
		}
		for _, s := range inv.EgressSummaries {
			universe = append(universe, s.ID)
		}
	}
	out := map[string][]idEvent{}
	for _, e := range events {
		if e.del == nil {
			for _, id := range e.apply {
				out[id] = append(out[id], idEvent{at: e.at, apply: true})
			}
			continue
		}
		for id := range v.deletedIDs(e.del, universe, byFile) {
			out[id] = append(out[id], idEvent{at: e.at})
		}
	}
	return out
}

// goneAt returns the ids of the policies that are not in the cluster when
// the command at at runs: applied by the file below at (and not above), or
// deleted above it and not applied again since.
func goneAt(at source.At, history map[string][]idEvent) map[string]bool {
	gone := map[string]bool{}
	for id, events := range history {
		state := 0 // 0: no event above at, 1: applied, 2: deleted
		appliedLater := false
		for _, e := range events {
			// e.at <= at: the document's own command applies it too.
			switch above := !at.Before(e.at); {
			case above && e.apply:
				state = 1
			case above:
				state = 2
			case e.apply && state == 0:
				appliedLater = true
			}
		}
		if state == 2 || state == 0 && appliedLater {
			gone[id] = true
		}
	}
	return gone
}

// scriptScopeKey is the scope a document of a script at at is judged in,
// as inventoryFor finds it, before the timeline.
func (v *view) scriptScopeKey(file string, at source.At) string {
	if i, ok := v.stepBefore(file, at, nil); ok {
		return stepKey(file, i)
	}
	if _, ok := v.scopes[scriptKey(file)]; ok {
		return scriptKey(file)
	}
	k, _ := v.meshConfigFor(file)
	return k
}

// egressEvents are the commands of file that apply or delete Egress
// policies, in the file's order: its own policies (a here-document, a YAML
// block), the manifests it applies with -f, and its deletes.
func (v *view) egressEvents(file string, byFile map[string][]string) []egressEvent {
	var events []egressEvent
	for _, e := range v.egresses {
		if e.file == file {
			events = append(events, egressEvent{at: e.at, apply: []string{e.id}})
		}
	}
	for manifest, points := range v.appliedAt {
		ids := byFile[manifest]
		if len(ids) == 0 {
			continue
		}
		for _, p := range points {
			if p.script == file {
				events = append(events, egressEvent{at: p.at, apply: ids})
			}
		}
	}
	for i := range v.deletions[file] {
		events = append(events, egressEvent{at: v.deletions[file][i].At, del: &v.deletions[file][i]})
	}
	sort.SliceStable(events, func(i, j int) bool { return events[i].at.Before(events[j].at) })
	return events
}

// manifestEgresses are the ids of the Egress policies of each manifest
// file, by absolute name.
func (v *view) manifestEgresses() map[string][]string {
	out := map[string][]string{}
	for _, e := range v.egresses {
		if v.isManifest(e.file) {
			a := v.abs(e.file)
			out[a] = append(out[a], e.id)
		}
	}
	return out
}

// deleted returns the ids among universe that a kubectl delete removes.
func (v *view) deletedIDs(d *source.Deletion, universe []string, byFile map[string][]string) map[string]bool {
	out := map[string]bool{}
	// -f: the policies the files hold, by id (the same object, wherever
	// else it is written).
	inFiles := map[string]bool{}
	for _, f := range d.Files {
		f = v.abs(f)
		for file, ids := range byFile {
			if under(file, f, d.Recursive) {
				for _, id := range ids {
					inFiles[id] = true
				}
			}
		}
	}
	for _, id := range universe {
		if inFiles[id] || deletesByName(d, id) {
			out[id] = true
		}
	}
	return out
}

// deletesByName reports whether a kubectl delete names the policy id, or
// its namespace, or every policy. A manifest without a namespace goes
// wherever it is applied (kubectl apply -n curl -f egress.yaml), so its
// policy is in any namespace a delete names, as a delete without -n names
// a policy in any namespace.
func deletesByName(d *source.Deletion, id string) bool {
	if d.AllNamespaces {
		return true
	}
	ns, name, _ := strings.Cut(id, "/")
	for _, n := range d.Namespaces {
		if n == ns || ns == "" {
			return true
		}
	}
	for _, n := range d.Egresses {
		if n.Name == name && (n.Namespace == "" || ns == "" || n.Namespace == ns) {
			return true
		}
	}
	return false
}

// under reports whether file is path or, path being a folder, one of the
// files kubectl -f reads in it (in its subfolders too with -R).
func under(file, path string, recursive bool) bool {
	if file == path {
		return true
	}
	if recursive {
		return strings.HasPrefix(file, path+string(filepath.Separator))
	}
	return filepath.Dir(file) == path
}

// without is a copy of inv without the policies gone.
func without(inv *policies.Inventory, gone map[string]bool) *policies.Inventory {
	out := *inv
	out.Egresses = nil
	for _, e := range inv.Egresses {
		if !gone[policies.ObjectID(e)] {
			out.Egresses = append(out.Egresses, e)
		}
	}
	out.EgressSummaries = nil
	for _, s := range inv.EgressSummaries {
		if !gone[s.ID] {
			out.EgressSummaries = append(out.EgressSummaries, s)
		}
	}
	if out.Egresses == nil {
		out.Egresses = []map[string]any{}
	}
	return &out
}
