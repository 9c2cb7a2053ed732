package policies

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/agnivade/levenshtein"
	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"sigs.k8s.io/yaml"
)

// schemas holds, for every kind and version meshguard knows from manifests/crds,
// the structural schema the API server prunes and defaults with, its validator,
// and an index of valid field paths for "did you mean".
type schemas struct {
	// byKind maps group/Kind to the kind's served versions.
	byKind map[string]*kindSchemas
}

type kindSchemas struct {
	versions map[string]*versionSchema
	served   []string
}

type versionSchema struct {
	structural *structuralschema.Structural
	validator  apiservervalidation.SchemaValidator
	// children maps a normalized parent path ("spec.ports[]") to its field names.
	children map[string][]string
	// byName maps a lower-cased field name to every normalized path that ends in it.
	byName map[string][]string
}

func loadSchemas(crds fs.FS) (*schemas, error) {
	s := &schemas{byKind: map[string]*kindSchemas{}}
	files, err := fs.Glob(crds, "crds/*.yaml")
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no CRDs found under crds/")
	}
	for _, f := range files {
		raw, err := fs.ReadFile(crds, f)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", f, err)
		}
		var v1 apiextensionsv1.CustomResourceDefinition
		if err := yaml.UnmarshalStrict(raw, &v1); err != nil {
			return nil, fmt.Errorf("decode %s: %w", f, err)
		}
		var crd apiextensions.CustomResourceDefinition
		if err := apiextensionsv1.Convert_v1_CustomResourceDefinition_To_apiextensions_CustomResourceDefinition(&v1, &crd, nil); err != nil {
			return nil, fmt.Errorf("convert %s: %w", f, err)
		}
		ks := &kindSchemas{versions: map[string]*versionSchema{}}
		for _, v := range crd.Spec.Versions {
			if !v.Served {
				continue
			}
			props := crd.Spec.Validation
			if v.Schema != nil {
				props = v.Schema
			}
			if props == nil || props.OpenAPIV3Schema == nil {
				return nil, fmt.Errorf("%s: version %s has no schema", f, v.Name)
			}
			st, err := structuralschema.NewStructural(props.OpenAPIV3Schema)
			if err != nil {
				return nil, fmt.Errorf("%s: version %s: structural schema: %w", f, v.Name, err)
			}
			validator, _, err := apiservervalidation.NewSchemaValidator(props.OpenAPIV3Schema)
			if err != nil {
				return nil, fmt.Errorf("%s: version %s: validator: %w", f, v.Name, err)
			}
			vs := &versionSchema{structural: st, validator: validator, children: map[string][]string{}, byName: map[string][]string{}}
			vs.index("", st)
			ks.versions[v.Name] = vs
			ks.served = append(ks.served, v.Name)
		}
		sort.Strings(ks.served)
		s.byKind[crd.Spec.Group+"/"+crd.Spec.Names.Kind] = ks
	}
	return s, nil
}

// index records every field path below st, arrays written as name[].
func (vs *versionSchema) index(parent string, st *structuralschema.Structural) {
	if st == nil {
		return
	}
	if st.Items != nil {
		vs.index(parent+"[]", st.Items)
		return
	}
	for name := range st.Properties {
		prop := st.Properties[name]
		p := name
		if parent != "" {
			p = parent + "." + name
		}
		vs.children[parent] = append(vs.children[parent], name)
		vs.byName[strings.ToLower(name)] = append(vs.byName[strings.ToLower(name)], p)
		vs.index(p, &prop)
	}
	sort.Strings(vs.children[parent])
}

// schemaFacts is what Go tells Rego about an object's fit to its CRD.
type schemaFacts struct {
	// Checked is true when meshguard has a CRD for the object's group and kind.
	Checked bool `json:"checked"`
	// Served is false when the object's version is not one the CRD serves.
	Served         bool           `json:"served"`
	ServedVersions []string       `json:"servedVersions,omitempty"`
	UnknownFields  []unknownField `json:"unknownFields,omitempty"`
	Errors         []schemaError  `json:"errors,omitempty"`
	pruned         map[string]any // the object as the API server would store it
	schema         *versionSchema
}

// unknownField is a field the API server would prune.
type unknownField struct {
	// Path is the field's path, e.g. spec.traffic.enableEngress.
	Path string `json:"path"`
	// Field is its name, e.g. enableEngress.
	Field string `json:"field"`
	// Suggestion is the closest valid field path, e.g. spec.traffic.enableEgress.
	Suggestion string `json:"suggestion,omitempty"`
	// SuggestionSegments is Suggestion split for object.get, when the
	// suggestion is a sibling (so its array indices are known).
	SuggestionSegments []any `json:"suggestionSegments,omitempty"`
	// Moved is true when the suggestion is a field of another object (the field
	// was written at the wrong place), not a sibling.
	Moved bool `json:"moved,omitempty"`
	// Source is "object", or "lastApplied" for the last-applied-configuration annotation.
	Source string `json:"source"`
}

