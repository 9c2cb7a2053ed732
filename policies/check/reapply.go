package check

import (
	"github.com/meshguard/meshguard/policies"
	"github.com/meshguard/meshguard/policies/source"
)

// A script or runbook often applies the same Egress policy more than once
// (a first version, then a fix; or the same here-document in two
// sections). On a cluster the second kubectl apply (or replace) updates
// what the first created: the webhook judges an UPDATE, denies nothing the
// stored policy already had and does not repeat the warnings it already
// drew. reapplies makes validate judge such a command alike, against the
// policy as the file's commands above it left it: the last one applied
// that was not denied at admission (a denied apply stores nothing), unless
// a delete between removed it. A replace --force creates the policy anew.

// attempt is a command of a script that applied an Egress policy.
type attempt struct {
	at     source.At
	object map[string]any
	// base is the policy as stored before the command (nil: none).
	base *attempt
	// judged is closed once the command's findings are known; denied then
	// says whether one of them denies it.
	judged chan struct{}
	denied bool
}

// reapplies follows, per file and policy, the Egress applies of the
// scripts and runbooks that pass 2 reads, in their order.
type reapplies struct {
	view *view
	last map[string]*attempt
	// byFile is manifestEgresses, once a delete needs it.
	byFile map[string][]string
}

// reapplied returns, for a document a command of a script applies, the
// policy as stored before it (nil: the command creates it) and the attempt
// to settle once the document is judged (nil: not followed). It waits for
// the verdicts of the file's earlier applies of the same policy.
func (r *reapplies) reapplied(d *source.Document) (stored map[string]any, a *attempt) {
	if d.Command.Line == 0 || d.Patch != nil || d.DryRun || !isKind(d, "policy.openservicemesh.io", "Egress") {
		return nil, nil
	}
	if d.Verb != "apply" && d.Verb != "replace" && d.Verb != "create" {
		return nil, nil
	}
	if r.last == nil {
		r.last = map[string]*attempt{}
	}
	id := policies.ObjectID(d.Object)
	key := d.File + "\x00" + id
	base := r.last[key]
	if base != nil {
		<-base.judged
		if base.denied {
			base = base.base
		}
	}
	if base != nil && r.deletedBetween(d.File, id, base.at, d.At()) {
		base = nil
	}
	if base != nil && d.Verb == "create" {
		// kubectl create of a policy that exists fails (AlreadyExists):
		// judged as the create it asks for, it stores nothing.
		return nil, nil
	}
	a = &attempt{at: d.At(), object: d.Object, base: base, judged: make(chan struct{})}
	r.last[key] = a
	if base != nil && !d.Force { // replace --force deletes it, then creates it
		stored = base.object
	}
	return stored, a
}

// settle records the verdict of an attempt's document.
func (a *attempt) settle(denied bool) {
	a.denied = denied
	close(a.judged)
}

// deletedBetween reports whether a kubectl delete of file, after from and
// before to, removes the policy id, or may (a delete meshguard cannot read
// in full).
func (r *reapplies) deletedBetween(file, id string, from, to source.At) bool {
	for i := range r.view.deletions[file] {
		del := &r.view.deletions[file][i]
		if !from.Before(del.At) || !del.At.Before(to) {
			continue
		}
		if del.Unknown {
			return true // it may have: the next apply may create it anew
		}
		if r.byFile == nil {
			r.byFile = r.view.manifestEgresses()
		}
		if r.view.deletedIDs(del, []string{id}, r.byFile)[id] {
			return true
		}
	}
	return false
}
