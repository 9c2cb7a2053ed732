package check_test

import (
	"context"
	"strings"
	"testing"
)

// TestScriptsFollowTheirEgressPolicies: a script or runbook changes which
// Egress policies the mesh has as it runs. Above the line that applies a
// policy, and below the one that deletes it, a MeshConfig change does not
// count it (MG3002, MG3003); policies from elsewhere are there throughout,
// until the script deletes them.
func TestScriptsFollowTheirEgressPolicies(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
	off := stepsPatch(`{"spec":{"traffic":{"enableEgress":false}}}`)
	on := stepsPatch(`{"spec":{"traffic":{"enableEgress":true}}}`)
	policyOff := stepsPatch(`{"spec":{"featureFlags":{"enableEgressPolicy":false}}}`)
	// off: line 1; the Egress: lines 2 to 10 (judged at 2); then line 11 on.
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []string // rule@file:line, sorted
	}{{
		name:  "passthrough turned on above the script's first policy",
		files: map[string]string{"run.sh": off + on + stepsEgress},
		want:  []string{"MG3001@run.sh:4"},
	}, {
		name:  "passthrough turned on below it",
		files: map[string]string{"run.sh": off + stepsEgress + on},
		want:  []string{"MG3002@run.sh:11"},
	}, {
		name:  "deleted by name",
		files: map[string]string{"run.sh": off + stepsEgress + "kubectl delete egress httpbin -n curl\n" + on},
		want:  []string{},
	}, {
		name:  "deleted by name in kubectl's current namespace",
		files: map[string]string{"run.sh": off + stepsEgress + "kubectl delete egress/httpbin\n" + on},
		want:  []string{},
	}, {
		name:  "a policy of that name in another namespace",
		files: map[string]string{"run.sh": off + stepsEgress + "kubectl delete egress httpbin -n other\n" + on},
		want:  []string{"MG3002@run.sh:12"},
	}, {
		name:  "deleted with its namespace",
		files: map[string]string{"run.sh": off + stepsEgress + "kubectl delete namespace curl --wait=false\n" + on},
		want:  []string{},
	}, {
		name:  "deleted with every policy of its namespace",
		files: map[string]string{"run.sh": off + stepsEgress + "kubectl delete egress --all -n curl\n" + on},
		want:  []string{},
	}, {
		name:  "a dry run deletes nothing",
		files: map[string]string{"run.sh": off + stepsEgress + "kubectl delete egress httpbin -n curl --dry-run=server\n" + on},
		want:  []string{"MG3002@run.sh:12"},
	}, {
		name:  "a label selector may delete anything: the policy is kept",
		files: map[string]string{"run.sh": off + stepsEgress + "kubectl delete egress -l app=curl -n curl\n" + on},
		want:  []string{"MG3002@run.sh:12"},
	}, {
		name:  "deleted, then applied again",
		files: map[string]string{"run.sh": off + stepsEgress + "kubectl delete egress httpbin -n curl\n" + strings.Replace(stepsEgress, "\n", " \n", 1) + on},
		want:  []string{"MG3002@run.sh:21"},
	}, {
		name:  "the Egress policy feature turned off once the policy is deleted",
		files: map[string]string{"run.sh": off + stepsEgress + "kubectl delete egress httpbin -n curl\n" + policyOff},
		want:  []string{},
	}, {
		name:  "the Egress policy feature turned off before the policy is deleted",
		files: map[string]string{"run.sh": off + stepsEgress + policyOff + "kubectl delete egress httpbin -n curl\n"},
		want:  []string{"MG3003@run.sh:11"},
	}, {
		name: "a manifest the script applies, then deletes",
		files: map[string]string{
			"egress.yaml": stepsEgressManifest,
			"run.sh":      off + on + "kubectl apply -f egress.yaml\nkubectl delete -f egress.yaml\n" + off + on,
		},
		// The manifest is judged where the script applies it (passthrough on).
		want: []string{"MG3001@egress.yaml:1"},
	}, {
		name: "a manifest the script applies with its folder, then deletes with it",
		files: map[string]string{
			"policies/egress.yaml": stepsEgressManifest,
			"run.sh":               off + "kubectl apply -f policies/\n" + on + "kubectl delete -f policies/\n" + on,
		},
		want: []string{"MG3002@run.sh:3"},
	}, {
		name: "a policy the cluster has (a manifest the script does not apply) is there from the first line",
		files: map[string]string{
			"egress.yaml": stepsEgressManifest,
			"run.sh":      off + on,
		},
		want: []string{"MG3001@egress.yaml:1", "MG3002@run.sh:2"},
	}, {
		name: "until the script deletes it",
		files: map[string]string{
			"egress.yaml": stepsEgressManifest,
			"run.sh":      "kubectl delete egress httpbin -n curl\n" + off + on,
		},
		want: []string{"MG3001@egress.yaml:1"},
	}, {
		name: "a manifest without a namespace, applied into one and deleted there",
		files: map[string]string{
			"egress.yaml": strings.Replace(stepsEgressManifest, ", namespace: curl}", "}", 1),
			"run.sh":      off + "kubectl apply -n curl -f egress.yaml\nkubectl delete egress httpbin -n curl\n" + on + "kubectl apply -n curl -f egress.yaml\nkubectl delete ns curl\n" + on,
		},
		// (MG3001: the script applies the manifest once with passthrough on.)
		want: []string{"MG3001@egress.yaml:1"},
	}, {
		name: "a delete in a function runs where the function is called, if at all",
		files: map[string]string{
			"egress.yaml": stepsEgressManifest,
			"run.sh":      "cleanup() {\n  kubectl delete egress httpbin -n curl\n}\n" + off + on + "cleanup\n",
		},
		want: []string{"MG3001@egress.yaml:1", "MG3002@run.sh:5"},
	}, {
		name:  "a runbook's policy counts from its block on",
		files: map[string]string{"a.md": "```bash\n" + off + on + "```\n\n```bash\n" + stepsEgress + "kubectl delete egress httpbin -n curl\n" + off + "```\n\n```sh\n" + on + "```\n"},
		want:  []string{"MG3001@a.md:8"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			if got, res := findingsIn(ctx, t, e, tc.files); strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("findings %v, want %v\n%+v", got, tc.want, res.Findings)
			}
		})
	}
}
