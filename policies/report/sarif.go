package report

import (
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/owenrumney/go-sarif/v2/sarif"

	"github.com/meshguard/meshguard/policies"
)

const (
	// informationURI is the project home, SARIF's tool.driver.informationUri.
	informationURI = "https://github.com/meshguard/meshguard"
	// docsBase resolves a rule's docs path (docs/rules.md#mg1001): SARIF
	// requires helpUri to be an absolute URI.
	docsBase = informationURI + "/blob/main/"
)

// SARIF writes res as a SARIF 2.1.0 log that GitHub code scanning accepts: one
// run whose driver lists every rule of opts.Catalog, one result per finding, and
// the input errors as tool execution notifications.
func SARIF(w io.Writer, res Result, opts Options) error {
	log, err := sarif.New(sarif.Version210)
	if err != nil {
		return fmt.Errorf("sarif: %w", err)
	}
	driver := sarif.NewDriver("meshguard").WithInformationURI(informationURI)
	if opts.Version != "" {
		driver.WithVersion(opts.Version)
	}
	run := sarif.NewRun(*sarif.NewTool(driver))

	index := map[string]int{}
	addRule := func(r policies.Rule) {
		index[r.Code] = len(driver.Rules)
		driver.Rules = append(driver.Rules, sarifRule(r))
	}
	for _, r := range opts.Catalog {
		addRule(r)
	}
	for _, e := range res.Findings {
		// A result's ruleIndex must point into driver.rules, so a rule the
		// catalog does not know (or an empty catalog) is described from the
		// finding, which carries the same metadata.
		if _, ok := index[e.Rule]; !ok {
			addRule(policies.Rule{Code: e.Rule, Title: e.Title, Severity: e.Severity, Fix: e.Fix, Docs: e.Docs})
		}
	}

	for _, e := range res.Findings {
		r := sarif.NewRuleResult(e.Rule).
			WithRuleIndex(index[e.Rule]).
			WithLevel(sarifLevel(e.Severity)).
			WithMessage(sarif.NewTextMessage(e.Message))
		loc := sarif.NewLocationWithPhysicalLocation(physicalLocation(e.File, e.Line))
		if obj := objectName(e); obj != "" {
			loc.AddLogicalLocations(&sarif.LogicalLocation{FullyQualifiedName: &obj, Kind: ptr("resource")})
		}
		r.AddLocation(loc)
		if e.Path != "" {
			r.Properties = sarif.Properties{"path": e.Path}
		}
		run.AddResult(r)
	}

	inv := run.AddInvocation(len(res.Errors) == 0)
	for _, ie := range res.Errors {
		n := sarif.NewNotification().WithLevel("error").WithTextMessage(ie.Message)
		n.AddLocation(sarif.NewLocationWithPhysicalLocation(physicalLocation(ie.File, ie.Line)))
		inv.AddTToolExecutionNotification(n)
	}
	for _, sk := range res.Skipped {
		n := sarif.NewNotification().WithLevel("note").WithTextMessage("skipped: " + sk.Message)
		n.AddLocation(sarif.NewLocationWithPhysicalLocation(physicalLocation(sk.File, 0)))
		inv.AddTToolExecutionNotification(n)
	}

	log.AddRun(run)
	return encodeJSON(w, log)
}

func sarifRule(r policies.Rule) *sarif.ReportingDescriptor {
	title := r.Title
	if title == "" {
		// shortDescription is required by the schema.
		title = r.Code
	}
	d := sarif.NewRule(r.Code).WithShortDescription(sarif.NewMultiformatMessageString(title))
	if r.Name != "" {
		// Folder names repeat across groups (egress/unknown-field,
		// meshconfig/unknown-field), so the group keeps the name unique.
		d.WithName(pascalCase(r.Group + "-" + r.Name))
	}
	if r.Description != "" {
		d.WithFullDescription(sarif.NewMultiformatMessageString(r.Description))
	}
	if r.Fix != "" {
		d.WithTextHelp(r.Fix)
	}
	if r.Docs != "" {
		d.WithHelpURI(docsURL(r.Docs))
	}
	if r.Severity != "" {
		d.WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(sarifLevel(r.Severity)))
	}
	if r.Group != "" {
		d.WithProperties(sarif.Properties{"tags": []string{r.Group}})
	}
	return d
}

// sarifLevel maps a severity onto SARIF's levels; info is a note, not "none",
// so GitHub still shows it.
func sarifLevel(s policies.Severity) string {
	switch s {
	case policies.Deny:
		return "error"
	case policies.Warn:
		return "warning"
	}
	return "note"
}

// physicalLocation points at file, and at line when it is known: GitHub
// rejects a region whose startLine is below 1.
func physicalLocation(file string, line int) *sarif.PhysicalLocation {
	pl := sarif.NewPhysicalLocation().WithArtifactLocation(sarif.NewSimpleArtifactLocation(artifactURI(file)))
	if line > 0 {
		pl.WithRegion(sarif.NewRegion().WithStartLine(line))
	}
	return pl
}

// artifactURI turns an input path into a URI reference: "-" is "stdin", and a
// path keeps its slashes but has characters a URI cannot hold (spaces, the
// brackets of "<patch>") percent-encoded, so an ordinary relative path is
// unchanged and GitHub matches it against the checkout.
func artifactURI(file string) string {
	if file == "-" {
		return "stdin"
	}
	return (&url.URL{Path: filepath.ToSlash(file)}).EscapedPath()
}

// docsURL makes a rule's docs path absolute; a docs value that is already a
// URL is kept.
func docsURL(docs string) string {
	if u, err := url.Parse(docs); err == nil && u.IsAbs() {
		return docs
	}
	return docsBase + strings.TrimPrefix(docs, "/")
}

// pascalCase turns kebab-case into an identifier a user can read:
// egress-unknown-field becomes EgressUnknownField.
func pascalCase(kebab string) string {
	var b strings.Builder
	for _, part := range strings.Split(kebab, "-") {
		if part == "" {
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

func ptr[T any](v T) *T { return &v }
