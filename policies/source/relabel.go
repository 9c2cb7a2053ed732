package source

import (
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// NamespaceChange is a command of a script that changes the labels and
// annotations of namespaces: osm namespace add, remove and ignore, kubectl
// label and annotate of namespaces. Which namespaces osm-edge monitors and
// injects pods of depends on them (spec §4.2).
type NamespaceChange struct {
	At         At
	Namespaces []string
	// Labels and Annotations are what the command sets; a nil value is one
	// it removes.
	Labels, Annotations map[string]*string
	// Overwrite is true when the command replaces a value already set
	// (osm namespace, kubectl --overwrite): without it kubectl refuses to
	// change a label or annotation to another value, and changes nothing.
	Overwrite bool
	// Whole is true when the command sets all that decides whether osm-edge
	// monitors the namespace and injects its pods (osm namespace add and
	// remove): it says so of a namespace meshguard knows nothing else of.
	Whole bool
}

// osmNamespace reads osm namespace add, remove and ignore (cmd/cli
// namespace_add.go and the others): add labels each namespace
// openservicemesh.io/monitored-by=MESH and annotates it for injection
// (disabled with --disable-sidecar-injection); remove takes both away;
// ignore labels it openservicemesh.io/ignore=true. A namespace or mesh
// name from a shell expansion is not known, and the command is passed over.
func (s *Script) osmNamespace(words []*syntax.Word) {
	if s.Relabel == nil || s.inFunction || len(words) == 0 {
		return
	}
	verb, ok := literal(words[0])
	if !ok || verb != "add" && verb != "remove" && verb != "ignore" {
		return
	}
	mesh, disable := "osm", false
	var names []string
	for i := 1; i < len(words); i++ {
		arg, ok := literal(words[i])
		if !ok {
			return
		}
		switch {
		case arg == "--disable-sidecar-injection" || arg == "--disable-sidecar-injection=true":
			disable = true
		case arg == "--disable-sidecar-injection=false":
			disable = false
		case arg == "--mesh-name" && i+1 < len(words):
			i++
			if mesh, ok = literal(words[i]); !ok {
				return
			}
		case strings.HasPrefix(arg, "--mesh-name="):
			mesh = strings.TrimPrefix(arg, "--mesh-name=")
		case arg == "--osm-namespace" || arg == "--namespace" || arg == "-n" || arg == "--kubeconfig" || arg == "--context":
			i++ // global flags with a value
		case strings.HasPrefix(arg, "-"):
		default:
			names = append(names, arg)
		}
	}
	if len(names) == 0 {
		return
	}
	str := func(v string) *string { return &v }
	c := NamespaceChange{At: s.cmd.at, Namespaces: names, Labels: map[string]*string{}, Annotations: map[string]*string{}, Overwrite: true}
	switch verb {
	case "add":
		c.Whole = true
		c.Labels[monitoredByLabel] = str(mesh)
		c.Annotations[injectionAnnotation] = str("enabled")
		if disable {
			c.Annotations[injectionAnnotation] = str("disabled")
		}
	case "remove":
		c.Whole = true
		c.Labels[monitoredByLabel] = nil
		c.Annotations[injectionAnnotation] = nil
	case "ignore":
		c.Labels["openservicemesh.io/ignore"] = str("true")
	}
	s.Relabel(c)
}

const (
	monitoredByLabel    = "openservicemesh.io/monitored-by"
	injectionAnnotation = "openservicemesh.io/sidecar-injection"
)

// relabel reads kubectl label and annotate of namespaces: kubectl label
// namespace NAME... KEY=VALUE... KEY-..., also ns/NAME. One that picks its
// namespaces with a selector or --all, or whose names or values come from
// a shell expansion, is passed over.
func (s *Script) relabel(k *kubectl) {
	if s.Relabel == nil || s.inFunction || s.cmd.dryRun || len(k.args) == 0 {
		return
	}
	if hasFlag(k, "all") || hasFlag(k, "selector") || k.dynamic["selector"] || len(k.files) > 0 || hasFlag(k, "local") {
		return
	}
	c := NamespaceChange{At: s.cmd.at, Overwrite: hasFlag(k, "overwrite")}
	set := map[string]*string{}
	args := k.args
	if !strings.Contains(args[0], "/") {
		if !isNamespaceResource(args[0]) {
			return
		}
		args = args[1:]
	}
	for _, a := range args {
		if a == "" {
			return // from a shell expansion
		}
		// KEY=VALUE and KEY- (a name never ends in "-"), else a
		// namespace: NAME or ns/NAME.
		if key, value, ok := strings.Cut(a, "="); ok {
			set[key] = &value
			continue
		}
		if key, ok := strings.CutSuffix(a, "-"); ok && key != "" {
			set[key] = nil
			continue
		}
		if kind, name, ok := strings.Cut(a, "/"); ok {
			if !isNamespaceResource(kind) {
				return
			}
			c.Namespaces = append(c.Namespaces, name)
			continue
		}
		c.Namespaces = append(c.Namespaces, a)
	}
	if len(c.Namespaces) == 0 || len(set) == 0 {
		return
	}
	if k.verb == "label" {
		c.Labels = set
	} else {
		c.Annotations = set
	}
	s.Relabel(c)
}
