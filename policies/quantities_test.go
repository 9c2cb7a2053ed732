package policies

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestSidecarResourceFacts(t *testing.T) {
	mc := func(resources map[string]any) map[string]any {
		return map[string]any{
			"apiVersion": "config.openservicemesh.io/v1alpha2",
			"kind":       "MeshConfig",
			"spec":       map[string]any{"sidecar": map[string]any{"resources": resources}},
		}
	}
	tests := []struct {
		name string
		obj  map[string]any
		want map[string]any
	}{
		{
			name: "requests are compared with limits exactly, in every notation",
			obj: mc(map[string]any{
				"limits":   map[string]any{"cpu": "100m", "memory": "1Gi", "nvidia.com/gpu": json.Number("1"), "ephemeral-storage": "1e3"},
				"requests": map[string]any{"cpu": "200m", "memory": "1073741824", "nvidia.com/gpu": 0.5, "ephemeral-storage": "999999999n"},
			}),
			want: map[string]any{
				"limits": map[string]any{
					"cpu":               map[string]any{"quantity": "100m", "sign": 1, "whole": false},
					"memory":            map[string]any{"quantity": "1Gi", "sign": 1, "whole": true},
					"nvidia.com/gpu":    map[string]any{"quantity": "1", "sign": 1, "whole": true},
					"ephemeral-storage": map[string]any{"quantity": "1e3", "sign": 1, "whole": true},
				},
				"requests": map[string]any{
					"cpu":            map[string]any{"quantity": "200m", "sign": 1, "whole": false},
					"memory":         map[string]any{"quantity": "1073741824", "sign": 1, "whole": true},
					"nvidia.com/gpu": map[string]any{"quantity": "500m", "sign": 1, "whole": false},
					// as the API server judges it: rounded up to milli units
					"ephemeral-storage": map[string]any{"quantity": "1", "sign": 1, "whole": true},
				},
				"requestVsLimit": map[string]any{"cpu": 1, "memory": 0, "nvidia.com/gpu": -1, "ephemeral-storage": -1},
			},
		},
		{
			// Review on a real API server: a pod with these is created,
			// both 101m; they were denied as request above limit.
			name: "values are compared once rounded up to milli units, as the API server stores them",
			obj: mc(map[string]any{
				"limits":   map[string]any{"cpu": "100400u", "memory": "1.000001"},
				"requests": map[string]any{"cpu": "100500u", "memory": "1.000002"},
			}),
			want: map[string]any{
				"limits":         map[string]any{"cpu": map[string]any{"quantity": "101m", "sign": 1, "whole": false}, "memory": map[string]any{"quantity": "1001m", "sign": 1, "whole": false}},
				"requests":       map[string]any{"cpu": map[string]any{"quantity": "101m", "sign": 1, "whole": false}, "memory": map[string]any{"quantity": "1001m", "sign": 1, "whole": false}},
				"requestVsLimit": map[string]any{"cpu": 0, "memory": 0},
			},
		},
		{
			// Review on a real API server: the pod is refused for a value
			// that is not a whole number of pages (1Gi of 1G pages).
			name: "huge pages are counted in whole pages of the name's size",
			obj: mc(map[string]any{
				"limits": map[string]any{"hugepages-2Mi": "4Mi", "hugepages-1G": "1Gi", "hugepages-abc": "1"},
			}),
			want: map[string]any{
				"limits": map[string]any{
					"hugepages-2Mi": map[string]any{"quantity": "4Mi", "sign": 1, "whole": true, "pageMultiple": true},
					"hugepages-1G":  map[string]any{"quantity": "1Gi", "sign": 1, "whole": true, "pageMultiple": false},
					"hugepages-abc": map[string]any{"quantity": "1", "sign": 1, "whole": true, "pageMultiple": false},
				},
				"requests":       map[string]any{},
				"requestVsLimit": map[string]any{},
			},
		},
		{
			name: "values that are not quantities are left out",
			obj: mc(map[string]any{
				"limits":   map[string]any{"cpu": "500 m", "memory": true},
				"requests": map[string]any{"cpu": "-1", "memory": nil},
			}),
			want: map[string]any{
				"limits":         map[string]any{},
				"requests":       map[string]any{"cpu": map[string]any{"quantity": "-1", "sign": -1, "whole": true}},
				"requestVsLimit": map[string]any{},
			},
		},
		{
			name: "no resources, no facts",
			obj:  map[string]any{"apiVersion": "config.openservicemesh.io/v1alpha2", "kind": "MeshConfig", "spec": map[string]any{}},
		},
		{
			name: "other kinds have none",
			obj:  map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "spec": map[string]any{"sidecar": map[string]any{"resources": map[string]any{}}}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := sidecarResourceFacts(tc.obj)
			if tc.want == nil {
				if got != nil {
					t.Fatalf("got %v, want nil", got)
				}
				return
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %v\nwant %v", got, tc.want)
			}
		})
	}
}
