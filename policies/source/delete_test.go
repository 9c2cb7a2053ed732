package source

import (
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
)

// TestDeletions: the kubectl deletes a script reports, in the forms kubectl
// takes them, those it cannot read in full (Unknown), and those it leaves
// out.
func TestDeletions(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		script string
		want   string // fmt %+v of the deletions, without At
	}{
		{"kubectl delete egress httpbin-80 -n curl", "[{Egresses:[{Namespace:curl Name:httpbin-80}]}]"},
		{"kubectl delete egress -n curl httpbin-80 httpbin-443", "[{Egresses:[{Namespace:curl Name:httpbin-80} {Namespace:curl Name:httpbin-443}]}]"},
		{"kubectl -n curl delete egress/httpbin-80 egresses.policy.openservicemesh.io/b", "[{Egresses:[{Namespace:curl Name:httpbin-80} {Namespace:curl Name:b}]}]"},
		{"kubectl delete egress httpbin-80", "[{Egresses:[{Namespace: Name:httpbin-80}]}]"},
		{`kubectl delete egress httpbin-80 -n "$NS"`, "[{Egresses:[{Namespace: Name:httpbin-80}]}]"},
		{"kubectl delete egress --all -n curl", "[{Namespaces:[curl]}]"},
		{"kubectl delete egress,upstreamtrafficsetting --all -A", "[{AllNamespaces:true}]"},
		{"kubectl delete egress --all", "[{AllNamespaces:true}]"},
		{"kubectl delete ns curl egress-gateway", "[{Namespaces:[curl egress-gateway]}]"},
		{"kubectl delete namespace/curl", "[{Namespaces:[curl]}]"},
		{"kubectl delete -f egress.yaml -f https://example.com/e.yaml", "[{Unknown:true} {Files:[" + filepath.Join(dir, "egress.yaml") + "]}]"},
		{"kubectl delete -R -f policies/", "[{Files:[" + filepath.Join(dir, "policies") + "] Recursive:true}]"},
		// Not known: what they delete may be any policy.
		{"kubectl delete egress -l app=curl -n curl", "[{Unknown:true}]"},
		{"kubectl delete ns -l env=test", "[{Unknown:true}]"},
		{`kubectl delete egress "$NAME" -n curl`, "[{Unknown:true}]"},
		{`kubectl delete "$KIND" httpbin-80 -n curl`, "[{Unknown:true}]"},
		{`kubectl delete -f "$FILE"`, "[{Unknown:true}]"},
		{"kubectl delete -f https://example.com/e.yaml", "[{Unknown:true}]"},
		{"kubectl delete -f - <<EOF\nkind: Egress\nEOF", "[{Unknown:true}]"},
		// Not a deletion of Egress policies.
		{"kubectl delete pods -l app=curl -n curl", "[]"},
		{"kubectl delete egress httpbin-80 -n curl --dry-run=client", "[]"},
		{"kubectl delete deployment curl -n curl", "[]"},
		{"kubectl delete upstreamtrafficsetting httpbin -n curl", "[]"},
		{"kubectl get egress httpbin-80 -n curl", "[]"},
		{"cleanup() { kubectl delete egress httpbin-80 -n curl; }", "[]"},
	} {
		t.Run(tc.script, func(t *testing.T) {
			var got []Deletion
			sc := &Scanner{Emit: func(*Document) error { return nil }, Delete: func(d Deletion) {
				if d.At.Line != 1 || d.At.File != filepath.Join(dir, "run.sh") {
					t.Errorf("deletion at %+v, want line 1 of run.sh", d.At)
				}
				d.At = At{}
				got = append(got, d)
			}}
			if err := sc.Shell(filepath.Join(dir, "run.sh"), []byte(tc.script+"\n")); err != nil {
				t.Fatal(err)
			}
			s := "["
			for i, d := range got {
				if i > 0 {
					s += " "
				}
				s += brief(d)
			}
			s += "]"
			if s != tc.want {
				t.Errorf("got %s, want %s", s, tc.want)
			}
		})
	}
}

// brief prints a deletion's set fields only.
func brief(d Deletion) string {
	s := "{"
	add := func(name string, v any) {
		if reflect.ValueOf(v).IsZero() {
			return
		}
		if s != "{" {
			s += " "
		}
		s += name + ":" + fmt.Sprintf("%+v", v)
	}
	add("Egresses", d.Egresses)
	add("Namespaces", d.Namespaces)
	add("AllNamespaces", d.AllNamespaces)
	add("Files", d.Files)
	add("Recursive", d.Recursive)
	add("Unknown", d.Unknown)
	return s + "}"
}
