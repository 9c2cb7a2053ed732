package source

import (
	"path/filepath"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// Deletion is a kubectl delete in a script that removes Egress policies:
// by name, with their namespace, or with the manifests that hold them. From
// its place on they are gone from the cluster the script builds.
type Deletion struct {
	At At
	// Egresses are the policies deleted by name. A Namespace of "" is
	// kubectl's current namespace, which meshguard does not know: any.
	Egresses []Name
	// Namespaces are deleted, or have all their Egress policies deleted
	// (delete egress --all -n NS). AllNamespaces is every Egress policy:
	// --all with -A, or with a namespace meshguard does not know.
	Namespaces    []string
	AllNamespaces bool
	// Files are the manifests named with -f, resolved against the script's
	// folder (a folder with its subfolders when Recursive): the Egress
	// policies they hold are deleted.
	Files     []string
	Recursive bool
	// Unknown is a delete of Egress policies (or namespaces) meshguard
	// cannot read in full: a label selector, a name or file from a shell
	// expansion, -f - or a URL. What it removes is not known: the timeline
	// keeps every policy (one kept counts as one the mesh has, which errs
	// on the side of the warnings users already get), and a later apply of
	// a policy is not taken for an update of what it may have removed.
	Unknown bool
}

// Name is a namespaced object's name.
type Name struct{ Namespace, Name string }

// deletion reports a kubectl delete that removes Egress policies. One
// meshguard cannot read in full (a label selector, a name or file from a
// shell expansion, -f - or a URL) is reported as Unknown; one in a
// function's body is left out (it runs where the function is called, if
// at all).
func (s *Script) deletion(k *kubectl, redirs []*syntax.Redirect, upstream *syntax.Stmt) {
	if s.Delete == nil || s.cmd.dryRun || s.inFunction {
		return
	}
	d := Deletion{At: s.cmd.at}
	unknown := func() {
		if len(k.args) == 0 || k.dynamic["filename"] || mayDeleteEgress(k.args[0]) {
			s.Delete(Deletion{At: s.cmd.at, Unknown: true})
		}
	}
	if hasFlag(k, "selector") || hasFlag(k, "field-selector") {
		if len(k.files) == 0 {
			unknown()
		}
		return
	}
	ns := k.namespace
	if k.dynamic["namespace"] {
		ns = ""
	}
	all := hasFlag(k, "all")
	everywhere := hasFlag(k, "all-namespaces") || hasFlag(k, "A")
	if len(k.files) > 0 {
		for i, f := range k.files {
			if i < len(k.fileWords) {
				if w := s.writtenFor(k.fileWords[i]); w != nil {
					// A file the script wrote: the policies it wrote there.
					s.deletedIn(w, ns, &d)
					continue
				}
			}
			if k.dynamic["filename"] {
				s.Delete(Deletion{At: s.cmd.at, Unknown: true})
				return
			}
			if isStdin(f) {
				// Standard input: a file the script wrote, or files
				// redirected in or sent by cat.
				if w := s.stdinWritten(redirs, upstream); w != nil {
					s.deletedIn(w, ns, &d)
					continue
				}
				files, ok := s.inputFiles(redirs, upstream)
				if !ok {
					d.Unknown = true
					continue
				}
				for _, f := range files {
					if w := s.written[s.fileID(f)]; w != nil {
						s.deletedIn(w, ns, &d)
					} else {
						d.Files = append(d.Files, filepath.Clean(s.path(f)))
					}
				}
				continue
			}
			if f == "" || strings.Contains(f, "://") {
				d.Unknown = true
				continue
			}
			if !filepath.IsAbs(f) {
				f = filepath.Join(s.Dir, f)
			}
			d.Files = append(d.Files, filepath.Clean(f))
		}
		d.Recursive = hasFlag(k, "recursive") && k.flags["recursive"] != "false"
		s.reportDeletion(d)
		return
	}
	if len(k.args) == 0 {
		return
	}
	name := func(kind, n string) {
		switch {
		case n == "" && (isNamespaceResource(kind) || isEgressResource(kind)):
			d.Unknown = true // a name from a shell expansion
		case isNamespaceResource(kind):
			d.Namespaces = append(d.Namespaces, n)
		case isEgressResource(kind):
			d.Egresses = append(d.Egresses, Name{Namespace: ns, Name: n})
		}
	}
	if strings.Contains(k.args[0], "/") {
		// kubectl delete egress/a egress/b ns/c
		for _, a := range k.args {
			kind, n, _ := strings.Cut(a, "/")
			name(kind, n)
		}
		s.reportDeletion(d)
		return
	}
	kinds := strings.Split(k.args[0], ",")
	for _, kind := range kinds {
		switch {
		case kind == "":
			d.Unknown = true // a kind from a shell expansion
		case all && isEgressResource(kind) && (everywhere || ns == ""):
			d.AllNamespaces = true
		case all && isEgressResource(kind):
			d.Namespaces = append(d.Namespaces, ns)
		}
		for _, n := range k.args[1:] {
			name(kind, n)
		}
	}
	s.reportDeletion(d)
}

// deletedIn adds to d what kubectl delete -f removes of a file the script
// wrote: the Egress policies and namespaces of its here-documents, or, when
// meshguard cannot know what the file holds, what it may hold, unknown.
func (s *Script) deletedIn(w *writtenFile, ns string, d *Deletion) {
	if w.changer != "" || !piecesJoin(w.pieces) {
		d.Unknown = true
		return
	}
	for _, h := range w.pieces {
		_ = DecodeYAMLBytes(s.File, h.body, 0, func(doc *Document) error {
			switch {
			case doc.Kind() == "Namespace":
				d.Namespaces = append(d.Namespaces, ShowExpansions(doc.Name(), h.unknown))
			case isEgressResource(doc.Kind()) && groupOf(doc.APIVersion()) == "policy.openservicemesh.io":
				d.Egresses = append(d.Egresses, Name{Namespace: orDefault(doc.Namespace(), ns), Name: ShowExpansions(doc.Name(), h.unknown)})
			}
			return nil
		})
		if len(h.unknown) > 0 {
			d.Unknown = true
		}
	}
}

func (s *Script) reportDeletion(d Deletion) {
	if d.Unknown {
		// Read in part: the parts read still delete what they name.
		s.Delete(Deletion{At: d.At, Unknown: true})
	}
	d.Unknown = false
	if len(d.Egresses) > 0 || len(d.Namespaces) > 0 || d.AllNamespaces || len(d.Files) > 0 {
		s.Delete(d)
	}
}

// mayDeleteEgress reports whether kubectl delete of kinds (a comma list, as
// written) may remove Egress policies: an Egress or Namespace kind, or a
// kind from a shell expansion.
func mayDeleteEgress(kinds string) bool {
	if kinds == "" || strings.Contains(kinds, Placeholder) || strings.ContainsAny(kinds, "$`") {
		return true
	}
	for _, kind := range strings.Split(kinds, ",") {
		kind, _, _ = strings.Cut(kind, "/")
		if isEgressResource(kind) || isNamespaceResource(kind) {
			return true
		}
	}
	return false
}

func isEgressResource(name string) bool {
	r, ok := LookupResource(name)
	return ok && r.Kind == "Egress"
}

// isNamespaceResource reports whether kubectl reads name as the Namespace
// resource.
func isNamespaceResource(name string) bool {
	switch strings.ToLower(name) {
	case "ns", "namespace", "namespaces", "namespace.v1", "namespaces.v1":
		return true
	}
	return false
}
