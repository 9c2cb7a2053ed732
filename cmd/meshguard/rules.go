package main

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/meshguard/meshguard/policies"
)

func newRulesCommand(s streams) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List the rule catalog",
		Long:  "List every rule with its code, severity (and its severity in an admission review, where it differs) and title (-o json adds description, fix and docs).",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if output != "text" && output != "json" {
				return usageErr("unknown output format %q (want text or json)", output)
			}
			engine, err := policies.New(cmd.Context())
			if err != nil {
				return err
			}
			cat := engine.Catalog()
			if output == "json" {
				enc := json.NewEncoder(s.out)
				enc.SetIndent("", "  ")
				return enc.Encode(map[string]any{"rules": cat})
			}
			w := tabwriter.NewWriter(s.out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(w, "CODE\tSEVERITY\tRULE\tTITLE")
			for _, r := range cat {
				severity := string(r.Severity)
				if r.AdmissionSeverity != "" && r.AdmissionSeverity != r.Severity {
					severity += " (" + string(r.AdmissionSeverity) + " at admission)"
				}
				fmt.Fprintf(w, "%s\t%s\t%s/%s\t%s\n", r.Code, severity, r.Group, r.Name, r.Title)
			}
			return w.Flush()
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json")
	return cmd
}
