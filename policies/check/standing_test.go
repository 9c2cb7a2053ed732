package check_test

// Which warnings an update in a script repeats (withoutStanding): cases a
// review found wrong.

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/meshguard/meshguard/policies/check"
	"github.com/meshguard/meshguard/policies/source"
)

// A patch that sets a new bad value at a field the old object already had
// wrong draws a warning about the new value: it is this update's own.
func TestPatchReplacingABadValueIsReported(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
	dir := t.TempDir()
	script := "kubectl apply -f - <<EOF\napiVersion: config.openservicemesh.io/v1alpha2\nkind: MeshConfig\n" +
		"metadata: {name: osm-mesh-config, namespace: osm-system}\nspec:\n  traffic: {enableEgress: false, interceptionMode: iptables}\n" +
		"  observability: {osmLogLevel: verbose}\nEOF\n" +
		`kubectl patch meshconfig osm-mesh-config -n osm-system --type=merge -p '{"spec":{"observability":{"osmLogLevel":"critical"}}}'` + "\n"
	if err := os.WriteFile(filepath.Join(dir, "run.sh"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := check.Run(ctx, e, check.Options{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	var lines []int
	for _, f := range res.Findings {
		if f.Rule == "MG1018" {
			lines = append(lines, f.Line)
		}
	}
	if len(lines) != 2 {
		t.Errorf("MG1018 at lines %v, want the apply's and the patch's (which sets \"critical\")", lines)
	}
}

// validate patch --base: the base is no input, so its warnings are reported
// nowhere if the patch drops them; and the patch's own new port is not judged.
func TestValidatePatchKeepsTheBasesWarnings(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
	r, _ := source.LookupResource("egress")
	base := map[string]any{
		"apiVersion": "policy.openservicemesh.io/v1alpha1", "kind": "Egress",
		"metadata": map[string]any{"name": "db", "namespace": "curl"},
		"spec": map[string]any{
			"sources": []any{map[string]any{"kind": "ServiceAccount", "name": "curl", "namespace": "curl"}},
			"ports":   []any{map[string]any{"number": int64(5432), "protocol": "tcp"}},
		},
	}
	res, err := check.Run(ctx, e, check.Options{Patch: &check.Patch{Resource: r, Name: "db", Namespace: "curl", Type: "merge", Base: base,
		Body: []byte(`{"spec":{"ports":[{"number":5433,"protocol":"tcp"}]}}`)}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, f := range res.Findings {
		got[f.Rule] = true
	}
	if !got["MG2004"] || !got["MG3001"] {
		t.Errorf("findings %v, want MG2004 (port 5433 open to any destination) and MG3001 (passthrough on), as before 9ecf8bc", got)
	}
}

// A MeshConfig osm-edge never reads (MG1005) is told so where it comes in:
// a script's first patch of one no input shows (its base is assumed, the
// install defaults under that name), or its apply; the later patches, label
// and apply of it do not say it again, as for any warning it already drew.
func TestAnUnreadMeshConfigIsToldOnce(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
	apply := "kubectl apply -f - <<EOF\napiVersion: config.openservicemesh.io/v1alpha2\nkind: MeshConfig\n" +
		"metadata: {name: mesh-config, namespace: osm-system}\nspec:\n  traffic: {enableEgress: false, interceptionMode: iptables}\nEOF\n"
	patch := func(level string) string {
		return `kubectl patch meshconfig mesh-config -n osm-system --type=merge -p '{"spec":{"sidecar":{"logLevel":"` + level + `"}}}'` + "\n"
	}
	for _, tc := range []struct {
		name, script string
		want         []int
	}{
		{"patched twice, never shown", patch("debug") + patch("info"), []int{1}},
		{"applied, patched, applied again", apply + patch("debug") + apply, []int{4}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "run.sh"), []byte(tc.script), 0o644); err != nil {
				t.Fatal(err)
			}
			res, err := check.Run(ctx, e, check.Options{Paths: []string{dir}})
			if err != nil {
				t.Fatal(err)
			}
			var lines []int
			for _, f := range res.Findings {
				if f.Rule == "MG1005" {
					lines = append(lines, f.Line)
				}
			}
			if !slices.Equal(lines, tc.want) {
				t.Errorf("MG1005 at lines %v, want %v", lines, tc.want)
			}
		})
	}
}
