package check_test

import (
	"strings"
	"testing"
)

// kubectl's field validation in scripts: cases a review found wrong.

// --validate=0 is kubectl's --validate=false (strconv.ParseBool): the
// misspelled field is dropped and the apply goes through. meshguard reads it
// as strict: "refuse the request", no MG1017, and the MeshConfig it applied
// (passthrough off) is not a step, so the Egress below gets a false MG3001.
func TestValidateZeroIsIgnore(t *testing.T) {
	typo := "kubectl apply --validate=0 -f - <<EOF\n" +
		strings.Replace(stepsMeshOff, "interceptionMode: iptables", "interceptionMode: iptables, enableEngress: true", 1) + "EOF\n"
	_, got := runTree(t, map[string]string{"run.sh": typo + stepsEgress})
	if hasFinding(got, "MG3001@") {
		t.Errorf("findings %q: the apply of enableEgress: false went through (--validate=0 is ignore), want no MG3001", got)
	}
	for _, g := range got {
		if strings.Contains(g, "refuse") {
			t.Errorf("--validate=0 does not refuse: %q", g)
		}
	}
	only := "kubectl apply --validate=0 -f - <<EOF\n" + strings.Replace(stepsMeshOff, "enableEgress: false", "enableEngress: false", 1) + "EOF\n"
	_, got = runTree(t, map[string]string{"run.sh": only})
	if !hasFinding(got, "MG1017@run.sh:5") {
		t.Errorf("findings %q, want MG1017 as for --validate=false", got)
	}
}

// A script's strict `kubectl apply -f mc.yaml` of a MeshConfig with a typo is
// refused by the API server just like the same MeshConfig in a here-document,
// but view.applied records it as a step: the Egress below is judged with
// passthrough off and MG3001 is lost (the here-document form reports it).
func TestStrictApplyOfAFileIsRefusedToo(t *testing.T) {
	// mesh.yaml (passthrough on) governs run.sh; cfg/mc.yaml turns it off
	// but has a typo, so the strict apply of it is refused.
	mesh := strings.Replace(stepsMeshOff, "enableEgress: false", "enableEgress: true", 1)
	mc := strings.Replace(stepsMeshOff, "interceptionMode: iptables", "interceptionMode: iptables, enableEngress: true", 1)
	_, got := runTree(t, map[string]string{"mesh.yaml": mesh, "cfg/mc.yaml": mc, "run.sh": "kubectl apply -f cfg/mc.yaml\n" + stepsEgress})
	if !hasFinding(got, "MG3001@run.sh:3") {
		t.Errorf("findings %q, want MG3001 at run.sh:3 (the apply of cfg/mc.yaml is refused: passthrough stays on, as with a here-document)", got)
	}
}

// kubectl replace --force deletes the object, then creates it; a strict
// create refused for an unknown field leaves no MeshConfig at all. The
// message says "nothing is changed".
func TestReplaceForceIsNotNothingChanged(t *testing.T) {
	run := "kubectl replace --force -f - <<EOF\n" +
		strings.Replace(stepsMeshOff, "interceptionMode: iptables", "interceptionMode: iptables, enableEngress: true", 1) + "EOF\n"
	_, got := runTree(t, map[string]string{"run.sh": run})
	for _, g := range got {
		if strings.HasPrefix(g, "MG1001") && strings.Contains(g, "nothing is changed") {
			t.Errorf("replace --force deletes the MeshConfig before the refused create: %q", g)
		}
	}
}

// --dry-run=client sends nothing; kubectl skips client-side validation when
// the server does field validation, so nothing refuses anything.
func TestClientDryRunIsNotRefused(t *testing.T) {
	run := "kubectl apply --dry-run=client -f - <<EOF\n" +
		strings.Replace(stepsMeshOff, "interceptionMode: iptables", "interceptionMode: iptables, enableEngress: true", 1) + "EOF\n"
	_, got := runTree(t, map[string]string{"run.sh": run})
	for _, g := range got {
		if strings.Contains(g, "refuse the request") {
			t.Errorf("a client dry run sends no request: %q", g)
		}
	}
}
