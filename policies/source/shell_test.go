package source

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// stubBases serves a MeshConfig base for any name and nothing else.
type stubBases struct{}

func (stubBases) Installed(namespace string, set map[string]any) map[string]any {
	traffic := map[string]any{"enableEgress": true}
	if v, ok := set["osm.enableEgress"]; ok {
		traffic["enableEgress"] = v
	}
	return map[string]any{
		"apiVersion": "config.openservicemesh.io/v1alpha2", "kind": "MeshConfig",
		"metadata": map[string]any{"name": "osm-mesh-config", "namespace": namespace},
		"spec":     map[string]any{"traffic": traffic},
	}
}

func (stubBases) Base(_ At, r Resource, namespace, name string) (map[string]any, bool) {
	if r.Kind != "MeshConfig" {
		return nil, false
	}
	return map[string]any{
		"apiVersion": r.APIVersion, "kind": r.Kind,
		"metadata": map[string]any{"name": name, "namespace": namespace},
		"spec":     map[string]any{"traffic": map[string]any{"enableEgress": true}},
	}, true
}

func scan(t *testing.T, src string) ([]*Document, []string, error) {
	t.Helper()
	var docs []*Document
	var refs []string
	s := &Script{File: "s.sh", Dir: "/runbooks", Bases: stubBases{},
		Emit: func(d *Document) error { docs = append(docs, d); return nil },
		Ref:  func(r Ref) { refs = append(refs, r.Path+":"+strconv.Itoa(r.At.Line)) },
	}
	err := s.Scan([]byte(src))
	return docs, refs, err
}

// describe summarises a document: line, kind, namespace, patch type, and
// "unresolved" or whether the patched enableEgress is true.
func describe(d *Document) string {
	parts := []string{strconv.Itoa(d.Line), d.Kind(), d.Namespace()}
	if d.Patch != nil {
		parts = append(parts, d.Patch.Type)
		if d.Patch.Unresolved != "" {
			parts = append(parts, "unresolved")
		} else {
			spec, _ := d.Object["spec"].(map[string]any)
			traffic, _ := spec["traffic"].(map[string]any)
			parts = append(parts, strconv.FormatBool(traffic["enableEgress"] == true))
		}
	}
	return strings.Join(parts, " ")
}

func TestScriptFindsKubectlCommands(t *testing.T) {
	src := `#!/bin/bash
set -euo pipefail
NS=osm-system
kubectl get pods -A
kubectl -n osm-system patch meshconfig/osm-mesh-config --type=merge -p='{"spec":{"traffic":{"enableEgress":false}}}'
kubectl patch meshconfigs.config.openservicemesh.io osm-mesh-config -nosm-system --type json \
  --patch '[{"op":"replace","path":"/spec/traffic/enableEgress","value":false}]'
kubectl patch meshconfig osm-mesh-config -n "$NS" -p "$(cat patch.json)" --type=merge
if true; then
  kubectl apply -f egress.yaml
fi
kubectl apply -f https://example.com/x.yaml
kubectl patch deployment web -p '{}'
/usr/local/bin/kubectl patch meshconfig osm-mesh-config -p '{"spec":{}}'
`
	docs, refs, err := scan(t, src)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range docs {
		got = append(got, describe(d))
	}
	want := []string{
		"5 MeshConfig osm-system merge false",
		"6 MeshConfig osm-system json false",
		"8 MeshConfig  merge unresolved", // -n "$NS" is not literal either
		"14 MeshConfig  strategic true",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("documents:\n got %q\nwant %q", got, want)
	}
	if want := []string{"/runbooks/egress.yaml:10"}; !reflect.DeepEqual(refs, want) {
		t.Errorf("refs: got %v, want %v", refs, want)
	}
}

// TestScriptUnquotedEscapes: a word is what the shell passes on, its
// quotes and backslashes removed: an unquoted {\"spec\":...} is the JSON
// {"spec":...}, as kubectl receives it.
func TestScriptUnquotedEscapes(t *testing.T) {
	docs, _, err := scan(t, `kubectl patch meshconfig osm-mesh-config -n osm-system --type=merge -p {\"spec\":{\"traffic\":{\"enableEgress\":false}}}`+"\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 || describe(docs[0]) != "1 MeshConfig osm-system merge false" {
		t.Errorf("got %d documents: %v", len(docs), docs)
	}
}

