package report

import (
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/owenrumney/go-sarif/v2/sarif"

	"github.com/meshguard/meshguard/policies"
)

func writeSARIF(t *testing.T, res Result, opts Options) (*sarif.Report, []byte) {
	t.Helper()
	var b bytes.Buffer
	if err := SARIF(&b, res, opts); err != nil {
		t.Fatal(err)
	}
	log, err := sarif.FromBytes(b.Bytes())
	if err != nil {
		t.Fatalf("sarif.FromBytes: %v\n%s", err, b.Bytes())
	}
	if log.Version != "2.1.0" || log.Schema == "" {
		t.Errorf("version %q, $schema %q; want 2.1.0 and a schema URI", log.Version, log.Schema)
	}
	if len(log.Runs) != 1 {
		t.Fatalf("%d runs, want 1", len(log.Runs))
	}
	return log, b.Bytes()
}

func TestSARIFResults(t *testing.T) {
	log, _ := writeSARIF(t, fixture(), fixtureOptions)
	run := log.Runs[0]
	d := run.Tool.Driver
	if d.Name != "meshguard" || d.Version == nil || *d.Version != "v0.1.0" ||
		d.InformationURI == nil || *d.InformationURI != "https://github.com/meshguard/meshguard" {
		t.Errorf("driver = %s %v %v, want meshguard v0.1.0 with the project URI", d.Name, d.Version, d.InformationURI)
	}

	tests := []struct {
		name      string
		ruleID    string
		level     string
		uri       string
		startLine int // 0: no region
	}{
		{"info finding from stdin without line is a note with no region", "MG4001", "note", "stdin", 0},
		{"deny finding is an error at its line", "MG2001", "error", "deploy/egress.yaml", 9},
		{"second deny finding on the same object is its own result", "MG2002", "error", "deploy/egress.yaml", 14},
		{"warn finding is a warning", "MG2004", "warning", "deploy/egress.yaml", 31},
	}
	if len(run.Results) != len(tests) {
		t.Fatalf("%d results, want %d", len(run.Results), len(tests))
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := run.Results[i]
			if r.RuleID == nil || *r.RuleID != tc.ruleID {
				t.Fatalf("ruleId = %v, want %s", r.RuleID, tc.ruleID)
			}
			if r.RuleIndex == nil || int(*r.RuleIndex) >= len(d.Rules) || d.Rules[*r.RuleIndex].ID != tc.ruleID {
				t.Errorf("ruleIndex %v does not point at rule %s", r.RuleIndex, tc.ruleID)
			}
			if r.Level == nil || *r.Level != tc.level {
				t.Errorf("level = %v, want %s", r.Level, tc.level)
			}
			if r.Message.Text == nil || *r.Message.Text == "" {
				t.Error("result has no message text")
			}
			if len(r.Locations) != 1 || r.Locations[0].PhysicalLocation == nil {
				t.Fatalf("want one physical location, got %+v", r.Locations)
			}
			pl := r.Locations[0].PhysicalLocation
			if pl.ArtifactLocation == nil || pl.ArtifactLocation.URI == nil || *pl.ArtifactLocation.URI != tc.uri {
				t.Errorf("artifactLocation = %+v, want uri %s", pl.ArtifactLocation, tc.uri)
			}
			switch {
			case tc.startLine == 0 && pl.Region != nil:
				t.Errorf("region = %+v, want none for line 0", pl.Region)
			case tc.startLine > 0 && (pl.Region == nil || pl.Region.StartLine == nil || *pl.Region.StartLine != tc.startLine):
				t.Errorf("region = %+v, want startLine %d", pl.Region, tc.startLine)
			}
		})
	}
}

func TestSARIFRules(t *testing.T) {
	levels := map[policies.Severity]string{policies.Deny: "error", policies.Warn: "warning", policies.Info: "note"}
	log, _ := writeSARIF(t, fixture(), fixtureOptions)
	rules := log.Runs[0].Tool.Driver.Rules
	if len(rules) != len(catalog) {
		t.Fatalf("%d rules, want every catalog rule (%d)", len(rules), len(catalog))
	}
	for i, want := range catalog {
		t.Run(want.Code+" carries its catalog metadata", func(t *testing.T) {
			r := rules[i]
			if r.ID != want.Code || r.ShortDescription == nil || *r.ShortDescription.Text != want.Title ||
				r.FullDescription == nil || *r.FullDescription.Text != want.Description ||
				r.Help == nil || *r.Help.Text != want.Fix {
				t.Errorf("rule %d = %+v, want %+v", i, r, want)
			}
			if wantName := pascalCase(want.Group + "-" + want.Name); r.Name == nil || *r.Name != wantName {
				t.Errorf("name = %v, want %s", r.Name, wantName)
			}
			if r.DefaultConfiguration == nil || r.DefaultConfiguration.Level != levels[want.Severity] {
				t.Errorf("defaultConfiguration = %+v, want level %s", r.DefaultConfiguration, levels[want.Severity])
			}
			if r.HelpURI == nil {
				t.Fatal("no helpUri")
			}
			if u, err := url.Parse(*r.HelpURI); err != nil || !u.IsAbs() || u.Fragment != "mg"+want.Code[2:] {
				t.Errorf("helpUri %q is not an absolute URI ending in #%s", *r.HelpURI, "mg"+want.Code[2:])
			}
		})
	}
}

