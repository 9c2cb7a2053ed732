package report

import (
	"bytes"
	"net/url"
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

func TestArtifactURI(t *testing.T) {
	tests := []struct{ name, file, want string }{
		{"relative path is kept", "deploy/egress.yaml", "deploy/egress.yaml"},
		{"stdin dash becomes stdin", "-", "stdin"},
		{"space is percent-encoded", "my dir/a.yaml", "my%20dir/a.yaml"},
		{"patch placeholder is percent-encoded", "<patch>", "%3Cpatch%3E"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := artifactURI(tc.file); got != tc.want {
				t.Errorf("artifactURI(%q) = %q, want %q", tc.file, got, tc.want)
			}
		})
	}
}
