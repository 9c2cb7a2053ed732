package check_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/meshguard/meshguard/policies"
	"github.com/meshguard/meshguard/policies/check"
)

const stepsEgress = `kubectl apply -f - <<EOF
apiVersion: policy.openservicemesh.io/v1alpha1
kind: Egress
metadata: {name: httpbin, namespace: curl}
spec:
  sources: [{kind: ServiceAccount, name: curl, namespace: curl}]
  hosts: [httpbin.org]
  ports: [{number: 443, protocol: https}]
EOF
`

func stepsPatch(p string) string {
	return `kubectl patch meshconfig osm-mesh-config -n "$osm_namespace" --type=merge -p '` + p + "'\n"
}

// TestScriptsFollowTheirMeshConfig: a script or runbook is read as the
// sequence of commands it is. A MeshConfig patch governs the documents below
// it in the same file, and the next patch of that MeshConfig starts from it;
// above it, and in other files, the mesh is as it was.
func TestScriptsFollowTheirMeshConfig(t *testing.T) {
	ctx := context.Background()
	e, err := policies.New(ctx)
	if err != nil {
		t.Fatal(err)
	}
	off := stepsPatch(`{"spec":{"traffic":{"enableEgress":false}}}`)
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []string // rule@file:line, sorted
	}{{
		name:  "passthrough turned off above the Egress",
		files: map[string]string{"run.sh": off + stepsEgress},
		want:  []string{},
	}, {
		name:  "passthrough turned off below the Egress",
		files: map[string]string{"run.sh": stepsEgress + off},
		want:  []string{"MG3001@run.sh:2"},
	}, {
		name: "a misspelled patch below leaves passthrough off",
		files: map[string]string{"run.sh": off +
			stepsPatch(`{"spec":{"traffic":{"enableEngress":true}}}`) + stepsEgress},
		want: []string{"MG1001@run.sh:2", "MG1017@run.sh:2"},
	}, {
		name:  "a misspelled field does not outlive its patch",
		files: map[string]string{"run.sh": stepsPatch(`{"spec":{"traffic":{"enableEngress":false}}}`) + off + stepsEgress},
		want:  []string{"MG1001@run.sh:1", "MG1017@run.sh:1"},
	}, {
		name: "patches build on each other",
		files: map[string]string{"run.sh": off +
			stepsPatch(`{"spec":{"featureFlags":{"enableEgressPolicy":false}}}`) + stepsEgress},
		want: []string{"MG3003@run.sh:2", "MG3003@run.sh:4"},
	}, {
		name: "a json patch that does not apply leaves the MeshConfig as it was",
		files: map[string]string{"run.sh": `kubectl patch meshconfig osm-mesh-config -n osm-system --type=json -p '[{"op":"replace","path":"/spec/traffic/enableEgres","value":false}]'` + "\n" +
			stepsEgress},
		want: []string{"MG0002@run.sh:1", "MG3001@run.sh:3"},
	}, {
		name: "a runbook's steps stay in the runbook",
		files: map[string]string{
			"a.md": "```bash\n" + off + "```\n",
			"b.md": "```bash\n" + stepsEgress + "```\n",
		},
		want: []string{"MG3001@b.md:3"},
	}, {
		name: "a MeshConfig shown in a runbook, then patched",
		files: map[string]string{"a.md": "```yaml\n" + `apiVersion: config.openservicemesh.io/v1alpha2
kind: MeshConfig
metadata: {name: osm-mesh-config, namespace: osm-system}
spec:
  traffic: {enableEgress: false, interceptionMode: iptables}
` + "```\n\n```bash\n" + stepsPatch(`{"spec":{"traffic":{"enableEgress":true}}}`) + stepsEgress + "```\n"},
		want: []string{"MG3001@a.md:12", "MG3002@a.md:10"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, body := range tc.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			res, err := check.Run(ctx, e, check.Options{Paths: []string{dir}})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Errors) > 0 {
				t.Fatalf("input errors: %+v", res.Errors)
			}
			got := []string{}
			for _, f := range res.Findings {
				got = append(got, f.Rule+"@"+filepath.Base(f.File)+":"+strconv.Itoa(f.Line))
			}
			sort.Strings(got)
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("findings %v, want %v\n%+v", got, tc.want, res.Findings)
			}
		})
	}
}
