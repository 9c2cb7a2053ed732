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
