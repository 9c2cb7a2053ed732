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
	"github.com/meshguard/meshguard/policies/report"
	"github.com/meshguard/meshguard/policies/source"
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

var stepsEgressManifest = strings.TrimPrefix(strings.TrimSuffix(stepsEgress, "EOF\n"), "kubectl apply -f - <<EOF\n")

const stepsMeshOff = `apiVersion: config.openservicemesh.io/v1alpha2
kind: MeshConfig
metadata: {name: osm-mesh-config, namespace: osm-system}
spec:
  traffic: {enableEgress: false, interceptionMode: iptables}
  certificate: {serviceCertValidityDuration: 24h, certKeyBitSize: 2048}
`

func stepsUpstream(name string) string {
	return "kubectl apply -f - <<EOF\napiVersion: policy.openservicemesh.io/v1alpha1\nkind: UpstreamTrafficSetting\n" +
		"metadata: {name: " + name + ", namespace: curl}\nspec:\n  host: httpbin.org\n  connectionSettings: {tcp: {maxConnections: 10}}\nEOF\n"
}

func stepsPatch(p string) string {
	return `kubectl patch meshconfig osm-mesh-config -n "$osm_namespace" --type=merge -p '` + p + "'\n"
}

// TestScriptsFollowTheirMeshConfig: a script or runbook is read as the
// sequence of commands it is. A MeshConfig patch governs the documents below
// it in the same file, and the next patch of that MeshConfig starts from it;
// above it, and in other files, the mesh is as it was.
func TestScriptsFollowTheirMeshConfig(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
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
		// (No MG3003 on the patch: the script has no Egress policy yet.)
		want: []string{"MG3003@run.sh:4"},
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
		name:  "installed with passthrough off",
		files: map[string]string{"run.sh": "osm install --mesh-name \"$mesh\" --set=osm.enableEgress=false\n" + stepsEgress},
		want:  []string{},
	}, {
		name:  "installed with helm, passthrough off",
		files: map[string]string{"run.sh": "helm install osm osm-edge/osm -n osm-system --set=osm.enableEgress=false\n" + stepsEgress},
		want:  []string{},
	}, {
		name:  "installed with the Egress policy feature off",
		files: map[string]string{"run.sh": "osm install --set osm.enableEgress=false,osm.featureFlags.enableEgressPolicy=false\n" + stepsEgress},
		want:  []string{"MG3003@run.sh:3"},
	}, {
		name:  "installed with values meshguard cannot read",
		files: map[string]string{"run.sh": "osm install -f values.yaml --set osm.enableEgress=false\n" + stepsEgress},
		want:  []string{"MG3001@run.sh:3"},
	}, {
		name: "installed, then patched",
		files: map[string]string{"run.md": "```bash\nosm install --set osm.enableEgress=false\n" +
			stepsPatch(`{"spec":{"traffic":{"enableEgress":true}}}`) + stepsEgress + "```\n"},
		want: []string{"MG3001@run.md:5"},
	}, {
		name: "a MeshConfig applied below the Egress governs only what follows",
		files: map[string]string{"run.sh": stepsEgress + "kubectl apply -f - <<EOF\n" + `apiVersion: config.openservicemesh.io/v1alpha2
kind: MeshConfig
metadata: {name: osm-mesh-config, namespace: osm-system}
spec:
  traffic: {enableEgress: false, interceptionMode: iptables}
  certificate: {serviceCertValidityDuration: 24h, certKeyBitSize: 2048}
EOF
`},
		want: []string{"MG3001@run.sh:2"},
	}, {
		name:  "installed below the Egress",
		files: map[string]string{"run.sh": stepsEgress + "osm install --set osm.enableEgress=false\n"},
		want:  []string{"MG3001@run.sh:2"},
	}, {
		// The folder's Egress is judged as a file, by its folder's mesh; the
		// script's patch below the install still sees it.
		name: "an install keeps the folder's Egress policies in its mesh",
		files: map[string]string{
			"egress.yaml": stepsEgressManifest,
			"run.sh":      "osm install --set osm.enableEgress=false\n" + stepsPatch(`{"spec":{"featureFlags":{"enableEgressPolicy":false}}}`),
		},
		want: []string{"MG3001@egress.yaml:1", "MG3003@run.sh:2"},
	}, {
		name: "a manifest the script applies below an install is judged in the mesh the install made",
		files: map[string]string{
			"egress.yaml": stepsEgressManifest,
			"run.sh":      "osm install --set osm.enableEgress=false\nkubectl apply -f egress.yaml\n",
		},
		want: []string{},
	}, {
		name: "a MeshConfig manifest the script applies governs what follows in it",
		files: map[string]string{
			"mesh/mc.yaml": stepsMeshOff,
			// Another mesh's, so that mesh/mc.yaml does not govern every file.
			"other/mc.yaml": strings.Replace(stepsMeshOff, "enableEgress: false", "enableEgress: true", 1),
			"run.sh":        "kubectl apply -f mesh/mc.yaml\n" + stepsEgress,
		},
		want: []string{},
	}, {
		name: "scripts that apply a manifest in different meshes leave it to its folder's",
		files: map[string]string{
			"egress.yaml": stepsEgressManifest,
			"off.sh":      "osm install --set osm.enableEgress=false\nkubectl apply -f egress.yaml\n",
			"on.sh":       "osm install --set osm.enableEgress=true\nkubectl apply -f egress.yaml\n",
		},
		want: []string{"MG3001@egress.yaml:1"},
	}, {
		name: "a manifest applied above any step keeps its folder's mesh",
		files: map[string]string{
			"egress.yaml": stepsEgressManifest,
			"run.sh":      "kubectl apply -f egress.yaml\nosm install --set osm.enableEgress=false\n",
		},
		want: []string{"MG3001@egress.yaml:1"},
	}, {
		name: "two patches on one line build on each other",
		files: map[string]string{"run.sh": strings.TrimSuffix(off, "\n") + " && " +
			stepsPatch(`{"spec":{"sidecar":{"logLevel":"debug"}}}`) + stepsEgress},
		want: []string{},
	}, {
		name:  "a dry run changes nothing",
		files: map[string]string{"run.sh": strings.TrimSuffix(off, "\n") + " --dry-run=server\n" + stepsEgress},
		want:  []string{"MG3001@run.sh:3"},
	}, {
		name: "a MeshConfig applied by the same command as the Egress governs it",
		files: map[string]string{
			"deploy/mesh.yaml":   stepsMeshOff,
			"deploy/egress.yaml": stepsEgressManifest,
			"other/mc.yaml":      strings.Replace(stepsMeshOff, "enableEgress: false", "enableEgress: true", 1),
			"run.sh":             "osm install\nkubectl apply -f deploy/\n",
		},
		want: []string{},
	}, {
		name: "kubectl apply -f of a folder reads its subfolders only with -R",
		files: map[string]string{
			"deploy/sub/mc.yaml": strings.Replace(stepsMeshOff, "enableEgress: false", "enableEgress: true", 1),
			"deploy/egress.yaml": stepsEgressManifest,
			"run.sh":             "osm install --set osm.enableEgress=false\nkubectl apply -f deploy/\n" + stepsEgress,
		},
		// sub/mc.yaml is an input of its own (MG3002), but not applied by
		// the script: egress.yaml and the Egress below stay in the mesh the
		// install made.
		want: []string{"MG3002@mc.yaml:5"},
	}, {
		name: "scripts that apply a manifest in the same mesh agree",
		files: map[string]string{
			"egress.yaml": stepsEgressManifest,
			"a.sh":        "osm install --set osm.enableEgress=false\nkubectl apply -f egress.yaml\n",
			"b.sh":        "osm install --set osm.enableEgress=false\nkubectl apply -f egress.yaml\n",
		},
		want: []string{},
	}, {
		name: "kubectl apply merges into the MeshConfig as it was",
		files: map[string]string{"run.sh": "osm install\nkubectl apply -f - <<EOF\n" + `apiVersion: config.openservicemesh.io/v1alpha2
kind: MeshConfig
metadata: {name: osm-mesh-config, namespace: osm-system}
spec:
  sidecar: {logLevel: debug}
EOF
` + stepsEgress},
		// The MeshConfig is judged as the update it makes, so the install's
		// interceptionMode is kept (no MG1012); the mesh below keeps the
		// install's enableEgress.
		want: []string{"MG3001@run.sh:10"},
	}, {
		name: "a script in another folder applies an Egress into its mesh",
		files: map[string]string{
			"envs/dev/mc.yaml":     stepsMeshOff,
			"envs/dev/egress.yaml": stepsEgressManifest,
			"envs/prod/mc.yaml":    strings.Replace(stepsMeshOff, "enableEgress: false", "enableEgress: true", 1),
			"scripts/deploy.sh": "kubectl apply -f ../envs/dev/mc.yaml\nkubectl apply -f ../envs/dev/egress.yaml\n" +
				stepsPatch(`{"spec":{"featureFlags":{"enableEgressPolicy":false}}}`),
		},
		want: []string{"MG3003@deploy.sh:3"},
	}, {
		name: "an Egress a script applies stays in its folder's mesh too, and out of others'",
		files: map[string]string{
			"envs/dev/mc.yaml":     strings.Replace(stepsMeshOff, "spec:\n", "spec:\n  featureFlags: {enableEgressPolicy: false}\n", 1),
			"envs/dev/egress.yaml": stepsEgressManifest,
			"envs/prod/mc.yaml":    stepsMeshOff,
			"scripts/deploy.sh":    "kubectl apply -f ../envs/dev/mc.yaml\nkubectl apply -f ../envs/dev/egress.yaml\n",
			"ops/disable.sh":       stepsPatch(`{"spec":{"featureFlags":{"enableEgressPolicy":false}}}`),
		},
		want: []string{"MG3003@egress.yaml:1", "MG3003@mc.yaml:5"},
	}, {
		name: "an Egress a dry run sends is not in the mesh",
		files: map[string]string{"run.sh": strings.Replace(stepsEgress, "kubectl apply -f -", "kubectl apply --dry-run=server -f -", 1) +
			stepsPatch(`{"spec":{"featureFlags":{"enableEgressPolicy":false}}}`)},
		want: []string{"MG3001@run.sh:2"},
	}, {
		name: "kubectl apply removes what the previous apply sent and this one leaves out",
		files: map[string]string{"run.sh": "osm install --set osm.enableEgress=false\n" + stepsEgress +
			"kubectl apply -f - <<EOF\n" + strings.Replace(stepsMeshOff, "enableEgress: false", "enableEgress: true", 1) + "EOF\n" +
			"kubectl apply -f - <<EOF\n" + strings.Replace(stepsMeshOff, "enableEgress: false, ", "", 1) + "EOF\n" +
			strings.Replace(stepsEgress, "name: httpbin,", "name: second,", 1)},
		// The first apply turns passthrough on while the first Egress is
		// there (MG3002); the second drops the field, so the Egress below
		// is in a mesh without passthrough.
		want: []string{"MG3002@run.sh:16"},
	}, {
		name:  "a kubectl apply that restates the MeshConfig changes nothing and says nothing",
		files: map[string]string{"run.sh": "osm install --set osm.enableEgress=false\nkubectl apply -f - <<EOF\n" + stepsMeshOff + "EOF\n"},
		want:  []string{},
	}, {
		name:  "a kubectl apply whose only field is misspelled changes nothing",
		files: map[string]string{"run.sh": "kubectl apply -f - <<EOF\n" + strings.Replace(stepsMeshOff, "enableEgress: false", "enableEngress: false", 1) + "EOF\n"},
		// kubectl apply validates strictly: the API server refuses the
		// unknown field, so the apply changes nothing (no MG1017).
		want: []string{"MG1001@run.sh:6"},
	}, {
		name:  "a kubectl apply --validate=false of a misspelled field changes nothing",
		files: map[string]string{"run.sh": "kubectl apply --validate=false -f - <<EOF\n" + strings.Replace(stepsMeshOff, "enableEgress: false", "enableEngress: false", 1) + "EOF\n"},
		// The field is dropped instead: the rest restates the install default.
		want: []string{"MG1001@run.sh:6", "MG1017@run.sh:5"},
	}, {
		name: "a kubectl apply the API server refuses leaves the MeshConfig as it was",
		files: map[string]string{"run.sh": "kubectl apply -f - <<EOF\n" + strings.Replace(stepsMeshOff, "interceptionMode: iptables", "interceptionMode: iptables, enableEngress: true", 1) + "EOF\n" +
			stepsEgress},
		// enableEgress: false is never stored: passthrough stays on below.
		want: []string{"MG1001@run.sh:6", "MG3001@run.sh:10"},
	}, {
		name: "a kubectl apply merges into the governing MeshConfig as stored",
		files: map[string]string{
			"mc.yaml": strings.Replace(stepsMeshOff, "interceptionMode: iptables", "interceptionMode: iptables, enableEngress: true", 1),
			"run.sh":  "kubectl apply -f - <<EOF\n" + strings.Replace(stepsMeshOff, "enableEgress: false, interceptionMode: iptables", "enableEngress: true", 1) + "EOF\n",
		},
		// The manifest's typo is not in the update, so the script's own is
		// denied, not taken for one that was there before.
		want: []string{"MG1001@mc.yaml:5", "MG1001@run.sh:6"},
	}, {
		name: "a kubectl apply that restates the governing MeshConfig says nothing of its typo",
		files: map[string]string{
			"mc.yaml": strings.Replace(stepsMeshOff, "interceptionMode: iptables", "interceptionMode: iptables, enableEngress: true", 1),
			"run.sh":  "kubectl apply -f - <<EOF\n" + stepsMeshOff + "EOF\n",
		},
		want: []string{"MG1001@mc.yaml:5"},
	}, {
		name:  "a kubectl apply of a MeshConfig osm-edge does not create is a create",
		files: map[string]string{"run.sh": "kubectl apply -f - <<EOF\n" + strings.Replace(strings.Replace(stepsMeshOff, "osm-mesh-config", "other-mesh-config", 1), ", interceptionMode: iptables", "", 1) + "EOF\n"},
		want:  []string{"MG1005@run.sh:4", "MG1012@run.sh:6"},
	}, {
		name:  "a MeshConfig applied with a value from a variable is not known below",
		files: map[string]string{"run.sh": "kubectl apply -f - <<EOF\n" + strings.Replace(stepsMeshOff, "enableEgress: false", "enableEgress: $EGRESS", 1) + "EOF\n" + stepsEgress},
		want:  []string{},
	}, {
		name: "a MeshConfig sent by a verb from a variable is not known below",
		files: map[string]string{
			"run.sh":     "kubectl \"$action\" -f - <<EOF\n" + strings.Replace(stepsMeshOff, "enableEgress: false", "enableEgress: true", 1) + "EOF\n" + strings.Replace(stepsEgress, "name: httpbin,", "name: second,", 1),
			"other.yaml": stepsEgressManifest,
		},
		// The MeshConfig is judged as written (MG3002: the cluster has
		// other.yaml's policy); it may have been deleted, so the Egress
		// below is not said to restrict nothing.
		want: []string{"MG3001@other.yaml:1", "MG3002@run.sh:6"},
	}, {
		name: "a runbook's Egress policies are in its cluster only",
		files: map[string]string{
			"a.md": "```bash\n" + stepsEgress + "```\n",
			"b.md": "```bash\nosm install --set osm.enableEgress=false\n" + stepsPatch(`{"spec":{"traffic":{"enableEgress":true}}}`) + "```\n",
		},
		// b.md turns passthrough on in a mesh without Egress policies: no
		// MG3002 naming a.md's.
		want: []string{"MG3001@a.md:3"},
	}, {
		name: "a runbook's UpstreamTrafficSettings are in its cluster only",
		files: map[string]string{
			"a.md": "```bash\n" + stepsUpstream("a") + "```\n",
			"b.md": "```bash\n" + stepsUpstream("b") + "```\n",
			"c.md": "```bash\n" + stepsUpstream("c1") + stepsUpstream("c2") + "```\n",
		},
		// Two settings for one host conflict in one page, not across pages.
		// (Both are named: a page's objects are not yet told apart by
		// their order.)
		want: []string{"MG3006@c.md:15", "MG3006@c.md:7"},
	}, {
		name: "an update does not repeat the warnings its object already drew",
		files: map[string]string{"a.md": "```yaml\n" + strings.Replace(stepsMeshOff, "enableEgress: false, interceptionMode: iptables", "enableEgress: true", 1) +
			"```\n\n```bash\n" + stepsPatch(`{"spec":{"sidecar":{"logLevel":"debug"}}}`) + stepsEgress +
			"kubectl patch egress httpbin -n curl --type=merge -p '{\"spec\":{\"hosts\":[\"httpbin.org\",\"example.org\"]}}'\n```\n"},
		// MG1012 where the MeshConfig is shown, MG3001 where the Egress is
		// applied; the patches of each say neither again.
		want: []string{"MG1012@a.md:6", "MG3001@a.md:13"},
	}, {
		name: "an update that makes a warned value wrong anew is warned again",
		files: map[string]string{"run.sh": "osm install --set=osm.enableEgress=false\n" +
			strings.Replace(strings.Replace(stepsEgress, "  hosts: [httpbin.org]\n", "", 1), "{number: 443, protocol: https}", "{number: 5432, protocol: tcp}", 1) +
			"kubectl patch egress httpbin -n curl --type=json -p '[{\"op\":\"replace\",\"path\":\"/spec/ports/0/number\",\"value\":3306}]'\n"},
		// MG2004 (a tcp port open to any host) where the Egress is applied,
		// and again for the new port the patch opens.
		want: []string{"MG2004@run.sh:10", "MG2004@run.sh:8"},
	}, {
		name:  "kubectl replace sends the MeshConfig whole",
		files: map[string]string{"run.sh": "kubectl replace -f - <<EOF\n" + strings.Replace(stepsMeshOff, ", interceptionMode: iptables", "", 1) + "EOF\n"},
		want:  []string{"MG1012@run.sh:6"},
	}, {
		name:  "kubectl create sends the MeshConfig as written",
		files: map[string]string{"run.sh": "kubectl create -f - <<EOF\napiVersion: config.openservicemesh.io/v1alpha2\nkind: MeshConfig\nmetadata: {name: osm-mesh-config, namespace: osm-system}\nspec:\n  sidecar: {logLevel: debug}\nEOF\n"},
		want:  []string{"MG1012@run.sh:5"},
	}, {
		name:  "a kubectl apply through v1alpha1 updates the MeshConfig as that version reads it",
		files: map[string]string{"run.sh": "kubectl apply -f - <<EOF\napiVersion: config.openservicemesh.io/v1alpha1\nkind: MeshConfig\nmetadata: {name: osm-mesh-config, namespace: osm-system}\nspec:\n  traffic: {enableEgress: false}\nEOF\n"},
		// Only the deprecation: the install default's v1alpha2-only fields
		// are not taken for unknown ones.
		want: []string{"MG1004@run.sh:2"},
	}, {
		name: "a here-document's MeshConfig and a patch on one line come in their order",
		files: map[string]string{"run.sh": "kubectl apply -f - <<EOF && " + strings.TrimSuffix(stepsPatch(`{"spec":{"sidecar":{"logLevel":"debug"}}}`), "\n") + "\n" +
			stepsMeshOff + "EOF\n" + stepsEgress},
		want: []string{},
	}, {
		name: "a script that only applies another folder's Egress leaves it to that folder's mesh",
		files: map[string]string{
			"envs/dev/mc.yaml":     stepsMeshOff,
			"envs/dev/egress.yaml": stepsEgressManifest,
			"envs/prod/mc.yaml":    strings.Replace(stepsMeshOff, "enableEgress: false", "enableEgress: true", 1),
			"scripts/deploy.sh":    "kubectl apply -f ../envs/dev/egress.yaml\n",
		},
		want: []string{},
	}, {
		name: "a MeshConfig in a file of any extension a script applies is a step",
		files: map[string]string{
			".conf/mc.txt": stepsMeshOff,
			"run.sh":       "kubectl apply -f .conf/mc.txt\n" + stepsEgress,
		},
		want: []string{},
	}, {
		name: "the files of one command are applied in turn",
		files: map[string]string{
			".conf/off.yaml": stepsMeshOff,
			".conf/log.yaml": "apiVersion: config.openservicemesh.io/v1alpha2\nkind: MeshConfig\nmetadata: {name: osm-mesh-config, namespace: osm-system}\nspec:\n  sidecar: {logLevel: debug}\n",
			"run.sh":         "osm install\nkubectl apply -f .conf/off.yaml -f .conf/log.yaml\n" + stepsEgress,
		},
		want: []string{"MG1012@log.yaml:4"},
	}, {
		name: "standard input takes its -f's place among the files of a command",
		files: map[string]string{
			".conf/off.yaml": stepsMeshOff,
			"run.sh":         "osm install\n" + strings.Replace(stepsEgress, "kubectl apply -f -", "kubectl apply -f .conf/off.yaml -f -", 1),
		},
		want: []string{},
	}, {
		// kubectl could not read a runbook as a manifest either; the hidden
		// folder keeps it out of the inputs, so only the script reaches it.
		name: "a runbook a script applies is not read as a manifest",
		files: map[string]string{
			".docs/notes.md": "not: a: manifest\n",
			"run.sh":         "kubectl apply -f .docs/notes.md\n",
		},
		want: []string{},
	}, {
		name: "a patch above a MeshConfig the script applies starts from the install defaults",
		files: map[string]string{"run.sh": stepsPatch(`{"spec":{"sidecar":{"logLevel":"debug"}}}`) + "kubectl apply -f - <<EOF\n" + `apiVersion: config.openservicemesh.io/v1alpha2
kind: MeshConfig
metadata: {name: osm-mesh-config, namespace: osm-system}
spec:
  traffic: {enableEgress: false}
  certificate: {serviceCertValidityDuration: 24h, certKeyBitSize: 2048}
EOF
`},
		// The patch's step is what the apply updates: the patch above leaves
		// the install's interceptionMode, and so does the apply.
		want: []string{},
	}, {
		name: "a MeshConfig shown in a runbook, then patched",
		files: map[string]string{"a.md": "```yaml\n" + `apiVersion: config.openservicemesh.io/v1alpha2
kind: MeshConfig
metadata: {name: osm-mesh-config, namespace: osm-system}
spec:
  traffic: {enableEgress: false, interceptionMode: iptables}
` + "```\n\n```bash\n" + stepsPatch(`{"spec":{"traffic":{"enableEgress":true}}}`) + stepsEgress + "```\n"},
		want: []string{"MG3001@a.md:12"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			if got, res := findingsIn(ctx, t, e, tc.files); strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("findings %v, want %v\n%+v", got, tc.want, res.Findings)
			}
		})
	}
}