// schemaError is one error the API server's schema validation reports.
type schemaError struct {
	Path string `json:"path"`
	// Type is the error type, e.g. "Unsupported value", "Invalid value", "Required value".
	Type string `json:"type"`
	// Message is the error text as the API server words it, without the path.
	Message  string `json:"message"`
	BadValue any    `json:"badValue,omitempty"`
}

func splitAPIVersion(apiVersion string) (group, version string) {
	if i := strings.IndexByte(apiVersion, '/'); i >= 0 {
		return apiVersion[:i], apiVersion[i+1:]
	}
	return "", apiVersion
}

// check prunes, defaults and validates a deep copy of obj as the API server
// would, and reports what it found. obj itself is not changed.
func (s *schemas) check(obj map[string]any, source string) schemaFacts {
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	group, version := splitAPIVersion(apiVersion)
	ks, ok := s.byKind[group+"/"+kind]
	if !ok {
		return schemaFacts{}
	}
	facts := schemaFacts{Checked: true, ServedVersions: ks.served}
	vs, ok := ks.versions[version]
	if !ok {
		return facts
	}
	facts.Served = true
	facts.schema = vs
	pruned, _ := normalize(obj).(map[string]any)
	for _, p := range pruning.PruneWithOptions(pruned, vs.structural, true, structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true}) {
		facts.UnknownFields = append(facts.UnknownFields, vs.unknown(p, source))
	}
	structuraldefaulting.PruneNonNullableNullsWithoutDefaults(pruned, vs.structural)
	structuraldefaulting.Default(pruned, vs.structural)
	for _, e := range apiservervalidation.ValidateCustomResource(nil, pruned, vs.validator) {
		facts.Errors = append(facts.Errors, schemaError{Path: e.Field, Type: string(e.Type), Message: e.ErrorBody(), BadValue: jsonSafe(e.BadValue)})
	}
	facts.pruned = pruned
	return facts
}

// jsonSafe keeps scalar bad values and drops anything else, so that facts stay
// plain JSON.
func jsonSafe(v any) any {
	switch v.(type) {
	case string, bool, int64, float64, int, nil:
		return v
	}
	return nil
}

var indexPattern = regexp.MustCompile(`\[\d+\]`)

// unknown describes an unknown field path and finds the closest valid field:
// a sibling whose name is a few edits away, or a field of the same (or nearly
// the same) name elsewhere in the schema, which costs one edit more.
func (vs *versionSchema) unknown(p, source string) unknownField {
	parent, name := "", p
	if i := strings.LastIndexByte(p, '.'); i >= 0 {
		parent, name = p[:i], p[i+1:]
	}
	u := unknownField{Path: p, Field: name, Source: source}
	normParent := indexPattern.ReplaceAllString(parent, "[]")
	best, bestScore, moved := "", 1<<30, false
	lower := strings.ToLower(name)
	for _, sib := range vs.children[normParent] {
		if d := levenshtein.ComputeDistance(lower, strings.ToLower(sib)); d < bestScore {
			best, bestScore, moved = joinPath(parent, sib), d, false
		}
	}
	for other, paths := range vs.byName {
		d := levenshtein.ComputeDistance(lower, other) + 1
		for _, cand := range paths {
			candParent := ""
			if i := strings.LastIndexByte(cand, '.'); i >= 0 {
				candParent = cand[:i]
			}
			if candParent == normParent {
				continue // a sibling, scored above
			}
			if d < bestScore || (d == bestScore && moved && cand < best) {
				best, bestScore, moved = cand, d, true
			}
		}
	}
	if best == "" || bestScore > 1+len(name)/4 {
		return u
	}
	u.Suggestion, u.Moved = best, moved
	if !moved {
		u.SuggestionSegments = segments(best)
	}
	return u
}

func joinPath(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}

// segments splits spec.ports[0].number into ["spec", "ports", 0, "number"].
func segments(p string) []any {
	var out []any
	for _, part := range strings.Split(p, ".") {
		for part != "" {
			i := strings.IndexByte(part, '[')
			if i < 0 {
				out = append(out, part)
				break
			}
			if i > 0 {
				out = append(out, part[:i])
			}
			j := strings.IndexByte(part, ']')
			if j < i {
				out = append(out, part[i:])
				break
			}
			n, err := strconv.Atoi(part[i+1 : j])
			if err != nil {
				out = append(out, part[i+1:j])
			} else {
				out = append(out, n)
			}
			part = part[j+1:]
		}
	}
	return out
}

// normalize deep-copies a JSON-like value and turns every Go number into int64
// or float64, the only number types the API server's schema code accepts.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalize(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalize(e)
		}
		return out
	case int:
		return int64(x)
	case int32:
		return int64(x)
	case uint64:
		return int64(x)
	case float32:
		return float64(x)
	case float64:
		if x == float64(int64(x)) && x >= -1<<53 && x <= 1<<53 {
			return int64(x)
		}
		return x
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	}
	return v
}
