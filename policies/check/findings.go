package check

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/meshguard/meshguard/policies"
	"github.com/meshguard/meshguard/policies/source"
)

// What a finding of a script's command says when meshguard does not know
// all of what the command sends (a shell expansion's value).

// withoutUnknown drops the findings about a value a shell expansion of a
// script stands for, which meshguard does not know: a finding on a field
// whose value (or name) holds a placeholder or on a field below one, and a
// finding whose message quotes another object's unknown value (a Pod judged
// by its Namespace's annotation). A finding on a field above one stays (a
// misspelled field name is known whatever its value), and so does one that
// only names the object's own unknown value on its way (a misspelled
// protocol "on port $PORT").
func withoutUnknown(fs []policies.Finding, obj map[string]any, own map[string]string, values map[string]bool) []policies.Finding {
	paths := unknownPaths(obj)
	kept := fs[:0]
	for _, f := range fs {
		about := false
		for _, p := range paths {
			if f.Path != "" && (f.Path == p || strings.HasPrefix(f.Path, p+".") || strings.HasPrefix(f.Path, p+"[")) {
				about = true
				break
			}
		}
		if !about && strings.Contains(f.Message, source.Placeholder) {
			for token := range values {
				if _, mine := own[token]; !mine && strings.Contains(f.Message, token) {
					about = true
					break
				}
			}
		}
		if !about {
			kept = append(kept, f)
		}
	}
	return kept
}

// unknownPaths are the field paths of obj whose name or value holds a
// placeholder, written as the rules write paths (spec.ports[0].number,
// metadata.annotations["openservicemesh.io/sidecar-injection"]).
func unknownPaths(obj map[string]any) []string {
	var paths []string
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				p := pathJoin(path, k)
				if strings.Contains(k, source.Placeholder) {
					paths = append(paths, p)
					continue
				}
				walk(p, e)
			}
		case []any:
			for i, e := range x {
				walk(fmt.Sprintf("%s[%d]", path, i), e)
			}
		case string:
			if strings.Contains(x, source.Placeholder) {
				paths = append(paths, path)
			}
		}
	}
	walk("", obj)
	return paths
}

// pathJoin appends a field to a path: .name, or ["name"] for a name that
// is not a plain word (annotation keys).
func pathJoin(path, k string) string {
	plain := k != ""
	for _, c := range k {
		if !(c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			plain = false
			break
		}
	}
	switch {
	case !plain:
		return fmt.Sprintf("%s[%q]", path, k)
	case path == "":
		return k
	}
	return path + "." + k
}

// valueTokens adds to into the placeholders of obj that stand for values
// rather than its name or namespace (which other objects' messages name, as
// ids).
func valueTokens(obj map[string]any, into map[string]bool) {
	var walk func(v any, isName bool)
	walk = func(v any, isName bool) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				for _, t := range tokenPattern.FindAllString(k, -1) {
					into[t] = true
				}
				walk(e, false)
			}
		case []any:
			for _, e := range x {
				walk(e, false)
			}
		case string:
			if !isName {
				for _, t := range tokenPattern.FindAllString(x, -1) {
					into[t] = true
				}
			}
		}
	}
	for k, e := range obj {
		if meta, ok := e.(map[string]any); ok && k == "metadata" {
			for mk, me := range meta {
				walk(me, mk == "name" || mk == "namespace")
			}
			continue
		}
		walk(e, false)
	}
}

// tokenPattern matches the placeholders source gives shell expansions.
var tokenPattern = regexp.MustCompile(source.Placeholder + `_[0-9a-f]+_[0-9]+_[0-9]+_`)

// named shows each placeholder in a finding's message as the shell
// expansion it stands for.
func named(fs []policies.Finding, names map[string]string) {
	for i := range fs {
		fs[i].Message = source.ShowExpansions(fs[i].Message, names)
	}
}
