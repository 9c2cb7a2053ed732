package source

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const writtenEgress = "apiVersion: policy.openservicemesh.io/v1alpha1\n" +
	"kind: Egress\n" +
	"metadata:\n" +
	"  name: %s\n" +
	"  namespace: curl\n" +
	"spec:\n" +
	"  ports:\n" +
	"  - {number: 80, protocol: grpc}\n"

// TestScriptAppliesWhatItWrote: a file the script writes with a
// here-document and applies with -f is read from the here-document, at its
// lines, whatever a file of that name on disk holds; one it writes or
// changes otherwise names what it may hold, not checked.
func TestScriptAppliesWhatItWrote(t *testing.T) {
	dir := t.TempDir()
	// On disk, egress.yaml is another policy: the script overwrites it.
	if err := os.WriteFile(filepath.Join(dir, "egress.yaml"), []byte(fmt.Sprintf(writtenEgress, "on-disk")), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tmpl.yaml"), []byte(fmt.Sprintf(writtenEgress, "templated")), 0o644); err != nil {
		t.Fatal(err)
	}
	src := "cat > egress.yaml <<EOF\n" + // 1
		fmt.Sprintf(writtenEgress, "a") + // 2-9
		"EOF\n" + // 10
		"kubectl apply -f egress.yaml\n" + // 11
		"cat egress.yaml\n" + // 12: reads it, changes nothing
		"kubectl apply -f - < egress.yaml\n" + // 13
		"cat ./egress.yaml | kubectl create -f -\n" + // 14
		"cat <<'EOF' | tee \"$DIR/b.yaml\" >/dev/null\n" + // 15
		fmt.Sprintf(writtenEgress, "b") + // 16-23
		"EOF\n" + // 24
		"kubectl apply -f \"${DIR}\"/b.yaml --filename=$DIR/b.yaml\n" + // 25
		"DIR=/elsewhere\n" + // 26
		"kubectl apply -f $DIR/b.yaml\n" + // 27: another file now
		"sed -i 's/a/c/' egress.yaml\n" + // 28
		"kubectl apply -f egress.yaml\n" + // 29
		"kubectl get meshconfig osm-mesh-config -n osm-system -o yaml > mc.yaml\n" + // 30
		"kubectl apply -f mc.yaml\n" + // 31
		"envsubst < tmpl.yaml > out.yaml\n" + // 32
		"kubectl apply -f out.yaml\n" + // 33
		"helm template x > all.yaml\n" + // 34
		"kubectl apply -f all.yaml\n" // 35
	var docs []*Document
	var refs []string
	s := &Script{File: "s.sh", Dir: dir, Bases: stubBases{},
		Emit: func(d *Document) error { docs = append(docs, d); return nil },
		Ref:  func(r Ref) { refs = append(refs, fmt.Sprintf("%s:%d", filepath.Base(r.Path), r.At.Line)) },
	}
	if err := s.Scan([]byte(src)); err != nil {
		t.Fatal(err)
	}
	if len(refs) != 0 {
		t.Errorf("files read from disk: %q, want none", refs)
	}
	var got []string
	for _, d := range docs {
		line := d.Line
		if d.Patch == nil {
			line = d.LineOf("spec.ports[0].protocol")
		}
		g := fmt.Sprintf("%d@%d %s %s", line, d.Command.Line, d.Kind(), d.Name())
		if d.Patch != nil {
			g += ": " + d.Patch.Unresolved
		}
		got = append(got, g)
	}
	want := []string{
		"9@11 Egress a",
		"9@13 Egress a",
		"9@14 Egress a",
		"23@25 Egress b",
		"23@25 Egress b",
		"29@29 Egress a: it applies egress.yaml, which sed -i 's/a/c/' egress.yaml changes at line 28, so meshguard cannot read it",
		"31@31 MeshConfig osm-mesh-config: it applies mc.yaml, which kubectl get meshconfig osm-mesh-config -n osm-system -o yaml > mc.yaml writes at line 30, so meshguard cannot read it",
		"33@33 Egress templated: it applies out.yaml, which envsubst < tmpl.yaml > out.yaml writes at line 32, so meshguard cannot read it",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("documents:\n got %q\nwant %q", got, want)
	}
}

