package check_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

// TestScriptsReapplyEgress: a script's second kubectl apply of an Egress
// policy updates what its first one stored, as on a cluster: the warnings
// the stored policy drew are not told again, and what it had is not
// denied again; a denied apply stored nothing, a delete removed it.
func TestScriptsReapplyEgress(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
	// stepsEgress is lines 1 to 9: the policy at 2, its port at 8 (MG3001
	// warns: passthrough is on in the install defaults); a second copy
	// right below is at 11, its port at 17.
	grpc := strings.Replace(stepsEgress, "protocol: https", "protocol: grpc", 1)
	other := strings.Replace(stepsEgress, "namespace: curl}", "namespace: other}", 1)
	missingSetting := strings.Replace(stepsEgress, "ports: [{number: 443, protocol: https}]",
		"ports: [{number: 443, protocol: https}]\n  matches: [{apiGroup: policy.openservicemesh.io/v1alpha1, kind: UpstreamTrafficSetting, name: nope}]", 1)
	tcp := strings.Replace(stepsEgress, "ports: [{number: 443, protocol: https}]", "ports: [{number: 443, protocol: https}, {number: 5432, protocol: tcp}]", 1)
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []string // rule@file:line, sorted
	}{{
		name:  "applied twice",
		files: map[string]string{"run.sh": stepsEgress + stepsEgress},
		want:  []string{"MG3001@run.sh:2"},
	}, {
		name:  "created, then applied",
		files: map[string]string{"run.sh": strings.Replace(stepsEgress, "apply", "create", 1) + stepsEgress},
		want:  []string{"MG3001@run.sh:2"},
	}, {
		name:  "applied twice, replaced",
		files: map[string]string{"run.sh": stepsEgress + strings.Replace(stepsEgress, "apply", "replace", 1)},
		want:  []string{"MG3001@run.sh:2"},
	}, {
		name:  "created twice: the second create fails, and is judged as a create",
		files: map[string]string{"run.sh": strings.Replace(stepsEgress, "apply", "create", 1) + strings.Replace(stepsEgress, "apply", "create", 1)},
		want:  []string{"MG3001@run.sh:11", "MG3001@run.sh:2"},
	}, {
		name:  "a create of a policy that exists fails: the next apply updates the first",
		files: map[string]string{"run.sh": stepsEgress + strings.Replace(tcp, "apply", "create", 1) + tcp},
		want:  []string{"MG2004@run.sh:17", "MG2004@run.sh:26", "MG3001@run.sh:11", "MG3001@run.sh:2"},
	}, {
		name:  "replace --force deletes, then creates",
		files: map[string]string{"run.sh": stepsEgress + strings.Replace(stepsEgress, "apply -f", "replace --force -f", 1)},
		want:  []string{"MG3001@run.sh:11", "MG3001@run.sh:2"},
	}, {
		name:  "denied offline, warned at admission (MG3005): stored, then updated",
		files: map[string]string{"run.sh": stepsUpstream("other") + missingSetting + missingSetting},
		want:  []string{"MG3001@run.sh:10", "MG3005@run.sh:17", "MG3005@run.sh:27"},
	}, {
		name:  "deleted between",
		files: map[string]string{"run.sh": stepsEgress + "kubectl delete egress httpbin -n curl\n" + stepsEgress},
		want:  []string{"MG3001@run.sh:12", "MG3001@run.sh:2"},
	}, {
		name:  "deleted by a label selector between: maybe",
		files: map[string]string{"run.sh": stepsEgress + "kubectl delete egress -l app=httpbin -n curl\n" + stepsEgress},
		want:  []string{"MG3001@run.sh:12", "MG3001@run.sh:2"},
	}, {
		name:  "deleted by a name from a variable between: maybe",
		files: map[string]string{"run.sh": stepsEgress + "kubectl delete egress \"$NAME\" -n curl\n" + stepsEgress},
		want:  []string{"MG3001@run.sh:12", "MG3001@run.sh:2"},
	}, {
		name:  "deleted with the manifests of a variable between: maybe",
		files: map[string]string{"run.sh": stepsEgress + "kubectl delete -f \"$DIR\"\n" + stepsEgress},
		want:  []string{"MG3001@run.sh:12", "MG3001@run.sh:2"},
	}, {
		name:  "a selector delete of other kinds between",
		files: map[string]string{"run.sh": stepsEgress + "kubectl delete pods -l app=curl -n curl\n" + stepsEgress},
		want:  []string{"MG3001@run.sh:2"},
	}, {
		name:  "deleted in another namespace",
		files: map[string]string{"run.sh": stepsEgress + "kubectl delete egress httpbin -n other\n" + stepsEgress},
		want:  []string{"MG3001@run.sh:2"},
	}, {
		name:  "a denied apply stores nothing: the next is denied again",
		files: map[string]string{"run.sh": grpc + grpc},
		want:  []string{"MG2003@run.sh:17", "MG2003@run.sh:8", "MG3001@run.sh:11", "MG3001@run.sh:2"},
	}, {
		name:  "a fix after a denied apply is a create",
		files: map[string]string{"run.sh": grpc + stepsEgress},
		want:  []string{"MG2003@run.sh:8", "MG3001@run.sh:11", "MG3001@run.sh:2"},
	}, {
		name:  "an update that brings a denied value",
		files: map[string]string{"run.sh": stepsEgress + grpc},
		want:  []string{"MG2003@run.sh:17", "MG3001@run.sh:2"},
	}, {
		name:  "a policy of the same name in another namespace",
		files: map[string]string{"run.sh": stepsEgress + other},
		want:  []string{"MG3001@run.sh:11", "MG3001@run.sh:2"},
	}, {
		name:  "a dry run stores nothing",
		files: map[string]string{"run.sh": strings.Replace(stepsEgress, "apply -f", "apply --dry-run=client -f", 1) + stepsEgress},
		want:  []string{"MG3001@run.sh:11", "MG3001@run.sh:2"},
	}, {
		name:  "each script on its own",
		files: map[string]string{"a.sh": stepsEgress, "b.sh": stepsEgress},
		want:  []string{"MG3001@a.sh:2", "MG3001@b.sh:2"},
	}, {
		name:  "a runbook's YAML blocks are not commands",
		files: map[string]string{"run.md": "```yaml\n" + stepsEgressManifest + "```\n\n```yaml\n" + stepsEgressManifest + "```\n"},
		want:  []string{"MG3001@run.md:12", "MG3001@run.md:2"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := findingsIn(ctx, t, e, tc.files)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v\nwant %v", got, tc.want)
			}
		})
	}
}