func TestSARIFRuleOutsideCatalogStillIndexed(t *testing.T) {
	log, _ := writeSARIF(t, fixture(), Options{})
	run := log.Runs[0]
	if len(run.Tool.Driver.Rules) != 4 {
		t.Errorf("%d rules, want the 4 the findings cite", len(run.Tool.Driver.Rules))
	}
	for _, r := range run.Results {
		if r.RuleIndex == nil || run.Tool.Driver.Rules[*r.RuleIndex].ID != *r.RuleID {
			t.Errorf("result %s has ruleIndex %v that points elsewhere", *r.RuleID, r.RuleIndex)
		}
	}
}

func TestSARIFInvocation(t *testing.T) {
	tests := []struct {
		name          string
		res           Result
		successful    bool
		notifications int
	}{
		{"input errors make the run unsuccessful and become notifications, as do skipped files", fixture(), false, 2},
		{"clean run is successful with no notifications", clean(), true, 0},
		{"a skipped file is a note, not a failure", Result{Skipped: fixture().Skipped}, true, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			log, raw := writeSARIF(t, tc.res, fixtureOptions)
			run := log.Runs[0]
			if run.Results == nil {
				t.Errorf("results is null, want an array:\n%s", raw)
			}
			if len(run.Invocations) != 1 {
				t.Fatalf("%d invocations, want 1", len(run.Invocations))
			}
			inv := run.Invocations[0]
			if inv.ExecutionSuccessful == nil || *inv.ExecutionSuccessful != tc.successful {
				t.Errorf("executionSuccessful = %v, want %v", inv.ExecutionSuccessful, tc.successful)
			}
			if len(inv.ToolExecutionNotifications) != tc.notifications {
				t.Fatalf("%d notifications, want %d", len(inv.ToolExecutionNotifications), tc.notifications)
			}
			for _, n := range inv.ToolExecutionNotifications {
				if n.Message == nil || n.Message.Text == nil || len(n.Locations) != 1 {
					t.Fatalf("notification = %+v, want a text and a location", n)
				}
				loc := n.Locations[0].PhysicalLocation
				switch {
				case strings.HasPrefix(*n.Message.Text, "skipped: "):
					if n.Level != "note" || *loc.ArtifactLocation.URI != "chart/templates/egress.yaml" {
						t.Errorf("skipped notification = %+v at %+v, want a note on the template", n, loc)
					}
				case n.Level != "error" || *loc.Region.StartLine != 3:
					t.Errorf("notification = %+v at %+v, want level error on line 3", n, loc)
				}
			}
		})
	}
}

