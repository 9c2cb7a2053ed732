package policies

import (
	"fmt"
	"sort"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Rules are written one package per rule (rego/rules/<group>/<name>), which
// keeps each concern, its METADATA, helpers and tests apart. OPA evaluates a
// package's `findings` as its own partial set, with its own result set, cache
// entry and bindings, and that per-package cost was about a quarter of an
// Egress policy's evaluation: 28 packages of one three-line rule each cost
// 586 allocations and 123 µs per document, the same rules in one package 169
// and 49 µs.
//
// So once an engine has been used enough (flattenAfter) it evaluates the
// rules flattened: starting from the rules as New compiled them
// (rego.metadata.chain() is each rule's own METADATA there, and every
// reference is resolved to its full path), it moves every rule package's
// `findings` rules into one package per group, data.meshguard.flat.<group>,
// and points the references to them there. Helpers stay where they are.
// Tests, `opa check`, conftest and a stock OPA run the rules as written;
// TestFlattenedRulesAgree holds both to the same findings.

var (
	rulesRoot = ast.MustParseRef("data.meshguard.rules")
	flatRoot  = ast.MustParseRef("data.meshguard.flat")
)

// flatten returns, from the compiled rules (which it does not change), the
// flattened modules to evaluate, or an error
// saying why these rules cannot be flattened (the caller then evaluates them
// as written). It flattens only what it can prove the same: every rule
// package is one package deep under its group, its findings are plain
// multi-value rules (`findings contains x if ...`), and nothing reads the rule
// packages except through data.meshguard.rules[group][name].findings with a
// name variable used nowhere else (what rego/main does). Anything else, such
// as a rule counting another rule's findings, is refused.
func flatten(compiled map[string]*ast.Module) ([]*ast.Module, error) {
	n := len(rulesRoot)
	flat := map[string]*ast.Module{}
	var out []*ast.Module
	for _, name := range sortedKeys(compiled) {
		m := compiled[name].Copy()
		p := m.Package.Path
		if p.HasPrefix(flatRoot) || flatRoot.HasPrefix(p) {
			return nil, fmt.Errorf("%s: package %s overlaps %s, which the engine uses", name, p, flatRoot)
		}
		if !p.HasPrefix(rulesRoot) && !rulesRoot.HasPrefix(p) {
			out = append(out, m)
			continue
		}
		if len(p) != n+2 {
			return nil, fmt.Errorf("%s: package %s is not a rule package (data.meshguard.rules.<group>[\"<name>\"])", name, p)
		}
		group, ok := p[n].Value.(ast.String)
		if !ok {
			return nil, fmt.Errorf("%s: package %s", name, p)
		}
		fm := flat[string(group)]
		if fm == nil {
			fm = &ast.Module{Package: &ast.Package{Path: append(flatRoot.Copy(), ast.StringTerm(string(group)))}}
			flat[string(group)] = fm
			out = append(out, fm)
		}
		kept := m.Rules[:0]
		for _, r := range m.Rules {
			ref := r.Head.Ref()
			if len(ref) == 0 || !ref[0].Equal(ast.VarTerm("findings")) {
				kept = append(kept, r)
				continue
			}
			if len(ref) != 1 || r.Head.RuleKind() != ast.MultiValue || len(r.Head.Args) > 0 || r.Else != nil {
				return nil, fmt.Errorf("%s: rule %v is not of the form `findings contains x if ...`", name, ref)
			}
			r.Module = fm
			fm.Rules = append(fm.Rules, r)
		}
		m.Rules = kept
		out = append(out, m)
	}
	// data.meshguard.rules[group][name].findings... becomes
	// data.meshguard.flat[group].findings...
	for _, m := range out {
		for _, r := range m.Rules {
			if err := rewriteFindingsRefs(r); err != nil {
				return nil, fmt.Errorf("%s: %w", r.Location, err)
			}
		}
	}
	return out, nil
}

// rewriteFindingsRefs points a rule's reads of rule findings at the flat
// packages, and refuses any other read of the rule packages that flattening
// would change.
func rewriteFindingsRefs(rule *ast.Rule) error {
	n := len(rulesRoot)
	var err error
	ast.WalkTerms(rule, func(x *ast.Term) bool {
		r, ok := x.Value.(ast.Ref)
		if !ok || err != nil || !r[0].Equal(ast.DefaultRootDocument) {
			return false
		}
		// Which part of data.meshguard.rules does r read?
		for i := 1; i < n; i++ {
			if i >= len(r) {
				err = fmt.Errorf("%v reads the rule packages as a whole", r)
				return false
			}
			if !r[i].IsGround() {
				err = fmt.Errorf("%v may read the rule packages as a whole", r)
				return false
			}
			if !r[i].Equal(rulesRoot[i]) {
				return false // another document
			}
		}
		switch {
		case len(r) <= n+2:
			err = fmt.Errorf("%v reads rule packages as a whole", r)
		case r[n+2].Equal(ast.StringTerm("findings")):
			v, ok := r[n+1].Value.(ast.Var)
			if !ok || occurrences(rule, v) != 1 {
				err = fmt.Errorf("%v reads the findings of one rule, not of every rule of a group", r)
				return false
			}
			x.Value = append(append(flatRoot.Copy(), r[n]), r[n+2:]...)
		case !r[n+2].IsGround():
			err = fmt.Errorf("%v may read a rule's findings", r)
		}
		return false // a helper of a rule package stays where it is
	})
	return err
}

// occurrences counts the uses of v in a rule.
func occurrences(rule *ast.Rule, v ast.Var) int {
	count := 0
	ast.WalkVars(rule, func(x ast.Var) bool {
		if x.Equal(v) {
			count++
		}
		return false
	})
	return count
}

func sortedKeys(m map[string]*ast.Module) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