// TestScriptAppendsToWhatItWrote: here-documents appended to a file are
// applied one after another when each starts a document of its own, and
// reported not checked when kubectl would read them run together.
func TestScriptAppendsToWhatItWrote(t *testing.T) {
	for _, tc := range []struct {
		sep  string
		want []string
	}{
		{"---\n", []string{"a 9", "b 20"}},
		{"", []string{"a unresolved", "b unresolved"}},
	} {
		src := "cat <<EOF > e.yaml\n" + fmt.Sprintf(writtenEgress, "a") + "EOF\n" +
			"tee -a e.yaml <<EOF\n" + tc.sep + fmt.Sprintf(writtenEgress, "b") + "EOF\n" +
			"kubectl apply -f e.yaml\n"
		docs, refs, err := scan(t, src)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, d := range docs {
			if d.Patch != nil && d.Patch.Unresolved != "" {
				got = append(got, d.Name()+" unresolved")
			} else {
				got = append(got, fmt.Sprintf("%s %d", d.Name(), d.LineOf("spec.ports[0].protocol")))
			}
		}
		if !reflect.DeepEqual(got, tc.want) || len(refs) != 0 {
			t.Errorf("separator %q: got %q (refs %q), want %q", tc.sep, got, refs, tc.want)
		}
	}
}

// TestRunbookAppliesWhatAnEarlierBlockWrote: the blocks of a runbook are one
// session, as for the variables they assign.
func TestRunbookAppliesWhatAnEarlierBlockWrote(t *testing.T) {
	md := "Write it:\n\n```bash\ncat <<EOF > e.yaml\n" + fmt.Sprintf(writtenEgress, "a") + "EOF\n```\n\n" +
		"Apply it:\n\n```bash\nkubectl apply -f e.yaml\nkubectl delete -f e.yaml\n```\n"
	var docs []*Document
	var deletions []Deletion
	sc := &Scanner{Bases: stubBases{}, Emit: func(d *Document) error { docs = append(docs, d); return nil },
		Ref: func(r Ref) { t.Errorf("read %s from disk", r.Path) }, Delete: func(d Deletion) { deletions = append(deletions, d) }}
	if err := sc.Markdown("rb.md", []byte(md)); err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 || docs[0].Name() != "a" || docs[0].LineOf("spec.ports[0].protocol") != 12 || docs[0].Command.Line != 19 {
		var got []string
		for _, d := range docs {
			got = append(got, fmt.Sprintf("%s@%d", d.Name(), d.Command.Line))
		}
		t.Errorf("documents %q, want the policy of the first block, applied at line 19", got)
	}
	if len(deletions) != 1 || !reflect.DeepEqual(deletions[0].Egresses, []Name{{"curl", "a"}}) || deletions[0].Unknown || len(deletions[0].Files) != 0 {
		t.Errorf("deletions %+v, want curl/a", deletions)
	}
}