// TestScriptPatchWithoutPatch: a kubectl patch of a MeshConfig with no patch
// is one kubectl refuses when meshguard read every word of it (with a hint
// when a backslash and a space ended it early), and one meshguard may have
// misread (reported as not checked) when a word is an expansion. It is
// never passed over. So is an unknown --type.
func TestScriptPatchWithoutPatch(t *testing.T) {
	for _, tc := range []struct{ src, refused, unresolved string }{
		{"kubectl patch meshconfig osm-mesh-config -n osm-system --type=merge\n", "has neither", ""},
		{"kubectl patch meshconfig osm-mesh-config -n osm-system \\ \n  --type=merge -p '{}'\n", "ends in a backslash and a space", ""},
		{"kubectl patch meshconfig osm-mesh-config -n osm-system --type=merge $ARGS\n", "", "no -p"},
		{"kubectl patch meshconfig osm-mesh-config --type=Strategic-merge -p '{}'\n", `not "Strategic-merge"`, ""},
		{"kubectl patch meshconfig osm-mesh-config --type=merge -p ''\n", "gives no patch", ""},
		{"kubectl patch meshconfig osm-mesh-config --type=merge --patch=\n", "gives no patch", ""},
		{"kubectl patch meshconfig osm-mesh-config --type=merge -p\n", "gives no patch", ""},
		// a quoted blank is a stray argument, but no broken continuation
		{"kubectl patch meshconfig osm-mesh-config -n osm-system \" \"\n", "has neither", ""},
		{`kubectl patch meshconfig osm-mesh-config --type=merge -p {"spec":{"a":1,"b":2}}` + "\n", "brace expansion", ""},
		{`kubectl patch meshconfig osm-mesh-config --type=merge --patch={"spec":{"a":1,"b":2}}` + "\n", "brace expansion", ""},
	} {
		docs, _, err := scan(t, tc.src)
		if err != nil {
			t.Fatal(err)
		}
		if len(docs) != 1 || docs[0].Patch == nil || docs[0].Line != 1 {
			t.Errorf("%q: got %d documents: %+v", tc.src, len(docs), docs)
			continue
		}
		p := docs[0].Patch
		if (tc.refused == "") != (p.Refused == "") || !strings.Contains(p.Refused, tc.refused) ||
			(tc.unresolved == "") != (p.Unresolved == "") || !strings.Contains(p.Unresolved, tc.unresolved) {
			t.Errorf("%q: refused %q, unresolved %q; want refused %q, unresolved %q", tc.src, p.Refused, p.Unresolved, tc.refused, tc.unresolved)
		}
		if strings.Contains(tc.src, `" "`) && strings.Contains(p.Refused, "backslash") {
			t.Errorf("%q: a quoted blank is no broken continuation: %q", tc.src, p.Refused)
		}
		if p.Refused != "" && p.Type != "" {
			t.Errorf("%q: a refused command has no patch type (MG0001 would speak of it): %q", tc.src, p.Type)
		}
	}
}

// TestScriptEditIsNotChecked: kubectl edit of a kind meshguard judges is
// reported as not checked, with or without a name; of other kinds, or of a
// subresource, it is nothing.
func TestScriptEditIsNotChecked(t *testing.T) {
	src := "kubectl edit meshconfig osm-mesh-config -n osm-system\n" +
		"kubectl -n curl edit egress/httpbin\n" +
		"kubectl edit meshconfigs -n osm-system\n" +
		"kubectl edit deployment web\n" +
		"kubectl edit egress httpbin -n curl --subresource=status\n"
	docs, _, err := scan(t, src)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range docs {
		got = append(got, describe(d)+" "+d.Name()+" "+d.Patch.Source)
	}
	want := []string{
		"1 MeshConfig osm-system  unresolved osm-mesh-config kubectl edit",
		"2 Egress curl  unresolved httpbin kubectl edit",
		"3 MeshConfig osm-system  unresolved  kubectl edit",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("documents:\n got %q\nwant %q", got, want)
	}
}

