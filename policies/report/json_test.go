package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestJSONParsesBack(t *testing.T) {
	findingKeys := []string{"rule", "severity", "message", "file", "line", "kind", "namespace", "name", "path", "title", "fix", "docs"}
	tests := []struct {
		name string
		res  Result
	}{
		{"fixture parses into the documented shape", fixture()},
		{"clean run has arrays, not null", clean()},
		{"zero Result has arrays, not null", Result{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := JSON(&b, tc.res, Options{}); err != nil {
				t.Fatal(err)
			}
			out := b.Bytes()
			if !bytes.HasSuffix(out, []byte("}\n")) || !bytes.HasPrefix(out, []byte("{\n  \"")) {
				t.Errorf("output is not a 2-space indented object with a trailing newline:\n%s", out)
			}

			var raw struct {
				Findings []map[string]any `json:"findings"`
				Errors   []map[string]any `json:"errors"`
				Summary  Summary          `json:"summary"`
			}
			if err := json.Unmarshal(out, &raw); err != nil {
				t.Fatalf("unmarshal: %v", err)
			}
			if raw.Findings == nil || raw.Errors == nil {
				t.Errorf("findings or errors is null, want arrays:\n%s", out)
			}
			if len(raw.Findings) != len(tc.res.Findings) || len(raw.Errors) != len(tc.res.Errors) {
				t.Fatalf("got %d findings, %d errors; want %d, %d", len(raw.Findings), len(raw.Errors), len(tc.res.Findings), len(tc.res.Errors))
			}
			for i, f := range raw.Findings {
				for _, k := range findingKeys {
					if _, ok := f[k]; !ok {
						t.Errorf("findings[%d] lacks key %q", i, k)
					}
				}
				want := tc.res.Findings[i]
				if f["rule"] != want.Rule || f["severity"] != string(want.Severity) || f["file"] != want.File ||
					f["line"] != float64(want.Line) || f["path"] != want.Path || f["docs"] != want.Docs {
					t.Errorf("findings[%d] = %v, want %+v", i, f, want)
				}
			}
			for i, e := range raw.Errors {
				want := tc.res.Errors[i]
				if e["file"] != want.File || e["line"] != float64(want.Line) || e["message"] != want.Message {
					t.Errorf("errors[%d] = %v, want %+v", i, e, want)
				}
			}
			if raw.Summary != tc.res.Summary {
				t.Errorf("summary = %+v, want %+v", raw.Summary, tc.res.Summary)
			}
			if !strings.Contains(string(out), `"summary": {`) {
				t.Errorf("output lacks the summary object:\n%s", out)
			}
		})
	}
}