func TestPascalCase(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"group and folder join into one identifier", "egress-tcp-match-without-ip", "EgressTcpMatchWithoutIp"},
		{"doubled and trailing dashes are dropped", "meshconfig--unknown-field-", "MeshconfigUnknownField"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := pascalCase(tc.in); got != tc.want {
				t.Errorf("pascalCase(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestArtifactLocation(t *testing.T) {
	l := newLocator("/src/repo")
	tests := []struct{ name, file, uri, base string }{
		{"relative path is kept, relative to the source root", "deploy/egress.yaml", "deploy/egress.yaml", srcRoot},
		{"dot segments are resolved", "./deploy/../egress.yaml", "egress.yaml", srcRoot},
		{"absolute path under the working directory is made relative", "/src/repo/deploy/egress.yaml", "deploy/egress.yaml", srcRoot},
		{"absolute path outside it is a file URI", "/tmp/t/good.yaml", "file:///tmp/t/good.yaml", ""},
		{"a path above it is a file URI, not ../", "../bad.yaml", "file:///src/bad.yaml", ""},
		{"the working directory's sibling with its name as prefix is outside", "/src/repo2/a.yaml", "file:///src/repo2/a.yaml", ""},
		{"a colon in the first segment gets ./ so it is no scheme", "mg:x.yaml", "./mg:x.yaml", srcRoot},
		{"a colon in a later segment needs nothing", "d/mg:x.yaml", "d/mg:x.yaml", srcRoot},
		{"space is percent-encoded", "my dir/a.yaml", "my%20dir/a.yaml", srcRoot},
		{"percent, hash and question mark are percent-encoded", "100%#?.yaml", "100%25%23%3F.yaml", srcRoot},
		{"non-ASCII is percent-encoded as UTF-8", "ü.yaml", "%C3%BC.yaml", srcRoot},
		{"outside paths are percent-encoded too", "/tmp/a b#.yaml", "file:///tmp/a%20b%23.yaml", ""},
		{"stdin dash becomes stdin", "-", "stdin", ""},
		{"patch placeholder is percent-encoded and has no base", "<patch>", "%3Cpatch%3E", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := l.artifact(tc.file)
			base := ""
			if a.URIBaseId != nil {
				base = *a.URIBaseId
			}
			if *a.URI != tc.uri || base != tc.base {
				t.Errorf("artifact(%q) = uri %q uriBaseId %q, want %q %q", tc.file, *a.URI, base, tc.uri, tc.base)
			}
		})
	}
}

// TestSARIFURIsResolveToTheirFiles reads the log back as a consumer does: each
// artifactLocation.uri must parse as a URI reference and, resolved against its
// uriBaseId in run.originalUriBaseIds (or alone, when it has none), name the
// file that was checked.
func TestSARIFURIsResolveToTheirFiles(t *testing.T) {
	dir := t.TempDir()
	work := filepath.Join(dir, "repo")
	names := []string{"good.yaml", "mg:x.yaml", "my dir/a b.yaml", "100%.yaml", "a#b.yaml", "q?.yaml", "ünï.yaml", "sub/mg:y.yaml"}
	var res Result
	want := map[int]string{} // result index -> absolute file
	add := func(given, abs string) {
		if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(abs, []byte("kind: Egress\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		want[len(res.Findings)] = abs
		res.Findings = append(res.Findings, entry("MG2004", given, 1, "Egress", "curl", "web", "spec", "m"))
	}
	for _, n := range names {
		add(n, filepath.Join(work, n))
	}
	add(filepath.Join(work, "abs.yaml"), filepath.Join(work, "abs.yaml"))
	add("../bad.yaml", filepath.Join(dir, "bad.yaml"))
	add(filepath.Join(dir, "elsewhere", "out side.yaml"), filepath.Join(dir, "elsewhere", "out side.yaml"))

	log, raw := writeSARIF(t, res, Options{Catalog: catalog, WorkDir: work})
	run := log.Runs[0]
	for i, r := range run.Results {
		a := r.Locations[0].PhysicalLocation.ArtifactLocation
		ref, err := url.Parse(*a.URI)
		if err != nil {
			t.Errorf("uri %q is no URI reference: %v", *a.URI, err)
			continue
		}
		target := ref
		if a.URIBaseId != nil {
			if ref.IsAbs() || strings.HasPrefix(ref.Path, "/") || strings.HasPrefix(ref.Path, "../") {
				t.Errorf("uri %q with uriBaseId %s is not a relative path below it", *a.URI, *a.URIBaseId)
			}
			b, ok := run.OriginalUriBaseIDs[*a.URIBaseId]
			if !ok || b.URI == nil {
				t.Fatalf("uriBaseId %s is not in originalUriBaseIds:\n%s", *a.URIBaseId, raw)
			}
			base, err := url.Parse(*b.URI)
			if err != nil || !base.IsAbs() || !strings.HasSuffix(base.Path, "/") {
				t.Fatalf("originalUriBaseIds %s = %q, want an absolute URI ending in /", *a.URIBaseId, *b.URI)
			}
			target = base.ResolveReference(ref)
		}
		if target.Scheme != "file" || target.Host != "" || target.Path != filepath.ToSlash(want[i]) {
			t.Errorf("uri %q (uriBaseId %v) resolves to %q, want file://%s", *a.URI, a.URIBaseId, target, want[i])
			continue
		}
		if _, err := os.Stat(filepath.FromSlash(target.Path)); err != nil {
			t.Errorf("uri %q resolves to no file: %v", *a.URI, err)
		}
		under := !strings.HasPrefix(want[i], dir+string(filepath.Separator)+"bad") && !strings.Contains(want[i], "elsewhere")
		if under != (a.URIBaseId != nil) {
			t.Errorf("uri %q: uriBaseId %v, want one exactly for files under the working directory", *a.URI, a.URIBaseId)
		}
	}
}