// TestScriptWrittenFilesOfOtherCommands: what only reads a file leaves the
// record alone; a file appended to that the script did not write, or a
// here-document written somewhere else, is not taken for the file applied.
func TestScriptWrittenFilesOfOtherCommands(t *testing.T) {
	src := "cat <<EOF > /dev/null\n" + fmt.Sprintf(writtenEgress, "a") + "EOF\n" +
		"cat <<EOF > e.yaml 2>/dev/null\n" + fmt.Sprintf(writtenEgress, "b") + "EOF\n" +
		"grep -q grpc e.yaml && yq e.yaml && sed 's/x/y/' e.yaml\n" +
		"cat <<EOF >> f.yaml\n" + fmt.Sprintf(writtenEgress, "c") + "EOF\n" +
		"kubectl apply -f e.yaml -f f.yaml\n"
	docs, _, err := scan(t, src)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range docs {
		g := d.Name()
		if d.Patch != nil && d.Patch.Unresolved != "" {
			g += ": " + d.Patch.Unresolved
		}
		got = append(got, g)
	}
	want := []string{"b", "c: it applies f.yaml, which cat <<EOF >> f.yaml changes at line 22, so meshguard cannot read it"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestScriptPatchFromCat: a patch the shell takes from cat, of a
// here-document or a file, is read as written; one with expansions of its
// own, or split by the shell, is not known.
func TestScriptPatchFromCat(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "patch.json"), []byte(`{"spec":{"traffic":{"enableEgress":false}}}`+"\n\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	const cmd = "kubectl patch meshconfig osm-mesh-config -n osm-system --type=merge "
	src := cmd + "-p \"$(cat <<'EOF'\n{\"spec\": {\"traffic\": {\"enableEgress\": false}}}\nEOF\n)\"\n" + // 1-4
		cmd + "--patch=\"$(cat <<EOF\n{\"spec\":{\"traffic\":{\"enableEgress\":false}}}\nEOF\n)\"\n" + // 5-8
		cmd + "-p \"$(cat patch.json)\"\n" + // 9
		cmd + "-p \"$(cat <<EOF\n{\"spec\":{\"traffic\":{\"enableEgress\":$OFF}}}\nEOF\n)\"\n" + // 10-13
		cmd + "-p $(cat <<'EOF'\n{\"spec\": {\"traffic\": {\"enableEgress\": false}}}\nEOF\n)\n" + // 14-17
		"cat <<'EOF' > p.json\n{\"spec\":{\"traffic\":{\"enableEgress\":true}}}\nEOF\n" + // 18-20
		cmd + "-p \"$(cat p.json)\"\n" // 21
	var docs []*Document
	s := &Script{File: "s.sh", Dir: dir, Bases: stubBases{}, Emit: func(d *Document) error { docs = append(docs, d); return nil }}
	if err := s.Scan([]byte(src)); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range docs {
		got = append(got, describe(d))
	}
	want := []string{"1 MeshConfig osm-system merge false", "5 MeshConfig osm-system merge false", "9 MeshConfig osm-system merge false",
		"10 MeshConfig osm-system merge unresolved", "14 MeshConfig osm-system merge unresolved", "21 MeshConfig osm-system merge true"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("documents:\n got %q\nwant %q", got, want)
	}
}

// TestScriptApplyKustomization: kubectl apply -k was passed over, the
// MeshConfig it applies staying what it was below. The objects its
// resources hold, as kustomize names them, are now reported not checked.
func TestScriptApplyKustomization(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"base/kustomization.yaml": "resources: [mc.yaml, eg.yaml, app.yaml]\n",
		"base/mc.yaml":            "apiVersion: config.openservicemesh.io/v1alpha2\nkind: MeshConfig\nmetadata: {name: osm-mesh-config, namespace: osm-system}\n",
		"base/eg.yaml":            "apiVersion: policy.openservicemesh.io/v1alpha1\nkind: Egress\nmetadata: {name: e}\n",
		"base/app.yaml":           "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n",
		"overlay/Kustomization":   "namespace: prod\nnameSuffix: -v2\nresources: [../base, ../overlay]\n",
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	src := "kubectl apply -k base -n curl\nkubectl create --kustomize=overlay\nkubectl apply -k \"$D\"\nkubectl apply -k https://github.com/x/y\n"
	var got []string
	s := &Script{File: "s.sh", Dir: dir, Bases: stubBases{}, Emit: func(d *Document) error {
		got = append(got, fmt.Sprintf("%d %s %s/%s %s", d.Line, d.Kind(), d.Namespace(), d.Name(), d.Patch.Source))
		if !strings.Contains(d.Patch.Unresolved, "kubectl kustomize ") {
			t.Errorf("%s: %q does not say what to run", d.Name(), d.Patch.Unresolved)
		}
		return nil
	}}
	if err := s.Scan([]byte(src)); err != nil {
		t.Fatal(err)
	}
	want := []string{"1 MeshConfig osm-system/osm-mesh-config kubectl apply -k", "1 Egress curl/e kubectl apply -k",
		"2 MeshConfig prod/osm-mesh-config-v2 kubectl create -k", "2 Egress prod/e-v2 kubectl create -k"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("documents:\n got %q\nwant %q", got, want)
	}
}

// TestScriptCopiesWhatItWrote: cp and mv change only their destination,
// which then holds what the script wrote to the source; chmod changes no
// content. cp took the source for changed, and its policy went unjudged.
func TestScriptCopiesWhatItWrote(t *testing.T) {
	src := "cat <<'EOF' > eg.yaml\n" + fmt.Sprintf(writtenEgress, "a") + "EOF\n" + // 1-10
		"cp eg.yaml eg.bak.yaml\nchmod 600 eg.yaml\n" + // 11-12
		"kubectl apply -f eg.yaml\n" + // 13
		"kubectl apply -f eg.bak.yaml\n" + // 14
		"mv -f eg.yaml moved.yaml\n" + // 15
		"kubectl apply -f moved.yaml -f eg.yaml\n" + // 16: eg.yaml is gone
		"cp /elsewhere/tmpl.yaml out.yaml\nkubectl apply -f out.yaml\n" // 17-18
	docs, refs, err := scan(t, src)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range docs {
		g := fmt.Sprintf("%d %s", d.Command.Line, d.Name())
		if d.Patch != nil {
			g += " unresolved"
		}
		got = append(got, g)
	}
	if want := []string{"13 a", "14 a", "16 a"}; !reflect.DeepEqual(got, want) {
		t.Errorf("documents %q, want %q", got, want)
	}
	if want := []string{"/runbooks/eg.yaml:16"}; !reflect.DeepEqual(refs, want) {
		t.Errorf("files read from disk %q, want %q (out.yaml is cp's, not the disk's)", refs, want)
	}
}

// TestScriptSendsWhatItWroteOnStdin: a written file named with a shell
// parameter and sent on standard input was dropped; so was deleting one
// with kubectl delete -f - < FILE.
func TestScriptSendsWhatItWroteOnStdin(t *testing.T) {
	src := "cat <<'EOF' > \"$DIR/eg.yaml\"\n" + fmt.Sprintf(writtenEgress, "a") + "EOF\n" + // 1-10
		"kubectl apply -f - < \"$DIR/eg.yaml\"\n" + // 11
		"cat \"${DIR}\"/eg.yaml | kubectl create -f -\n" + // 12
		"kubectl delete -f - < \"$DIR\"/eg.yaml\n" // 13
	var got []string
	var deletions []Deletion
	s := &Script{File: "s.sh", Dir: "/x", Bases: stubBases{},
		Emit:   func(d *Document) error { got = append(got, fmt.Sprintf("%d %s", d.Command.Line, d.Name())); return nil },
		Delete: func(d Deletion) { deletions = append(deletions, d) }}
	if err := s.Scan([]byte(src)); err != nil {
		t.Fatal(err)
	}
	if want := []string{"11 a", "12 a"}; !reflect.DeepEqual(got, want) {
		t.Errorf("documents %q, want %q", got, want)
	}
	if len(deletions) != 1 || !reflect.DeepEqual(deletions[0].Egresses, []Name{{"curl", "a"}}) || deletions[0].Unknown {
		t.Errorf("deletions %+v, want curl/a", deletions)
	}
}

// TestScriptAppliesAKustomizationItWrote: kubectl apply -k of a folder the
// script wrote its kustomization and resources into named nothing (they
// are not on disk), or what an older copy on disk held.
func TestScriptAppliesAKustomizationItWrote(t *testing.T) {
	src := "mkdir -p base\ncat <<'E' > base/kustomization.yaml\nresources: [mc.yaml]\nnamespace: prod\nE\n" +
		"cat <<'E' > base/mc.yaml\napiVersion: config.openservicemesh.io/v1alpha2\nkind: MeshConfig\nmetadata: {name: osm-mesh-config, namespace: osm-system}\nE\n" +
		"kubectl apply -k base\n"
	docs, _, err := scan(t, src)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 || docs[0].Kind() != "MeshConfig" || docs[0].Namespace() != "prod" || docs[0].Patch == nil || docs[0].Patch.Unresolved == "" {
		var got []string
		for _, d := range docs {
			got = append(got, describe(d))
		}
		t.Errorf("documents %q, want the MeshConfig not checked, in prod", got)
	}
}

// TestScriptChangesWhatItGot: kubectl get > mc.yaml, sed -i, kubectl apply:
// the sed forgot the kubectl get, and the MeshConfig went unnamed (no
// MG0003, the mesh above kept); curl -o replaces a written file.
func TestScriptChangesWhatItGot(t *testing.T) {
	src := "kubectl get meshconfig osm-mesh-config -n osm-system -o yaml > mc.yaml\n" +
		"sed -i 's/enableEgress: true/enableEgress: false/' mc.yaml\n" +
		"kubectl apply -f mc.yaml\n" +
		"cat <<'EOF' > eg.yaml\n" + fmt.Sprintf(writtenEgress, "a") + "EOF\n" + // 4-13
		"curl -sL -o eg.yaml https://example.com/eg.yaml\nkubectl apply -f eg.yaml\n" // 14-15
	docs, refs, err := scan(t, src)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range docs {
		got = append(got, fmt.Sprintf("%d %s %s: %s", d.Command.Line, d.Kind(), d.Name(), d.Patch.Unresolved))
	}
	want := []string{
		"3 MeshConfig osm-mesh-config: it applies mc.yaml, which sed -i 's/enableEgress: true/enableEgress: false/' mc.yaml changes at line 2, so meshguard cannot read it",
		// curl -o replaces the file: what the script wrote is gone, and
		// what the URL holds is not known (nor read from disk).
	}
	if !reflect.DeepEqual(got, want) || len(refs) != 0 {
		t.Errorf("documents:\n got %q\nwant %q (refs %q)", got, want, refs)
	}
}

// TestScriptAppliesAFolderItWrote: kubectl apply -f manifests/ of a folder
// the script wrote manifests into applies them, by name; -R takes its
// subfolders too. They were passed over.
func TestScriptAppliesAFolderItWrote(t *testing.T) {
	write := func(f, name string) string {
		return "cat <<'EOF' > " + f + "\n" + fmt.Sprintf(writtenEgress, name) + "EOF\n"
	}
	src := "mkdir -p m/sub\n" + write("m/b.yaml", "b") + write("m/a.yaml", "a") + write("m/sub/c.yaml", "c") + write("m/notes.txt", "n") +
		"kubectl apply -f m/\nkubectl apply -R -f m\n"
	docs, _, err := scan(t, src)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range docs {
		got = append(got, fmt.Sprintf("%d %s", d.Command.Line, d.Name()))
	}
	if want := []string{"42 a", "42 b", "43 a", "43 b", "43 c"}; !reflect.DeepEqual(got, want) {
		t.Errorf("documents %q, want %q", got, want)
	}
}

// TestScriptOtherWriters: echo and printf > FILE write their words, cp
// into a folder keeps the name, curl -o of a file the script had not
// written is not the file on disk, and -f /dev/stdin is standard input.
func TestScriptOtherWriters(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "m"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "got.yaml"), []byte(fmt.Sprintf(writtenEgress, "stale")), 0o644); err != nil {
		t.Fatal(err)
	}
	flow := `{"apiVersion":"policy.openservicemesh.io/v1alpha1","kind":"Egress","metadata":{"name":"%s","namespace":"curl"}}`
	src := "echo '" + fmt.Sprintf(flow, "echoed") + "' > e.yaml\nkubectl apply -f e.yaml\n" + // 1-2
		"cat <<'EOF' > c.yaml\n" + fmt.Sprintf(writtenEgress, "copied") + "EOF\n" + // 3-12
		"cp c.yaml m/\nkubectl apply -f m/c.yaml\n" + // 13-14
		"curl -sLo got.yaml https://example.com/x\nkubectl apply -f got.yaml\n" + // 15-16
		"kubectl apply -f /dev/stdin <<EOF\n" + fmt.Sprintf(writtenEgress, "stdin") + "EOF\n" // 17-26
	var got, refs []string
	s := &Script{File: "s.sh", Dir: dir, Bases: stubBases{},
		Emit: func(d *Document) error { got = append(got, fmt.Sprintf("%d %s", d.Command.Line, d.Name())); return nil },
		Ref:  func(r Ref) { refs = append(refs, filepath.Base(r.Path)) }}
	if err := s.Scan([]byte(src)); err != nil {
		t.Fatal(err)
	}
	if want := []string{"2 echoed", "14 copied", "17 stdin"}; !reflect.DeepEqual(got, want) || len(refs) != 0 {
		t.Errorf("documents %q (refs %q), want %q and nothing from disk", got, refs, want)
	}
}

// TestScriptGroupWrites: a group's redirection writes what its commands
// write: { cat <<EOF ... EOF; } > f and ( ... ) > f were never recorded,
// and a stale file on disk was judged instead.
func TestScriptGroupWrites(t *testing.T) {
	src := "{\n  cat <<'EOF'\n" + fmt.Sprintf(writtenEgress, "a") + "EOF\n} > a.yaml\n" + // 1-12
		"(\n  cat <<'EOF'\n" + fmt.Sprintf(writtenEgress, "b") + "EOF\n  echo '---'\n  cat <<'EOF'\n" + fmt.Sprintf(writtenEgress, "c") + "EOF\n) > b.yaml\n" +
		"kubectl apply -f a.yaml -f b.yaml\n"
	docs, refs, err := scan(t, src)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range docs {
		got = append(got, d.Name())
	}
	if want := []string{"a", "b", "c"}; !reflect.DeepEqual(got, want) || len(refs) != 0 {
		t.Errorf("documents %q (refs %q), want %q", got, refs, want)
	}
}
