package source

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	jsonpatch "github.com/evanphx/json-patch/v5"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/yaml"
)

// Resource is a kind meshguard can patch, with every name kubectl accepts for it.
type Resource struct {
	APIVersion string
	Kind       string
	names      []string
	// versions are the versions the API server serves the kind in (the
	// CRDs of manifests/crds; TestResourceVersionsAreServed): a name may
	// give one of them.
	versions []string
}

// Resources are the kinds `meshguard validate patch` and kubectl commands in
// scripts are checked for.
var Resources = []Resource{
	{APIVersion: "config.openservicemesh.io/v1alpha2", Kind: "MeshConfig", names: []string{"meshconfig", "meshconfigs"}, versions: []string{"v1alpha1", "v1alpha2"}},
	{APIVersion: "policy.openservicemesh.io/v1alpha1", Kind: "Egress", names: []string{"egress", "egresses"}, versions: []string{"v1alpha1"}},
	{APIVersion: "policy.openservicemesh.io/v1alpha1", Kind: "UpstreamTrafficSetting", names: []string{"upstreamtrafficsetting", "upstreamtrafficsettings"}, versions: []string{"v1alpha1"}},
}

// SplitResourceName reads a kubectl RESOURCE/NAME argument as kubectl's
// resource builder does (k8s.io/cli-runtime pkg/resource, splitResourceTypeName):
// ok is false when arg has no slash. More than one slash, an empty resource
// or name, or several comma-separated resources are errors, in kubectl's
// words: kubectl refuses such an argument and sends nothing.
func SplitResourceName(arg string) (resource, name string, ok bool, err error) {
	if !strings.Contains(arg, "/") {
		return "", "", false, nil
	}
	seg := strings.Split(arg, "/")
	if len(seg) != 2 {
		return "", "", false, fmt.Errorf("arguments in resource/name form may not have more than one slash")
	}
	resource, name = seg[0], seg[1]
	types := strings.Split(resource, ",")
	slices.Sort(types)
	if resource == "" || name == "" || len(slices.Compact(types)) != 1 {
		return "", "", false, fmt.Errorf("arguments in resource/name form must have a single resource and name")
	}
	return resource, name, true, nil
}

// LookupResource resolves a kubectl resource name: singular, plural, short or
// kind.group, with an optional version (egresses.v1alpha1.policy.openservicemesh.io).
// A name that gives a version other than the preferred one
// (meshconfigs.v1alpha1.config.openservicemesh.io) resolves to the kind in
// that version: kubectl sends the request through it. A version the API
// server does not serve resolves to nothing, as kubectl finds no such
// resource type.
func LookupResource(name string) (Resource, bool) {
	name = strings.ToLower(name)
	for _, r := range Resources {
		group := strings.SplitN(r.APIVersion, "/", 2)[0]
		version := strings.SplitN(r.APIVersion, "/", 2)[1]
		for _, n := range append(r.names, strings.ToLower(r.Kind)) {
			if name == n || name == n+"."+group || name == n+"."+version+"."+group {
				return r, true
			}
			// Another version of the group, named explicitly
			// (meshconfigs.v1alpha1.config.openservicemesh.io).
			if rest, ok := strings.CutPrefix(name, n+"."); ok && strings.HasSuffix(rest, "."+group) && slices.Contains(r.versions, strings.TrimSuffix(rest, "."+group)) {
				r.APIVersion = group + "/" + strings.TrimSuffix(rest, "."+group)
				return r, true
			}
		}
	}
	return Resource{}, false
}

// UnservedVersion reports, for a name LookupResource refuses, whether it
// names a kind meshguard knows in a version the API server does not serve
// (meshconfigs.v9.config.openservicemesh.io): that kind and the version.
func UnservedVersion(name string) (r Resource, version string, ok bool) {
	name = strings.ToLower(name)
	for _, r := range Resources {
		group := strings.SplitN(r.APIVersion, "/", 2)[0]
		for _, n := range append(r.names, strings.ToLower(r.Kind)) {
			if rest, found := strings.CutPrefix(name, n+"."); found && strings.HasSuffix(rest, "."+group) {
				if v := strings.TrimSuffix(rest, "."+group); !slices.Contains(r.versions, v) {
					return r, v, true
				}
			}
		}
	}
	return Resource{}, "", false
}

// Versions are the versions the kind is served in.
func (r Resource) Versions() []string { return r.versions }

// OtherVersion reports whether r is its kind in a version other than the
// preferred one, named so in the command (LookupResource): the API server
// then reads the object through that version, without the fields it lacks.
func (r Resource) OtherVersion() bool {
	for _, p := range Resources {
		if p.Kind == r.Kind {
			return r.APIVersion != "" && r.APIVersion != p.APIVersion
		}
	}
	return false
}