// TestScriptPatchThroughAnotherVersion: kubectl patch
// meshconfigs.v1alpha1.config.openservicemesh.io reads and writes the
// MeshConfig through v1alpha1: MG1004 names what the write drops of the
// stored v1alpha2 object, and v1alpha2's fields are not unknown fields of
// the patch (the API server reads the object without them). The same patch
// through the preferred version is no use of v1alpha1.
func TestScriptPatchThroughAnotherVersion(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
	mesh := "apiVersion: config.openservicemesh.io/v1alpha2\nkind: MeshConfig\nmetadata: {name: osm-mesh-config, namespace: osm-system}\n" +
		"spec:\n  sidecar: {localProxyMode: PodIP, logLevel: error}\n  traffic: {enableEgress: true, interceptionMode: iptables}\n"
	patch := func(resource string) string {
		return "kubectl patch " + resource + ` osm-mesh-config -n osm-system --type merge -p '{"spec":{"traffic":{"enableEgress":false}}}'` + "\n"
	}
	// A patch that changes nothing: the API server writes nothing, so
	// nothing stored is dropped (MG1004 still warns of the version).
	t.Run("no change", func(t *testing.T) {
		same := "kubectl patch meshconfigs.v1alpha1.config.openservicemesh.io osm-mesh-config -n osm-system --type merge -p '{\"spec\":{\"traffic\":{\"enableEgress\":true}}}'\n"
		got, res := findingsIn(ctx, t, e, map[string]string{"mesh.yaml": mesh, "run.sh": same})
		if !reflect.DeepEqual(got, []string{"MG1004@run.sh:1"}) || strings.Contains(res.Findings[0].Message, "this update drops") {
			t.Errorf("got %v: %+v", got, res.Findings)
		}
	})
	for _, tc := range []struct {
		resource string
		want     []string
		dropped  bool
	}{
		{"meshconfigs.v1alpha1.config.openservicemesh.io", []string{"MG1004@run.sh:1"}, true},
		{"meshconfig.v1alpha1.config.openservicemesh.io", []string{"MG1004@run.sh:1"}, true},
		{"meshconfig", []string{}, false},
		{"meshconfigs.v1alpha2.config.openservicemesh.io", []string{}, false},
	} {
		t.Run(tc.resource, func(t *testing.T) {
			got, res := findingsIn(ctx, t, e, map[string]string{"mesh.yaml": mesh, "run.sh": patch(tc.resource)})
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %v\nwant %v", got, tc.want)
			}
			if tc.dropped && !strings.Contains(res.Findings[0].Message, `this update drops spec.sidecar.localProxyMode ("PodIP")`) {
				t.Errorf("MG1004 does not name the stored value the write drops: %s", res.Findings[0].Message)
			}
		})
	}
}