// TestScriptStdinFromFilesAndCommands: standard input that is a file (a
// redirection, or cat alone in the pipe) is read as kubectl -f reads it;
// the output of other commands is not read, and an object they read that
// meshguard judges (kubectl get's, a manifest a filter reads) is reported
// not checked.
func TestScriptStdinFromFilesAndCommands(t *testing.T) {
	dir := t.TempDir()
	mc := "apiVersion: config.openservicemesh.io/v1alpha2\nkind: MeshConfig\nmetadata:\n  name: osm-mesh-config\n  namespace: osm-system\nspec: {}\n"
	if err := os.WriteFile(filepath.Join(dir, "mc.yaml"), []byte(mc), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "app.yaml"), []byte("apiVersion: v1\nkind: Service\nmetadata: {name: a}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Concatenated after mc.yaml, eg.yaml without a --- makes one document
	// of both; eg2.yaml starts one of its own.
	eg := "apiVersion: policy.openservicemesh.io/v1alpha1\nkind: Egress\nmetadata: {name: e, namespace: curl}\n"
	if err := os.WriteFile(filepath.Join(dir, "eg.yaml"), []byte(eg), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "eg2.yaml"), []byte("# policy\n---\n"+eg), 0o644); err != nil {
		t.Fatal(err)
	}
	src := "kubectl apply -f - < mc.yaml\n" +
		"cat mc.yaml other.yaml | kubectl create -f -\n" +
		"kubectl get meshconfig osm-mesh-config -n osm-system -o json |\n" +
		"  jq '.spec.traffic.enableEgress = false' | kubectl apply -f -\n" +
		"envsubst < mc.yaml | kubectl -n x apply -f -\n" +
		"sed s/a/b/ app.yaml | kubectl apply -f -\n" +
		"kubectl get egress,meshconfig -A -o yaml | kubectl replace -f - < \"$F\"\n" +
		"helm template x | kubectl apply -f -\n" +
		"kubectl get meshconfig osm-mesh-config -n osm-system -o yaml | kubectl apply --dry-run=server -f -\n" +
		"cat mc.yaml eg.yaml | kubectl apply -f -\n" +
		"cat mc.yaml eg2.yaml 2>/dev/null | kubectl apply -f -\n" +
		"cat m?.yaml | kubectl apply -f -\n" +
		"kubectl apply -f - <<EOF < eg.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\nEOF\n" +
		"kubectl edit -f mc.yaml\n"
	var docs []*Document
	var refs []string
	s := &Script{File: "s.sh", Dir: dir, Bases: stubBases{},
		Emit: func(d *Document) error { docs = append(docs, d); return nil },
		Ref: func(r Ref) {
			refs = append(refs, fmt.Sprintf("%s:%d:%s:%v", filepath.Base(r.Path), r.At.Line, r.Verb, r.At.Seq > 0))
		},
	}
	if err := s.Scan([]byte(src)); err != nil {
		t.Fatal(err)
	}
	if want := []string{"mc.yaml:1:apply:true", "mc.yaml:2:create:true", "other.yaml:2:create:true",
		"mc.yaml:11:apply:true", "eg2.yaml:11:apply:true", "mc.yaml:12:apply:true", "eg.yaml:13:apply:true"}; !reflect.DeepEqual(refs, want) {
		t.Errorf("refs:\n got %q\nwant %q", refs, want)
	}
	var got []string
	for _, d := range docs {
		got = append(got, fmt.Sprintf("%s %s/%s %s dry=%v: %s", describe(d), d.Namespace(), d.Name(), d.Patch.Source, d.DryRun, d.Patch.Unresolved))
	}
	want := []string{
		"4 MeshConfig osm-system  unresolved osm-system/osm-mesh-config kubectl apply dry=false: it sends what kubectl get meshconfig osm-mesh-config -n osm-system -o json | jq '.spec.traf... writes, which meshguard cannot read",
		"5 MeshConfig osm-system  unresolved osm-system/osm-mesh-config kubectl apply dry=false: it sends what envsubst < mc.yaml writes, which meshguard cannot read",
		"9 MeshConfig osm-system  unresolved osm-system/osm-mesh-config kubectl apply dry=true: it sends what kubectl get meshconfig osm-mesh-config -n osm-system -o yaml writes, which meshguard cannot read",
		"10 MeshConfig osm-system  unresolved osm-system/osm-mesh-config kubectl apply dry=false: it sends what cat mc.yaml eg.yaml writes, which meshguard cannot read",
		"10 Egress curl  unresolved curl/e kubectl apply dry=false: it sends what cat mc.yaml eg.yaml writes, which meshguard cannot read",
		"18 MeshConfig osm-system  unresolved osm-system/osm-mesh-config kubectl edit dry=false: the change is made in an editor, so meshguard cannot know what it leaves",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("documents:\n got %q\nwant %q", got, want)
	}
}

