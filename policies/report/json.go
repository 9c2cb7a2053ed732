package report

import (
	"encoding/json"
	"io"

	"github.com/meshguard/meshguard/policies"
)

// jsonReport is the documented JSON shape. It is declared here rather than
// derived from Entry so that every key is always present (scripts need not
// test for a missing "path" or "namespace") and the key order is stable.
type jsonReport struct {
	Findings []jsonFinding `json:"findings"`
	Errors   []jsonError   `json:"errors"`
	Skipped  []Skipped     `json:"skipped"`
	Summary  Summary       `json:"summary"`
}

type jsonFinding struct {
	Rule      string            `json:"rule"`
	Severity  policies.Severity `json:"severity"`
	Message   string            `json:"message"`
	File      string            `json:"file"`
	Line      int               `json:"line"`
	Kind      string            `json:"kind"`
	Namespace string            `json:"namespace"`
	Name      string            `json:"name"`
	Path      string            `json:"path"`
	Title     string            `json:"title"`
	Fix       string            `json:"fix"`
	Docs      string            `json:"docs"`
}

type jsonError struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// JSON writes res as one indented object with "findings", "errors",
// "skipped" and "summary". The lists are arrays even when empty, never null.
func JSON(w io.Writer, res Result, _ Options) error {
	out := jsonReport{
		Findings: make([]jsonFinding, 0, len(res.Findings)),
		Errors:   make([]jsonError, 0, len(res.Errors)),
		Skipped:  append(make([]Skipped, 0, len(res.Skipped)), res.Skipped...),
		Summary:  res.Summary,
	}
	for _, e := range res.Findings {
		out.Findings = append(out.Findings, jsonFinding{
			Rule:      e.Rule,
			Severity:  e.Severity,
			Message:   e.Message,
			File:      e.File,
			Line:      e.Line,
			Kind:      e.Kind,
			Namespace: e.Namespace,
			Name:      e.Name,
			Path:      e.Path,
			Title:     e.Title,
			Fix:       e.Fix,
			Docs:      e.Docs,
		})
	}
	for _, ie := range res.Errors {
		out.Errors = append(out.Errors, jsonError(ie))
	}
	return encodeJSON(w, out)
}

// encodeJSON writes v indented by two spaces with a trailing newline. HTML
// escaping is off so "<patch>" stays readable.
func encodeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