// ResourceNames lists the names LookupResource accepts, for error messages.
func ResourceNames() string {
	var out []string
	for _, r := range Resources {
		out = append(out, r.names[0])
	}
	return strings.Join(out, ", ")
}

// PatchTypes are kubectl patch's --type values.
var PatchTypes = []string{"strategic", "merge", "json"}

// readAs is obj as kubectl patch reads it: through the version the
// command names, else the resource's preferred one. A MeshConfig written as
// v1alpha1 is served as v1alpha2 (the CRD converts with strategy None: the
// same fields), so a plain kubectl patch meshconfig of it is no use of the
// deprecated version; kubectl patch meshconfigs.v1alpha1.config.openservicemesh.io
// is, and reads and writes it without v1alpha2's fields (the caller's
// Bases prunes them by that version's schema, check's view.through; here
// only the version is set).
func readAs(obj map[string]any, apiVersion string) map[string]any {
	if apiVersion == "" || obj["apiVersion"] == apiVersion {
		return obj
	}
	out := make(map[string]any, len(obj))
	for k, v := range obj {
		out[k] = v
	}
	out["apiVersion"] = apiVersion
	return out
}

// ApplyPatch applies a kubectl patch (JSON or YAML, as kubectl accepts it) to
// base, read through apiVersion (the resource's, LookupResource), and
// returns the UPDATE document. A patch that is not JSON or YAML is an
// error; a patch that does not apply (a json patch naming a missing path) is
// reported in the document's PatchInfo, for a rule to judge.
func ApplyPatch(base map[string]any, apiVersion string, patch []byte, patchType string) (*Document, error) {
	switch patchType {
	case "strategic", "merge", "json":
	default:
		return nil, fmt.Errorf("unknown patch type %q (want json, merge or strategic)", patchType)
	}
	patchJSON, err := yaml.YAMLToJSON(patch)
	if err != nil {
		return nil, fmt.Errorf("patch is neither JSON nor YAML: %v", err)
	}
	base = readAs(base, apiVersion)
	baseJSON, err := json.Marshal(base)
	if err != nil {
		return nil, fmt.Errorf("encode base: %w", err)
	}
	info := &PatchInfo{Type: patchType}
	doc := &Document{Operation: "UPDATE", OldObject: base, Object: base, Patch: info}
	var out []byte
	if patchType == "json" {
		p, err := jsonpatch.DecodePatch(patchJSON)
		if err != nil {
			return nil, fmt.Errorf("json patch must be a list of operations: %v", err)
		}
		out, err = p.ApplyWithOptions(baseJSON, &jsonpatch.ApplyOptions{SupportNegativeIndices: true, EnsurePathExistsOnAdd: false})
		if err != nil {
			info.Error = err.Error()
			info.Path = failingPath(p, baseJSON)
			return doc, nil
		}
	} else {
		var probe any
		if err := json.Unmarshal(patchJSON, &probe); err != nil {
			return nil, fmt.Errorf("patch is not valid JSON: %v", err)
		}
		if _, ok := probe.(map[string]any); !ok {
			return nil, fmt.Errorf("a %s patch must be a JSON object, got %s (a list of operations needs --type json)", patchType, jsonKind(probe))
		}
		out, err = jsonpatch.MergePatch(baseJSON, patchJSON)
		if err != nil {
			return nil, fmt.Errorf("apply %s patch: %v", patchType, err)
		}
	}
	var obj map[string]any
	if err := utiljson.Unmarshal(out, &obj); err != nil {
		return nil, fmt.Errorf("decode patched object: %v", err)
	}
	doc.Object = obj
	return doc, nil
}

// failingPath finds the first operation of p that does not apply to base and
// returns its path as a field path (spec.traffic.enableEngress).
func failingPath(p jsonpatch.Patch, base []byte) string {
	cur := base
	for _, op := range p {
		next, err := jsonpatch.Patch{op}.Apply(cur)
		if err != nil {
			path, _ := op.Path()
			return pointerToPath(path)
		}
		cur = next
	}
	return ""
}

// pointerToPath turns /spec/ports/0/number into spec.ports[0].number.
func pointerToPath(ptr string) string {
	var b strings.Builder
	for _, part := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		part = strings.NewReplacer("~1", "/", "~0", "~").Replace(part)
		if isIndex(part) {
			b.WriteString("[" + part + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(part)
	}
	return b.String()
}

func isIndex(s string) bool {
	if s == "" || s == "-" {
		return s == "-"
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func jsonKind(v any) string {
	switch v.(type) {
	case []any:
		return "a list"
	case string:
		return "a string"
	case nil:
		return "null"
	}
	return "a scalar"
}