func TestScriptReadsManifestsFromStdin(t *testing.T) {
	src := "kubectl apply -n curl -f - <<EOF\n" +
		"apiVersion: policy.openservicemesh.io/v1alpha1\n" +
		"kind: Egress\n" +
		"metadata:\n" +
		"  name: a\n" +
		"EOF\n" +
		"cat <<-'YAML' | kubectl create -f -\n" +
		"\tapiVersion: policy.openservicemesh.io/v1alpha1\n" +
		"\tkind: Egress\n" +
		"\tmetadata: {name: b, namespace: other}\n" +
		"\tYAML\n" +
		`echo '{"apiVersion":"policy.openservicemesh.io/v1alpha1","kind":"Egress","metadata":{"name":"c"}}' | kubectl apply -f -` + "\n" +
		"kubectl apply -f - <<< 'kind: Egress\n" +
		"apiVersion: policy.openservicemesh.io/v1alpha1\n" +
		"metadata: {name: d}'\n"
	docs, _, err := scan(t, src)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range docs {
		got = append(got, d.Name()+"@"+strconv.Itoa(d.Line)+"/"+d.Namespace()+"/"+strconv.Itoa(d.LineOf("metadata.name")))
	}
	want := []string{"a@2/curl/5", "b@8/other/10", "c@12//12", "d@13//15"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestScriptVerbFromExpansion: kubectl "$action" -f - (apply or delete, as
// a demo toggles them) sends its standard input all the same: it is read,
// with the verb as written, and the files it names are not taken for
// applied. Options from an expansion before a verb leave the verb.
func TestScriptVerbFromExpansion(t *testing.T) {
	egress := "apiVersion: policy.openservicemesh.io/v1alpha1\nkind: Egress\nmetadata: {name: a, namespace: c}\nEOF\n"
	src := "kubectl \"$action\" -f - <<EOF\n" + egress +
		"kubectl $KUBECTL_OPTS apply -f - <<EOF\n" + egress +
		"kubectl ${verb} -f egress.yaml\n" +
		"kubectl $OPTS apply -f egress.yaml\n"
	docs, refs, err := scan(t, src)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range docs {
		got = append(got, d.Verb+"@"+strconv.Itoa(d.Line))
	}
	if want := []string{`"$action"@2`, "apply@7"}; !reflect.DeepEqual(got, want) {
		t.Errorf("documents %v, want %v", got, want)
	}
	if want := []string{"/runbooks/egress.yaml:12"}; !reflect.DeepEqual(refs, want) {
		t.Errorf("files applied %v, want %v", refs, want)
	}
}

// TestScriptKubectlFromAVariable: a script that runs kubectl through a
// variable it assigns (kmd="kubectl --kubeconfig x", KUBECTL=kubectl), or
// one with kubectl as its default, is read as running kubectl; a variable
// holding another command is not.
func TestScriptKubectlFromAVariable(t *testing.T) {
	egress := "apiVersion: policy.openservicemesh.io/v1alpha1\nkind: Egress\nmetadata: {name: NAME, namespace: c}\nEOF\n"
	src := "kmd=\"kubectl --kubeconfig /etc/k.config -n curl\"\nKUBECTL=kubectl\nHELM=helm\n" +
		"$kmd apply -f - <<EOF\n" + strings.Replace(egress, "NAME", "a", 1) +
		"\"$KUBECTL\" apply -f - <<EOF\n" + strings.Replace(egress, "NAME", "b", 1) +
		"${KCTL:-kubectl} apply -f - <<EOF\n" + strings.Replace(egress, "NAME", "c", 1) +
		"$HELM apply -f - <<EOF\n" + strings.Replace(egress, "NAME", "d", 1)
	docs, _, err := scan(t, src)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range docs {
		got = append(got, d.Name()+"@"+strconv.Itoa(d.Line))
	}
	if want := []string{"a@5", "b@10", "c@15"}; !reflect.DeepEqual(got, want) {
		t.Errorf("documents %v, want %v", got, want)
	}
	md := "```bash\nexport K=kubectl\n```\n\n```bash\n$K apply -f - <<EOF\n" + strings.Replace(egress, "NAME", "e", 1) + "```\n"
	var mdDocs []string
	sc := &Scanner{Bases: stubBases{}, Emit: func(d *Document) error { mdDocs = append(mdDocs, d.Name()); return nil }}
	if err := sc.Markdown("r.md", []byte(md)); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(mdDocs, []string{"e"}) {
		t.Errorf("a runbook's later block does not see its earlier assignment: %v", mdDocs)
	}
}

func TestScriptErrors(t *testing.T) {
	_, _, err := scan(t, "kubectl patch meshconfig x --type merge -p '{\"spec\":'\n")
	if pe, ok := err.(*ParseError); !ok || pe.Line != 1 || pe.Shell || !strings.Contains(pe.Msg, "kubectl patch") {
		t.Errorf("a patch that is not JSON: got %#v", err)
	}
	_, _, err = scan(t, "if then fi (\n")
	if pe, ok := err.(*ParseError); !ok || !pe.Shell {
		t.Errorf("a shell syntax error: got %#v", err)
	}
}

func TestParseKubectlFlags(t *testing.T) {
	docs, _, err := scan(t, `kubectl --context prod --namespace=osm-system patch --type merge meshconfig osm-mesh-config --patch='{"spec":{}}'`+"\n")
	if err != nil || len(docs) != 1 || docs[0].Namespace() != "osm-system" || docs[0].Patch.Type != "merge" {
		t.Fatalf("got %v %v", docs, err)
	}
}

func TestLookupResource(t *testing.T) {
	for _, name := range []string{"meshconfig", "MeshConfigs", "meshconfig.config.openservicemesh.io", "egresses.v1alpha1.policy.openservicemesh.io", "egress"} {
		if _, ok := LookupResource(name); !ok {
			t.Errorf("%s not found", name)
		}
	}
	for _, name := range []string{"deployment", "meshconfigs.v9.config.openservicemesh.io", "egresses.v1alpha2.policy.openservicemesh.io", "meshconfigs.vx.config.openservicemesh.io"} {
		if _, ok := LookupResource(name); ok {
			t.Errorf("%s should not resolve", name)
		}
	}
}

func TestApplyPatch(t *testing.T) {
	base := map[string]any{"apiVersion": "v1", "kind": "X", "spec": map[string]any{"a": int64(1), "list": []any{"x"}}}
	cases := []struct {
		name, patch, typ string
		wantErr          string
		wantPatchErr     bool
		wantPath         string
	}{
		{"merge", `{"spec":{"b":2}}`, "merge", "", false, ""},
		{"yaml merge", "spec:\n  b: 2\n", "merge", "", false, ""},
		{"json add", `[{"op":"add","path":"/spec/list/-","value":"y"}]`, "json", "", false, ""},
		{"json replace missing", `[{"op":"add","path":"/spec/c","value":1},{"op":"replace","path":"/spec/missing/x","value":1}]`, "json", "", true, "spec.missing.x"},
		{"json remove index", `[{"op":"remove","path":"/spec/list/3"}]`, "json", "", true, "spec.list[3]"},
		{"not json", `{"spec":`, "merge", "neither JSON nor YAML", false, ""},
		{"list for merge", `[1]`, "merge", "must be a JSON object", false, ""},
		{"object for json", `{"a":1}`, "json", "list of operations", false, ""},
		{"bad type", `{}`, "apply", "unknown patch type", false, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, err := ApplyPatch(base, "", []byte(tc.patch), tc.typ)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("want error %q, got %v", tc.wantErr, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (d.Patch.Error != "") != tc.wantPatchErr || d.Patch.Path != tc.wantPath {
				t.Errorf("patch info %+v", d.Patch)
			}
			if d.Operation != "UPDATE" || !reflect.DeepEqual(d.OldObject, base) {
				t.Errorf("old object or operation wrong: %+v", d)
			}
		})
	}
	if base["spec"].(map[string]any)["b"] != nil {
		t.Error("ApplyPatch changed its base")
	}
	// kubectl patch meshconfig reads a MeshConfig through its preferred
	// version; meshconfigs.v1alpha1.config.openservicemesh.io through v1alpha1.
	old := map[string]any{"apiVersion": "config.openservicemesh.io/v1alpha1", "kind": "MeshConfig", "spec": map[string]any{}}
	for _, tc := range []struct{ resource, want string }{
		{"meshconfig", "config.openservicemesh.io/v1alpha2"},
		{"meshconfigs.config.openservicemesh.io", "config.openservicemesh.io/v1alpha2"},
		{"meshconfigs.v1alpha2.config.openservicemesh.io", "config.openservicemesh.io/v1alpha2"},
		{"meshconfigs.v1alpha1.config.openservicemesh.io", "config.openservicemesh.io/v1alpha1"},
	} {
		r, ok := LookupResource(tc.resource)
		if !ok {
			t.Fatalf("%s not found", tc.resource)
		}
		d, err := ApplyPatch(old, r.APIVersion, []byte(`{"spec":{"traffic":{"enableEgress":false}}}`), "merge")
		if err != nil {
			t.Fatal(err)
		}
		if d.Object["apiVersion"] != tc.want || d.OldObject["apiVersion"] != tc.want {
			t.Errorf("kubectl patch %s of a v1alpha1 MeshConfig: patched as %v (old %v), want %s", tc.resource, d.Object["apiVersion"], d.OldObject["apiVersion"], tc.want)
		}
	}
	if old["apiVersion"] != "config.openservicemesh.io/v1alpha1" {
		t.Error("ApplyPatch changed its base's version")
	}
}

func TestScriptReadsOsmInstall(t *testing.T) {
	src := `osm install --mesh-name "$mesh" --osm-namespace "$ns" --set=osm.enableEgress=false --atomic
osm install --osm-namespace osm-edge --set osm.enableEgress=true,osm.outboundPortExclusionList={6379\,8080}
osm install -f values.yaml --set osm.enableEgress=false
osm install --set osm.enableEgress=$EGRESS
osm namespace add curl
`
	docs, _, err := scan(t, src)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range docs {
		if !d.Install {
			t.Errorf("line %d: not marked as an install", d.Line)
		}
		got = append(got, describe(d))
	}
	// The first install's namespace is an expansion (the default); the last
	// two leave a MeshConfig meshguard cannot know.
	want := []string{"1 MeshConfig ", "2 MeshConfig osm-edge"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if len(docs) == 2 {
		if v := docs[0].Object["spec"].(map[string]any)["traffic"].(map[string]any)["enableEgress"]; v != false {
			t.Errorf("install 1: enableEgress %v", v)
		}
	}
}

func TestParseHelmSet(t *testing.T) {
	set := map[string]any{}
	if err := parseHelmSet(`a=true,b=8080,c={x,y},d=0123,e=a\,b,f=null,g=`, false, set); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"a": true, "b": int64(8080), "c": []any{"x", "y"}, "d": "0123", "e": "a,b", "f": nil, "g": ""}
	if !reflect.DeepEqual(set, want) {
		t.Errorf("got %#v, want %#v", set, want)
	}
	set = map[string]any{}
	if err := parseHelmSet("a=true", true, set); err != nil || set["a"] != "true" {
		t.Errorf("--set-string: %v %#v", err, set)
	}
	if err := parseHelmSet("novalue", false, map[string]any{}); err == nil {
		t.Error("a --set without = is an error")
	}
}

// TestScriptPatchWithExpandedValues: a patch whose shell expansions stand
// only for values is read for its field names (Partial); one where an
// expansion is the whole patch, a field name or a path is not read.
func TestScriptPatchWithExpandedValues(t *testing.T) {
	src := `kubectl patch meshconfig osm-mesh-config -n "$NS" -p '{"spec":{"sidecar":{"resources":{"limits":{"cpu":'$CPU'}}}}}' --type=merge
kubectl patch meshconfig osm-mesh-config -p "{\"spec\":{\"traffic\":{\"enableEngress\":$1}}}" --type=merge
kubectl patch meshconfig osm-mesh-config -p "$PATCH" --type=merge
kubectl patch meshconfig osm-mesh-config -p "{\"spec\":{\"traffic\":{\"$FIELD\":false}}}" --type=merge
kubectl patch meshconfig osm-mesh-config --type=json -p "[{\"op\":\"replace\",\"path\":\"/spec/traffic/enableEgress\",\"value\":${V:-false}}]"
kubectl patch meshconfig osm-mesh-config --type=json -p "[{\"op\":\"replace\",\"path\":\"$P\",\"value\":false}]"
kubectl patch meshconfig osm-mesh-config -p "$(cat p.json)" --type=merge
`
	docs, _, err := scan(t, src)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range docs {
		state := "read"
		switch {
		case d.Patch.Unresolved != "":
			state = "unresolved"
		case d.Patch.Partial != "":
			state = "partial"
		}
		got = append(got, strconv.Itoa(d.Line)+" "+state)
	}
	want := []string{"1 partial", "2 partial", "3 unresolved", "4 unresolved", "5 partial", "6 unresolved", "7 unresolved"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if len(docs) > 1 {
		traffic := docs[1].Object["spec"].(map[string]any)["traffic"].(map[string]any)
		if _, ok := traffic["enableEngress"]; !ok {
			t.Errorf("the misspelled field is not in the patched object: %v", traffic)
		}
	}
}

// TestScriptUnwrapsCommands: kubectl run through sudo, env, command, timeout,
// the k alias, oc, or the kubectl of microk8s and minikube is read as kubectl.
func TestScriptUnwrapsCommands(t *testing.T) {
	const p = ` patch meshconfig osm-mesh-config -n osm-system --type=merge -p '{"spec":{"traffic":{"enableEgress":false}}}'`
	var src strings.Builder
	prefixes := []string{"sudo kubectl", "sudo -E -u root kubectl", "env KUBECONFIG=/x kubectl", "command kubectl",
		"k", "oc", "/usr/local/bin/kubectl.exe", "microk8s kubectl", "minikube kubectl --", "nohup kubectl",
		"timeout 60 kubectl", "timeout -k 5s --foreground 2m kubectl"}
	for _, prefix := range prefixes {
		src.WriteString(prefix + p + "\n")
	}
	src.WriteString("kubectx" + p + "\nsudo -u root bash -c 'echo'\nminikube start\ntimeout 5\n")
	docs, _, err := scan(t, src.String())
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != len(prefixes) {
		t.Fatalf("read %d commands, want %d", len(docs), len(prefixes))
	}
	for i, d := range docs {
		if d.Line != i+1 || describe(d) != strconv.Itoa(i+1)+" MeshConfig osm-system merge false" {
			t.Errorf("%s: %s", prefixes[i], describe(d))
		}
	}
}

// TestScriptPatchExpansionsOddlyWritten: a flag and its expanded value in
// one word, a JSON patch whose path is wrong whatever the value, a test of
// an unknown value, expansions that would change the placeholder, and an
// expanded patch file name.
func TestScriptPatchExpansionsOddlyWritten(t *testing.T) {
	src := `kubectl patch meshconfig osm-mesh-config --type=merge --patch='{"spec":{"traffic":{"enableEngress":'$E'}}}'
kubectl patch meshconfig osm-mesh-config --type=merge -p"{\"spec\":{\"traffic\":{\"enableEgress\":$E}}}"
kubectl patch meshconfig osm-mesh-config --type=json -p '[{"op":"replace","path":"/spec/traffic/enableEgres","value":'$E'}]'
kubectl patch meshconfig osm-mesh-config --type=json -p '[{"op":"test","path":"/spec/traffic/enableEgress","value":'$E'}]'
kubectl patch meshconfig osm-mesh-config --type=merge -p "{\"spec\":{\"traffic\":{\"${K,,}\":false}}}"
kubectl patch meshconfig osm-mesh-config --type=merge -p "{\"spec\":{\"traffic\":{\"enableEgress\":${#V}}}}"
kubectl patch meshconfig osm-mesh-config --type=merge --patch-file "$F"
`
	docs, _, err := scan(t, src)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range docs {
		state := "read"
		switch {
		case d.Patch.Unresolved != "":
			state = "unresolved: " + d.Patch.Unresolved
		case d.Patch.Partial != "" && d.Patch.Error != "":
			state = "partial, does not apply"
		case d.Patch.Partial != "":
			state = "partial"
		}
		got = append(got, strconv.Itoa(d.Line)+" "+state)
	}
	want := []string{
		"1 partial",
		"2 partial",
		"3 partial, does not apply",
		"4 unresolved: a shell expansion stands for a field name or a path in the patch, so meshguard cannot read it",
		"5 unresolved: the patch, its type or the object's name uses a shell expansion, so meshguard cannot read it",
		"6 unresolved: the patch, its type or the object's name uses a shell expansion, so meshguard cannot read it",
		"7 unresolved: the patch file's name uses a shell expansion, so meshguard cannot read it",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestScriptReadsHelmInstallOfOsmEdge(t *testing.T) {
	src := `helm install osm osm-edge/osm --namespace osm-edge --create-namespace --set=osm.enableEgress=false --wait
helm install --generate-name ./charts/osm --set osm.enableEgress=false
helm install osm-monitor prometheus-community/prometheus --set server.enabled=true
helm upgrade osm osm-edge/osm --set osm.enableEgress=true
helm install osm osm-edge/osm -f values.yaml
helm install osm osm-edge/osm --kube-context prod --version 1.3.9
`
	docs, _, err := scan(t, src)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range docs {
		got = append(got, describe(d))
	}
	want := []string{"1 MeshConfig osm-edge", "2 MeshConfig ", "6 MeshConfig "}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if len(docs) > 0 {
		if v := docs[0].Object["spec"].(map[string]any)["traffic"].(map[string]any)["enableEgress"]; v != false {
			t.Errorf("helm install 1: enableEgress %v", v)
		}
	}
}

// TestScriptCatOfSpecialAndEmptyFiles: what cat sends from a device (a
// terminal, /dev/stdin) is not the script's to know and is never read; an
// empty file between two that run together does not separate them.
func TestScriptCatOfSpecialAndEmptyFiles(t *testing.T) {
	dir := t.TempDir()
	eg := func(name string) string {
		return "apiVersion: policy.openservicemesh.io/v1alpha1\nkind: Egress\nmetadata: {name: " + name + ", namespace: curl}\n"
	}
	for name, body := range map[string]string{"a.yaml": eg("a"), "c.yaml": eg("c"), "empty.yaml": "\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var docs, refs []string
	s := &Script{File: "s.sh", Dir: dir, Bases: stubBases{},
		Emit: func(d *Document) error {
			docs = append(docs, fmt.Sprintf("%d %s %v", d.Line, d.Name(), d.Patch != nil && d.Patch.Unresolved != ""))
			return nil
		},
		Ref: func(r Ref) { refs = append(refs, filepath.Base(r.Path)) },
	}
	src := "cat a.yaml /dev/null | kubectl apply -f -\n" +
		"cat a.yaml empty.yaml c.yaml | kubectl apply -f -\n" +
		"kubectl apply -f - < /dev/null\n"
	if err := s.Scan([]byte(src)); err != nil {
		t.Fatal(err)
	}
	if len(refs) > 0 {
		t.Errorf("refs %v, want none", refs)
	}
	if want := []string{"1 a true", "2 a true", "2 c true"}; !reflect.DeepEqual(docs, want) {
		t.Errorf("documents %q, want %q", docs, want)
	}
}

// TestScriptKubectlFromAnAlias: a runbook's reader types its commands into
// an interactive shell, where an alias the runbook defines runs kubectl.
func TestScriptKubectlFromAnAlias(t *testing.T) {
	egress := "apiVersion: policy.openservicemesh.io/v1alpha1\nkind: Egress\nmetadata: {name: NAME}\nEOF\n"
	md := "```shell\nalias kmd=\"kubectl --kubeconfig '/etc/karmada/karmada apiserver.config' -n curl\" kk=kubectx\n```\n\n" +
		"```shell\nkmd apply -f - <<EOF\n" + strings.Replace(egress, "NAME", "a", 1) +
		"kk apply -f - <<EOF\n" + strings.Replace(egress, "NAME", "b", 1) +
		"'kmd' apply -f - <<EOF\n" + strings.Replace(egress, "NAME", "c", 1) +
		"unalias kmd\nkmd apply -f - <<EOF\n" + strings.Replace(egress, "NAME", "d", 1) + "```\n"
	var got []string
	sc := &Scanner{Bases: stubBases{}, Emit: func(d *Document) error {
		got = append(got, d.Namespace()+"/"+d.Name()+"@"+strconv.Itoa(d.Line))
		return nil
	}}
	if err := sc.Markdown("r.md", []byte(md)); err != nil {
		t.Fatal(err)
	}
	if want := []string{"curl/a@7"}; !reflect.DeepEqual(got, want) {
		t.Errorf("documents %v, want %v", got, want)
	}
}

// TestScriptLeavesFSMMeshConfigAlone: on a cluster of Flomesh's FSM,
// kubectl's "meshconfig" is FSM's config.flomesh.io MeshConfig, named
// fsm-mesh-config: a patch of it was denied against osm-edge's schema.
// Named with osm-edge's group, it is osm-edge's all the same.
func TestScriptLeavesFSMMeshConfigAlone(t *testing.T) {
	const p = ` -n fsm-system --type=merge -p '{"spec":{"featureFlags":{"enableSidecarPrettyConfig":false}}}'`
	docs, _, err := scan(t, "kubectl patch meshconfig fsm-mesh-config"+p+"\n"+
		"kubectl patch mc/fsm-mesh-config"+p+"\n"+
		"kubectl edit meshconfig fsm-mesh-config -n fsm-system\n"+
		"kubectl patch meshconfigs.config.openservicemesh.io fsm-mesh-config"+p+"\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 || docs[0].Line != 4 {
		var got []string
		for _, d := range docs {
			got = append(got, describe(d))
		}
		t.Errorf("documents %q, want only line 4's", got)
	}
}

// TestScriptRefusedResourceNames: kubectl refuses a RESOURCE/NAME argument
// with two slashes, or without a name, and sends nothing (MG0005); the
// patch was judged as one of an object named "osm-mesh-config/x".
func TestScriptRefusedResourceNames(t *testing.T) {
	const p = ` -n osm-system --type merge -p '{"spec":{"traffic":{"enableEgress":false}}}'`
	docs, _, err := scan(t, "kubectl patch meshconfig/osm-mesh-config/x"+p+"\nkubectl patch meshconfig/"+p+"\nkubectl patch meshconfig/osm-mesh-config"+p+"\n"+
		"kubectl patch meshconfig/osm-mesh-config osm-mesh-config"+p+"\nkubectl patch meshconfig meshconfig/osm-mesh-config"+p+"\n")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range docs {
		got = append(got, fmt.Sprintf("%d refused=%v", d.Line, d.Patch.Refused != ""))
	}
	if want := []string{"1 refused=true", "2 refused=true", "3 refused=false", "4 refused=true", "5 refused=true"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestScriptAliasesAsTheShellExpandsThem: bash running a script expands no
// alias (kc: command not found) until shopt -s expand_aliases; sh does; an
// alias a function defines is not the script's.
func TestScriptAliasesAsTheShellExpandsThem(t *testing.T) {
	const body = "alias kc='kubectl -n osm-system'\n" +
		"kc patch meshconfig osm-mesh-config --type=merge -p '{\"spec\":{\"traffic\":{\"enableEgress\":false}}}'\n"
	for _, tc := range []struct {
		name, src string
		want      int
	}{
		{"bash", "#!/bin/bash\n" + body, 0},
		{"env bash", "#!/usr/bin/env bash\n" + body, 0},
		{"no first line", body, 0},
		{"expand_aliases", "#!/bin/bash\nshopt -s expand_aliases\n" + body, 1},
		{"sh", "#!/bin/sh\n" + body, 1},
		{"function", "#!/bin/sh\nf() { alias kc='kubectl -n osm-system'; }\n" + body[strings.Index(body, "\n")+1:], 0},
	} {
		var n int
		sc := &Scanner{Bases: stubBases{}, Emit: func(*Document) error { n++; return nil }}
		if err := sc.Shell("s.sh", []byte(tc.src)); err != nil {
			t.Fatal(err)
		}
		if n != tc.want {
			t.Errorf("%s: %d documents, want %d", tc.name, n, tc.want)
		}
	}
}

// TestScriptLastAppliedCommands: kubectl apply view-last-applied,
// set-last-applied -f FILE and edit-last-applied change no object's spec;
// set-last-applied's file was taken for one applied.
func TestScriptLastAppliedCommands(t *testing.T) {
	docs, refs, err := scan(t, "kubectl apply view-last-applied meshconfig osm-mesh-config -n osm-system\n"+
		"kubectl apply set-last-applied -f mc.yaml\nkubectl apply edit-last-applied meshconfig osm-mesh-config -n osm-system\n"+
		"kubectl apply -f mc.yaml\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 0 || !reflect.DeepEqual(refs, []string{"/runbooks/mc.yaml:4"}) {
		t.Errorf("documents %d, refs %q; want only line 4's apply", len(docs), refs)
	}
}
