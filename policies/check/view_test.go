package check

import "testing"

func TestMayHoldViewKinds(t *testing.T) {
	for content, want := range map[string]bool{
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n":                      false,
		"apiVersion: v1\nkind: Service\n---\napiVersion: v1\nkind: ConfigMap\n":               false,
		"{apiVersion: policy.openservicemesh.io/v1alpha1, kind: Egress}":                      true,
		`{"apiVersion": "config.openservicemesh.io/v1alpha2", "kind": "MeshConfig"}`:          true,
		"kind: List\nitems:\n- {apiVersion: v1, kind: Namespace, metadata: {name: a}}\n":      true,
		"apiVersion: policy.openservicemesh.io/v1alpha1\nkind: UpstreamTrafficSetting\n":      true,
		"k: &kind Egress\n---\napiVersion: policy.openservicemesh.io/v1alpha1\nkind: *kind\n": true,
		`{"apiVersion": "policy.openservicemesh.io/v1alpha1", "kind": "\u0045gress"}`:         true,
		"apiVersion: v1\nkind: \"Namesp\\x61ce\"\n":                                           true,
		"\xff\xfea\x00p\x00i\x00": true, // UTF-16LE
	} {
		if got := mayHoldViewKinds([]byte(content)); got != want {
			t.Errorf("mayHoldViewKinds(%q) = %v, want %v", content, got, want)
		}
	}
}

// TestUpstreamsShareOneSlice: the engine converts and indexes a scope's
// UpstreamTrafficSettings once per slice, so every scope without runbook
// settings of its own must get the same slice (a copy each cost 50 MB over
// 10,000 documents); a runbook gets the shared ones and its own.
func TestUpstreamsShareOneSlice(t *testing.T) {
	u := func(name string) map[string]any { return map[string]any{"metadata": map[string]any{"name": name}} }
	same := func(a, b []map[string]any) bool { return len(a) > 0 && len(a) == len(b) && &a[0] == &b[0] }
	v := &view{upstreams: []map[string]any{u("a"), u("b")}, upstreamFiles: []string{"a.yaml", "b.yaml"}, runbooks: map[string]bool{}}
	if !same(v.upstreamsOf(""), v.upstreams) {
		t.Errorf("without runbooks the scopes do not share the view's slice")
	}
	v = &view{upstreams: []map[string]any{u("a"), u("r"), u("b")}, upstreamFiles: []string{"a.yaml", "r.md", "b.yaml"}, runbooks: map[string]bool{"r.md": true}}
	first, second := v.upstreamsOf(""), v.upstreamsOf("")
	if !same(first, second) || len(first) != 2 {
		t.Errorf("scopes get %v and %v, want one shared slice of a and b", first, second)
	}
	if own := v.upstreamsOf("r.md"); len(own) != 3 {
		t.Errorf("the runbook gets %v, want a, r and b", own)
	}
}
