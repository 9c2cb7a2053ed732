// Package report writes the findings of a validate run as text, JSON, SARIF 2.1.0
// or JUnit XML. Every writer takes the same Result, so formats cannot disagree.
package report

import (
	"fmt"
	"io"

	"github.com/meshguard/meshguard/policies"
)

// Entry is one finding located in its input.
type Entry struct {
	policies.Finding
	// File is the input's path as given ("-" for stdin, "<patch>" for a patch
	// given on the command line).
	File string `json:"file"`
	// Line is the 1-based line of the field (or of the document or command when
	// the field has no line of its own); 0 when unknown.
	Line      int    `json:"line"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
}

// InputError is an input meshguard could not read or parse (exit code 2).
type InputError struct {
	File    string `json:"file"`
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
}

// Skipped is an input meshguard did not check, and why: a Helm chart
// template, which only its rendering makes a manifest. It does not change
// the exit code; every format reports it.
type Skipped struct {
	File    string `json:"file"`
	Message string `json:"message"`
}

// Summary counts what a run saw.
type Summary struct {
	Files     int `json:"files"`
	Documents int `json:"documents"`
	Findings  int `json:"findings"`
	Deny      int `json:"deny"`
	Warn      int `json:"warn"`
	Info      int `json:"info"`
	Errors    int `json:"errors"`
	Skipped   int `json:"skipped"`
}

// Result is everything a run reports.
type Result struct {
	Findings []Entry
	Errors   []InputError
	Skipped  []Skipped
	Summary  Summary
	// Files lists every input read, in the order read. It is optional: only
	// JUnit uses it, to give a file without findings its passing testcase
	// (a file that appears only here has nothing else to show for it).
	Files []string
}

// Options tune the writers.
type Options struct {
	// Color adds ANSI colours to text output; the CLI sets it only on a terminal.
	Color bool
	// Catalog supplies rule metadata for SARIF's tool.driver.rules.
	Catalog policies.Catalog
	// Version is meshguard's version, for SARIF's tool.driver.version.
	Version string
	// WorkDir is the directory relative input paths were given from; SARIF
	// writes the files under it relative to it (uriBaseId %SRCROOT%) and
	// others as file:// URIs. Empty means the process's working directory.
	WorkDir string
}

// Formats lists the names Write accepts.
var Formats = []string{"text", "json", "sarif", "junit"}

// Write renders res in format to w.
func Write(w io.Writer, format string, res Result, opts Options) error {
	switch format {
	case "text":
		return Text(w, res, opts)
	case "json":
		return JSON(w, res, opts)
	case "sarif":
		return SARIF(w, res, opts)
	case "junit":
		return JUnit(w, res, opts)
	}
	return fmt.Errorf("unknown output format %q (want one of text, json, sarif, junit)", format)
}