// TestPatchBaseAmongManifests: a runbook's MeshConfig patch starts from the
// manifest of that name among the inputs only when there is one; of several
// (one per environment) none is meant, and the install defaults are the base.
func TestPatchBaseAmongManifests(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
	// certKeyBitSize 1024 is out of range: a patch that starts from such a
	// manifest carries it, and is told so at the patch's line.
	const manifest = `apiVersion: config.openservicemesh.io/v1alpha2
kind: MeshConfig
metadata: {name: osm-mesh-config, namespace: osm-system}
spec:
  traffic: {enableEgress: false, interceptionMode: iptables}
  certificate: {serviceCertValidityDuration: 24h, certKeyBitSize: 1024}
`
	runbook := "```bash\n" + stepsPatch(`{"spec":{"sidecar":{"logLevel":"debug"}}}`) + "```\n"
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  bool // whether the patch carries the manifest's certKeyBitSize
	}{
		{"one manifest", map[string]string{"prod/mc.yaml": manifest, "run.md": runbook}, true},
		{"one per environment", map[string]string{"prod/mc.yaml": manifest, "staging/mc.yaml": manifest, "run.md": runbook}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, tc.files)
			res, err := check.Run(ctx, e, check.Options{Paths: []string{dir}})
			if err != nil {
				t.Fatal(err)
			}
			carried := false
			var inRunbook []string
			for _, f := range res.Findings {
				if filepath.Base(f.File) != "run.md" {
					continue
				}
				inRunbook = append(inRunbook, f.Rule+"@"+f.Path)
				carried = carried || f.Path == "spec.certificate.certKeyBitSize"
			}
			if carried != tc.want {
				t.Errorf("the patch carries the manifest's certKeyBitSize: %v, want %v (runbook findings %v)", carried, tc.want, inRunbook)
			}
		})
	}
}

