package source

import "testing"

func TestSplitResourceName(t *testing.T) {
	const slashes = "arguments in resource/name form may not have more than one slash"
	const single = "arguments in resource/name form must have a single resource and name"
	tests := []struct {
		name, arg, resource, objName string
		ok                           bool
		err                          string
	}{
		{"no slash is no resource/name form", "meshconfig", "", "", false, ""},
		{"resource and name split at the slash", "meshconfig/osm-mesh-config", "meshconfig", "osm-mesh-config", true, ""},
		{"a kind.group resource keeps its dots", "egresses.policy.openservicemesh.io/web", "egresses.policy.openservicemesh.io", "web", true, ""},
		{"a second slash is kubectl's error", "meshconfig/osm-mesh-config/x", "", "", false, slashes},
		{"an empty name is kubectl's error", "meshconfig/", "", "", false, single},
		{"an empty resource is kubectl's error", "/osm-mesh-config", "", "", false, single},
		{"two resources are kubectl's error", "meshconfig,egress/web", "", "", false, single},
		{"a repeated resource is one, as kubectl dedups it", "egress,egress/web", "egress,egress", "web", true, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resource, name, ok, err := SplitResourceName(tc.arg)
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if resource != tc.resource || name != tc.objName || ok != tc.ok || gotErr != tc.err {
				t.Errorf("SplitResourceName(%q) = %q, %q, %v, %q; want %q, %q, %v, %q",
					tc.arg, resource, name, ok, gotErr, tc.resource, tc.objName, tc.ok, tc.err)
			}
		})
	}
}
