package report

import (
	"fmt"
	"io"
	"net/url"
	"os"
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
	// srcRoot is the uriBaseId of the files under the working directory, the
	// name SARIF (§3.14.14) and GitHub use for the root of the sources.
	srcRoot = "%SRCROOT%"
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
	loc := newLocator(opts.WorkDir)
	if root := loc.rootURI(); root != "" {
		run.WithOriginalUriBaseIds(map[string]*sarif.ArtifactLocation{srcRoot: sarif.NewSimpleArtifactLocation(root)})
	}

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
		l := sarif.NewLocationWithPhysicalLocation(loc.physical(e.File, e.Line))
		if obj := objectName(e); obj != "" {
			l.AddLogicalLocations(&sarif.LogicalLocation{FullyQualifiedName: &obj, Kind: ptr("resource")})
		}
		r.AddLocation(l)
		if e.Path != "" {
			r.Properties = sarif.Properties{"path": e.Path}
		}
		run.AddResult(r)
	}

	inv := run.AddInvocation(len(res.Errors) == 0)
	for _, ie := range res.Errors {
		n := sarif.NewNotification().WithLevel("error").WithTextMessage(ie.Message)
		n.AddLocation(sarif.NewLocationWithPhysicalLocation(loc.physical(ie.File, ie.Line)))
		inv.AddTToolExecutionNotification(n)
	}
	for _, sk := range res.Skipped {
		n := sarif.NewNotification().WithLevel("note").WithTextMessage("skipped: " + sk.Message)
		n.AddLocation(sarif.NewLocationWithPhysicalLocation(loc.physical(sk.File, 0)))
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

// locator turns input paths into SARIF artifact locations. A file under the
// working directory is a URI reference relative to it, with uriBaseId
// %SRCROOT% (run.originalUriBaseIds says where that was), which GitHub code
// scanning matches against the checkout when meshguard runs at its root. Any
// other file is an absolute file:// URI: a relative reference starting with
// ../ points outside the repository, and a bare absolute path is no URI.
type locator struct {
	// root is the working directory, absolute and cleaned; empty when unknown.
	root string
}

func newLocator(workDir string) locator {
	if workDir == "" {
		workDir, _ = os.Getwd()
	}
	if workDir == "" {
		return locator{}
	}
	if abs, err := filepath.Abs(workDir); err == nil {
		return locator{root: filepath.Clean(abs)}
	}
	return locator{}
}

// rootURI is the working directory as an absolute file:// URI ending in a
// slash, as SARIF requires of a uriBaseId's value (§3.14.14).
func (l locator) rootURI() string {
	if l.root == "" {
		return ""
	}
	u := fileURI(l.root)
	if !strings.HasSuffix(u, "/") {
		u += "/"
	}
	return u
}

// physical points at file, and at line when it is known: GitHub rejects a
// region whose startLine is below 1.
func (l locator) physical(file string, line int) *sarif.PhysicalLocation {
	pl := sarif.NewPhysicalLocation().WithArtifactLocation(l.artifact(file))
	if line > 0 {
		pl.WithRegion(sarif.NewRegion().WithStartLine(line))
	}
	return pl
}

func (l locator) artifact(file string) *sarif.ArtifactLocation {
	switch file {
	case "-":
		return sarif.NewSimpleArtifactLocation("stdin")
	case "<patch>", "<command>":
		// Given on the command line: there is no file to resolve to.
		return sarif.NewSimpleArtifactLocation(relativeRef(file))
	}
	if l.root == "" {
		if filepath.IsAbs(file) {
			return sarif.NewSimpleArtifactLocation(fileURI(file))
		}
		return sarif.NewSimpleArtifactLocation(relativeRef(filepath.ToSlash(filepath.Clean(file))))
	}
	abs := file
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(l.root, abs)
	}
	abs = filepath.Clean(abs)
	rel, err := filepath.Rel(l.root, abs)
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return sarif.NewSimpleArtifactLocation(fileURI(abs))
	}
	return sarif.NewSimpleArtifactLocation(relativeRef(filepath.ToSlash(rel))).WithUriBaseId(srcRoot)
}

// relativeRef writes a slash-separated relative path as a URI reference
// (RFC 3986 §4.2): characters a URI cannot hold, and those with a meaning
// there (space, %, #, ?, non-ASCII, the brackets of "<patch>"), are
// percent-encoded, and a first segment with a colon (mg:x.yaml), which would
// read as a scheme, gets "./" before it.
func relativeRef(p string) string {
	ref := (&url.URL{Path: p}).EscapedPath()
	if first, _, _ := strings.Cut(ref, "/"); strings.Contains(first, ":") {
		ref = "./" + ref
	}
	return ref
}

// fileURI writes an absolute path as a file:// URI with an empty authority
// (RFC 8089): file:///tmp/t/good.yaml, file:///C:/t/good.yaml.
func fileURI(abs string) string {
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
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
