package policies

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Rule is one entry of the catalog, read from a rule package's METADATA.
type Rule struct {
	Code        string   `json:"code"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Severity    Severity `json:"severity"`
	// AdmissionSeverity, when set, is the severity in an admission review
	// (custom.admission_severity): a rule about another object that the same
	// apply may create next (kustomize sends an Egress before its
	// UpstreamTrafficSetting) warns there rather than deny a valid apply,
	// while meshguard validate, which sees every file, denies.
	AdmissionSeverity Severity `json:"admissionSeverity,omitempty"`
	Fix               string   `json:"fix"`
	Docs              string   `json:"docs"`
	// Group is the rule's folder under rego/rules: general, meshconfig, egress, crossresource.
	Group string `json:"group"`
	// Name is the rule's folder, kebab-case.
	Name string `json:"name"`
	// File is the module's path inside the rule bundle.
	File string `json:"file"`
}

// Catalog lists every rule, sorted by code.
type Catalog []Rule

// Lookup returns the rule with the given code.
func (c Catalog) Lookup(code string) (Rule, bool) {
	i := sort.Search(len(c), func(i int) bool { return c[i].Code >= code })
	if i < len(c) && c[i].Code == code {
		return c[i], true
	}
	return Rule{}, false
}

// AtAdmission is the severity a finding of rule code with severity s has in
// an admission review: the rule's admission_severity, when it sets one.
func (c Catalog) AtAdmission(code string, s Severity) Severity {
	if r, ok := c.Lookup(code); ok && r.AdmissionSeverity != "" {
		return r.AdmissionSeverity
	}
	return s
}

// groupDigits maps each rule group (its folder) to the digit its codes carry.
var groupDigits = map[string]byte{
	"general":       '0',
	"meshconfig":    '1',
	"egress":        '2',
	"crossresource": '3',
	"pods":          '4',
}

var codePattern = regexp.MustCompile(`^MG[0-9]{4}$`)

// customKeys are what a rule's METADATA custom may hold.
var customKeys = map[string]bool{"code": true, "severity": true, "admission_severity": true, "fix": true, "docs": true}

func sortedCustomKeys() []string {
	keys := make([]string, 0, len(customKeys))
	for k := range customKeys {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// loadModules parses every .rego file of fsys, tests included when withTests.
func loadModules(fsys fs.FS, withTests bool) (map[string]*ast.Module, error) {
	mods := map[string]*ast.Module{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".rego") {
			return nil
		}
		if !withTests && strings.HasSuffix(p, "_test.rego") {
			return nil
		}
		src, err := fs.ReadFile(fsys, p)
		if err != nil {
			return fmt.Errorf("read %s: %w", p, err)
		}
		m, err := ast.ParseModuleWithOpts(p, string(src), ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1})
		if err != nil {
			return fmt.Errorf("parse %s: %w", p, err)
		}
		mods[p] = m
		return nil
	})
	if err != nil {
		return nil, err
	}
	return mods, nil
}

// catalogFrom reads the rule METADATA of every module under rules/ and checks it:
// a rule without code, title, severity, fix or docs, a malformed or duplicate
// code, or a code whose digit does not match its group folder is an error, so a
// broken rule stops start-up rather than a request.
func catalogFrom(mods map[string]*ast.Module) (Catalog, error) {
	var cat Catalog
	seen := map[string]string{}
	var problems []string
	for file, m := range mods {
		parts := strings.Split(file, "/")
		if len(parts) < 4 || parts[0] != "rules" {
			continue
		}
		group, name := parts[1], parts[2]
		var ann *ast.Annotations
		for _, a := range m.Annotations {
			if a.Scope == "package" {
				ann = a
			}
		}
		if ann == nil {
			problems = append(problems, fmt.Sprintf("%s: no package METADATA", file))
			continue
		}
		r := Rule{Title: ann.Title, Description: strings.TrimSpace(ann.Description), Group: group, Name: name, File: file}
		r.Code, _ = ann.Custom["code"].(string)
		sev, _ := ann.Custom["severity"].(string)
		r.Severity = Severity(sev)
		admissionSev, _ := ann.Custom["admission_severity"].(string)
		r.AdmissionSeverity = Severity(admissionSev)
		for key, v := range ann.Custom {
			if _, isString := v.(string); !customKeys[key] || !isString {
				problems = append(problems, fmt.Sprintf("%s: custom.%s is not one of %s, or not a string", file, key, strings.Join(sortedCustomKeys(), ", ")))
			}
		}
		r.Fix, _ = ann.Custom["fix"].(string)
		r.Docs, _ = ann.Custom["docs"].(string)
		want := fmt.Sprintf("meshguard.rules.%s[%q]", group, name)
		if got := strings.TrimPrefix(m.Package.Path.String(), "data."); got != want {
			problems = append(problems, fmt.Sprintf("%s: package is %s, want %s (the package path is the folder)", file, got, want))
		}
		switch {
		case !codePattern.MatchString(r.Code):
			problems = append(problems, fmt.Sprintf("%s: code %q is not MG followed by four digits", file, r.Code))
		case groupDigits[group] == 0:
			problems = append(problems, fmt.Sprintf("%s: unknown rule group %q", file, group))
		case r.Code[2] != groupDigits[group]:
			problems = append(problems, fmt.Sprintf("%s: code %s does not match group %s (MG%cxxx)", file, r.Code, group, groupDigits[group]))
		}
		if other, dup := seen[r.Code]; dup {
			problems = append(problems, fmt.Sprintf("%s: code %s already used by %s", file, r.Code, other))
		}
		seen[r.Code] = file
		if r.Severity != Deny && r.Severity != Warn && r.Severity != Info {
			problems = append(problems, fmt.Sprintf("%s: severity %q is not deny, warn or info", file, r.Severity))
		}
		if a := r.AdmissionSeverity; a != "" && a != Deny && a != Warn && a != Info {
			problems = append(problems, fmt.Sprintf("%s: admission_severity %q is not deny, warn or info", file, a))
		}
		if r.Title == "" || r.Fix == "" || r.Description == "" {
			problems = append(problems, fmt.Sprintf("%s: METADATA needs title, description and custom.fix", file))
		}
		if wantDocs := "docs/rules.md#" + strings.ToLower(r.Code); r.Docs != wantDocs {
			problems = append(problems, fmt.Sprintf("%s: custom.docs is %q, want %q", file, r.Docs, wantDocs))
		}
		if path.Base(file) != strings.ReplaceAll(name, "-", "_")+".rego" {
			problems = append(problems, fmt.Sprintf("%s: file should be named %s.rego after its folder", file, strings.ReplaceAll(name, "-", "_")))
		}
		cat = append(cat, r)
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return nil, fmt.Errorf("rule catalog: %s", strings.Join(problems, "; "))
	}
	sort.Slice(cat, func(i, j int) bool { return cat[i].Code < cat[j].Code })
	return cat, nil
}

// PathLess orders field paths as a reader counts: spec.ports[2] before
// spec.ports[10], which a comparison of the text puts after it.
func PathLess(a, b string) bool {
	for a != "" && b != "" {
		da, db := digits(a), digits(b)
		switch {
		case da > 0 && db > 0:
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if len(na) != len(nb) {
				return len(na) < len(nb)
			}
			if na != nb {
				return na < nb
			}
			a, b = a[da:], b[db:]
		case a[0] != b[0]:
			return a[0] < b[0]
		default:
			a, b = a[1:], b[1:]
		}
	}
	return len(a) < len(b)
}

// digits is the length of the run of ASCII digits s starts with.
func digits(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}