// TestPatchesReadInPart: a patch whose shell expansions stand for values is
// checked for its field names (a typo is still denied) and nothing else (a
// placeholder value breaks no enum), and says so (MG0003).
func TestPatchesReadInPart(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
	dir := t.TempDir()
	script := `kubectl patch meshconfig osm-mesh-config -n osm-system --type=merge -p "{\"spec\":{\"sidecar\":{\"logLevel\":\"$LEVEL\"}}}"
kubectl patch meshconfig osm-mesh-config -n osm-system --type=merge -p "{\"spec\":{\"traffic\":{\"enableEngress\":$OFF}}}"
` + stepsEgress
	writeTree(t, dir, map[string]string{"run.sh": script})
	res, err := check.Run(ctx, e, check.Options{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range res.Findings {
		got = append(got, f.Rule+"@"+strconv.Itoa(f.Line))
		if f.Rule == "MG1001" && !strings.Contains(f.Message, `did you mean "enableEgress"`) {
			t.Errorf("MG1001 without its suggestion: %s", f.Message)
		}
	}
	sort.Strings(got)
	// The Egress below gets no MG3001: after a patch meshguard reads only
	// in part it does not know the MeshConfig, and the rules that read it
	// stay silent.
	want := []string{"MG0003@1", "MG0003@2", "MG1001@2"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("findings %v, want %v\n%+v", got, want, res.Findings)
	}
}

// TestStepsDoNotDependOnFileOrder: a script's patch starts from the folder's
// MeshConfig whether the script's name sorts before or after it.
func TestStepsDoNotDependOnFileOrder(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
	const mesh = `apiVersion: config.openservicemesh.io/v1alpha2
kind: MeshConfig
metadata: {name: osm-mesh-config, namespace: osm-system}
spec:
  traffic: {enableEgress: false, interceptionMode: iptables}
  certificate: {serviceCertValidityDuration: 24h, certKeyBitSize: 2048}
`
	script := stepsPatch(`{"spec":{"sidecar":{"logLevel":"debug"}}}`) + stepsEgress
	for _, name := range []string{"a-run.sh", "z-run.sh"} {
		dir := t.TempDir()
		writeTree(t, dir, map[string]string{"m-mesh.yaml": mesh, name: script})
		res, err := check.Run(ctx, e, check.Options{Paths: []string{dir}})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range res.Findings {
			t.Errorf("%s: %s:%d: %s %s", name, filepath.Base(f.File), f.Line, f.Rule, f.Message)
		}
	}
}

// TestInputsNamedTwiceAreReadOnce: a file named by a relative and an
// absolute name, and inside a folder named too, is one input.
func TestInputsNamedTwiceAreReadOnce(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"e.yaml": stepsEgressManifest})
	t.Chdir(dir)
	res, err := check.Run(ctx, e, check.Options{Paths: []string{"e.yaml", filepath.Join(dir, "e.yaml"), "."}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary.Files != 1 || len(res.Findings) != 1 {
		t.Errorf("%d files, %d findings; want 1 and 1 (MG3001): %+v", res.Summary.Files, len(res.Findings), res.Findings)
	}
}

// TestFolderOfAFileNamedAbsolutely: a file named by its absolute name
// belongs to the folder named relatively, whose MeshConfig governs it.
func TestFolderOfAFileNamedAbsolutely(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"dev/egress.yaml": stepsEgressManifest, "dev/mc.yaml": stepsMeshOff,
		"prod/mc.yaml": strings.Replace(stepsMeshOff, "enableEgress: false", "enableEgress: true", 1)})
	t.Chdir(dir)
	res, err := check.Run(ctx, e, check.Options{Paths: []string{filepath.Join(dir, "dev", "egress.yaml"), "dev", "prod"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Findings {
		t.Errorf("%s:%d: %s %s", f.File, f.Line, f.Rule, f.Message)
	}
}

// TestStepsDoNotDependOnInputOrder: the same inputs named in another order
// give the same findings.
func TestStepsDoNotDependOnInputOrder(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
	dir := t.TempDir()
	script := "osm install --set osm.enableEgress=false\nkubectl apply -f ../c/egress.yaml\n" + stepsPatch(`{"spec":{"featureFlags":{"enableEgressPolicy":false}}}`)
	writeTree(t, dir, map[string]string{"a/run.sh": script, "b/run.sh": script, "a/mc.yaml": stepsMeshOff, "b/mc.yaml": stepsMeshOff, "c/egress.yaml": stepsEgressManifest})
	var runs [][]string
	for _, order := range [][]string{{"a", "b", "c"}, {"b", "a", "c"}, {"c", "b", "a"}} {
		var paths []string
		for _, o := range order {
			paths = append(paths, filepath.Join(dir, o))
		}
		res, err := check.Run(ctx, e, check.Options{Paths: paths})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range res.Findings {
			rel, _ := filepath.Rel(dir, f.File)
			got = append(got, rel+":"+strconv.Itoa(f.Line)+":"+f.Rule)
		}
		sort.Strings(got)
		runs = append(runs, got)
	}
	for i := 1; i < len(runs); i++ {
		if strings.Join(runs[i], " ") != strings.Join(runs[0], " ") {
			t.Errorf("order %d: %v\norder 0: %v", i, runs[i], runs[0])
		}
	}
	if want := "a/run.sh:3:MG3003 b/run.sh:3:MG3003"; !strings.Contains(strings.Join(runs[0], " "), want) {
		t.Errorf("findings %v, want both patches flagged (%s)", runs[0], want)
	}
}

// TestAppliedFileJudgedAlikeWhateverTheScriptsAreCalled: a manifest two
// scripts apply in the same mesh is judged with the Egress policies of
// both scripts' meshes, whichever name sorts first.
func TestAppliedFileJudgedAlikeWhateverTheScriptsAreCalled(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
	db := strings.Replace(strings.Replace(stepsEgressManifest, "name: httpbin", "name: db", 1), "{number: 443, protocol: https}", "{number: 3306, protocol: tcp-server-first}", 1)
	other := strings.Replace(strings.Replace(stepsEgressManifest, "name: httpbin", "name: other", 1), "{number: 443, protocol: https}", "{number: 3306, protocol: tcp}", 1)
	both := "osm install\nkubectl apply -f ../prod/other.yaml\nkubectl apply -f ../dev/db.yaml\n"
	only := "osm install\nkubectl apply -f ../dev/db.yaml\n"
	var results []string
	for _, scripts := range [][2]string{{both, only}, {only, both}} {
		dir := t.TempDir()
		writeTree(t, dir, map[string]string{"dev/db.yaml": db, "dev/mc.yaml": stepsMeshOff, "prod/other.yaml": other,
			"prod/mc.yaml": stepsMeshOff, "a/run.sh": scripts[0], "z/run.sh": scripts[1]})
		res, err := check.Run(ctx, e, check.Options{Paths: []string{dir}})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range res.Findings {
			if filepath.Base(f.File) == "db.yaml" {
				got = append(got, f.Rule)
			}
		}
		sort.Strings(got)
		results = append(results, strings.Join(got, " "))
	}
	if results[0] != results[1] || !strings.Contains(results[0], "MG2013") {
		t.Errorf("findings on db.yaml: %q and %q; want the same, with MG2013", results[0], results[1])
	}
}

// writeTree writes files (by path under dir) and their folders.
// findingsIn checks files, written to a folder, and returns the findings
// as rule@file:line, sorted, with the result; an input error fails the
// test.
// newEngine builds the engine a test runs the checks with.
func newEngine(t *testing.T) *policies.Engine {
	t.Helper()
	e, err := policies.New(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func findingsIn(ctx context.Context, t *testing.T, e *policies.Engine, files map[string]string) ([]string, report.Result) {
	t.Helper()
	dir := t.TempDir()
	writeTree(t, dir, files)
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
	return got, res
}

func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestApplyKeepsTheScriptsOwnDenials: a script's kubectl apply updates the
// MeshConfig as stored, so a typo the governing manifest (or --mesh-config)
// has is not in the update's old object, and the same typo in the script is
// denied, not taken for one the MeshConfig already had.
func TestApplyKeepsTheScriptsOwnDenials(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
	mc := strings.Replace(stepsMeshOff, "interceptionMode: iptables", "interceptionMode: iptables, enableEngress: true", 1)
	run := "kubectl apply -f - <<EOF\n" + strings.Replace(stepsMeshOff, "enableEgress: false, interceptionMode: iptables", "enableEngress: true", 1) + "EOF\n"
	var fixed map[string]any
	if err := source.DecodeYAML("mc.yaml", strings.NewReader(mc), 0, func(d *source.Document) error { fixed = d.Object; return nil }); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		files map[string]string
		opts  check.Options
	}{
		{"a manifest in the folder", map[string]string{"mc.yaml": mc, "run.sh": run}, check.Options{}},
		{"--mesh-config", map[string]string{"run.sh": run}, check.Options{MeshConfig: fixed}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, tc.files)
			tc.opts.Paths = []string{filepath.Join(dir, "run.sh")}
			res, err := check.Run(ctx, e, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			denied := false
			for _, f := range res.Findings {
				if f.Rule == "MG1001" && f.Line == 6 {
					denied = f.Severity == policies.Deny
				}
			}
			if !denied {
				t.Errorf("the script's enableEngress is not denied at run.sh:6: %+v", res.Findings)
			}
		})
	}
}

// TestStepsThroughStandardInput: a MeshConfig a script sends on standard
// input from a file (kubectl apply -f - < FILE, cat FILE | kubectl apply
// -f -) is read as kubectl apply -f FILE is, so the Egress below is judged
// with passthrough off; one it changes through commands meshguard does not
// run (kubectl get | jq | kubectl apply, kubectl edit, envsubst < FILE) is
// not known, so MG3001 stays silent rather than say passthrough is on.
func TestStepsThroughStandardInput(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
	for _, tc := range []struct {
		name, command string
		want          []string
	}{
		{"redirect", "kubectl apply -f - < mesh-off.yaml\n", nil},
		{"cat", "cat mesh-off.yaml | kubectl apply -f -\n", nil},
		{"jq", "kubectl get meshconfig osm-mesh-config -n osm-system -o json | jq '.spec.traffic.enableEgress = false' | kubectl apply -f -\n", []string{"MG0003@1"}},
		{"edit", "kubectl edit meshconfig osm-mesh-config -n osm-system\n", []string{"MG0003@1"}},
		{"envsubst", "envsubst < mesh-off.yaml | kubectl apply -f -\n", []string{"MG0003@1"}},
		{"dry run", "kubectl get meshconfig osm-mesh-config -n osm-system -o json | jq '.spec.traffic.enableEgress = false' | kubectl apply --dry-run=server -f -\n", []string{"MG0003@1", "MG3001@3"}},
		{"nothing", "kubectl get meshconfig -A\n", []string{"MG3001@3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			// mesh-off.yaml is not among the paths: only the commands
			// that read it make it known.
			writeTree(t, dir, map[string]string{"run.sh": tc.command + stepsEgress, "mesh-off.yaml": stepsMeshOff})
			res, err := check.Run(ctx, e, check.Options{Paths: []string{filepath.Join(dir, "run.sh")}})
			if err != nil {
				t.Fatal(err)
			}
			wantFindingLines(t, res, tc.want...)
		})
	}
}

// TestInlineCommandsAreExamples: a kubectl patch quoted in a runbook's
// prose is checked at its line (the typo denied), but is not a step: the
// Egress block below is still judged with passthrough on.
func TestInlineCommandsAreExamples(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
	runbook := "Turn passthrough off with `kubectl patch meshconfig osm-mesh-config -n osm-system -p '{\"spec\":{\"traffic\":{\"enableEngress\":false,\"enableEgress\":false}}}' --type=merge`.\n\n" +
		"```bash\n" + stepsEgress + "```\n"
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"run.md": runbook})
	res, err := check.Run(ctx, e, check.Options{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	wantFindingLines(t, res, "MG1001@1", "MG3001@5")
}

// TestRefusedCommandsChangeNothing: a patch or an apply whose MeshConfig
// the API server's schema rejects (a string where a boolean goes) is
// refused, so the MeshConfig stays as it was: the Egress below is judged
// with passthrough still on, and the next patch does not carry the
// rejected value ("already so before this update").
func TestRefusedCommandsChangeNothing(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
	next := stepsPatch(`{"spec":{"sidecar":{"logLevel":"debug"}}}`) + stepsEgress
	for _, tc := range []struct {
		name, script string
		want         []string
	}{
		// MG1002 on the refused command, MG3001 on the Egress below the
		// next patch, nothing on that patch.
		{"patch", stepsPatch(`{"spec":{"traffic":{"enableEgress":"false"}}}`) + next, []string{"MG1002@1", "MG3001@4"}},
		{"apply", refusedMesh("apply") + next, []string{"MG1002@6", "MG3001@10"}},
		// replace --force deletes the MeshConfig before the create is
		// refused: it is gone, and the Egress is not judged against it.
		{"replace --force", refusedMesh("replace --force") + "\n" + stepsEgress, []string{"MG1002@6"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, map[string]string{"run.sh": tc.script})
			res, err := check.Run(ctx, e, check.Options{Paths: []string{dir}})
			if err != nil {
				t.Fatal(err)
			}
			wantFindingLines(t, res, tc.want...)
		})
	}
}

// refusedMesh is a kubectl command (apply, replace --force) of a
// MeshConfig the API server's schema refuses, its bad value at line 6.
func refusedMesh(verb string) string {
	return "kubectl " + verb + " -f - <<EOF\napiVersion: config.openservicemesh.io/v1alpha2\nkind: MeshConfig\nmetadata: {name: osm-mesh-config, namespace: osm-system}\nspec:\n  traffic: {enableEgress: \"false\", interceptionMode: iptables}\nEOF\n"
}

// wantFindingLines checks a run's findings, as RULE@LINE, sorted.
func wantFindingLines(t *testing.T, res report.Result, want ...string) {
	t.Helper()
	var got []string
	for _, f := range res.Findings {
		got = append(got, f.Rule+"@"+strconv.Itoa(f.Line))
	}
	sort.Strings(got)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("findings %v, want %v\n%+v", got, want, res.Findings)
	}
}
