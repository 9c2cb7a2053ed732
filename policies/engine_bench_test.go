package policies

import (
	"context"
	"testing"
)

// Benchmarks of one evaluation through the public API: schema facts, input
// conversion and the prepared query, against a prepared inventory. The
// EvaluateRego ones time the prepared query alone, on an input built once.
//
//	go test ./policies -run '^$' -bench Evaluate -benchmem

const benchEgress = `
apiVersion: policy.openservicemesh.io/v1alpha1
kind: Egress
metadata: {name: httpbin, namespace: curl}
spec:
  sources: [{kind: ServiceAccount, name: curl, namespace: curl}]
  hosts: [httpbin.org]
  ports: [{number: 443, protocol: https}]
`

const benchEgressFindings = `
apiVersion: policy.openservicemesh.io/v1alpha1
kind: Egress
metadata: {name: grpc, namespace: curl}
spec:
  sources: [{kind: ServiceAccount, name: curl, namespace: curl}]
  hosts: [grpc.example.com]
  ports: [{number: 50051, protocol: grpc}, {number: 5432, protocol: tcp}]
`

const benchMeshConfig = `
apiVersion: config.openservicemesh.io/v1alpha2
kind: MeshConfig
metadata: {name: osm-mesh-config, namespace: osm-system}
spec:
  traffic: {enableEgress: false, interceptionMode: iptables, enableEngress: true}
  sidecar: {logLevel: error}
  certificate: {serviceCertValidityDuration: 24h, certKeyBitSize: 2048}
`

func benchEvaluate(b *testing.B, doc string, passthrough bool) {
	benchInput(b, doc, passthrough, false)
}

// benchRego times the prepared query alone, on an input built once: what the
// Rego costs, without the schema check and input conversion of Evaluate.
func benchRego(b *testing.B, doc string, passthrough bool) {
	benchInput(b, doc, passthrough, true)
}

func benchInput(b *testing.B, doc string, passthrough, regoOnly bool) {
	ctx := context.Background()
	e := newEngine(b)
	o := obj(b, doc)
	mc := e.DefaultMeshConfig()
	mc["spec"].(map[string]any)["traffic"].(map[string]any)["enableEgress"] = passthrough
	inv := Inventory{MeshConfig: mc, Egresses: []map[string]any{obj(b, benchEgress)}}
	if err := e.PrepareInventory(ctx, &inv); err != nil {
		b.Fatal(err)
	}
	in := Input{Operation: "CREATE", Object: o, Inventory: inv}
	value, err := e.input(in)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if regoOnly {
			_, err = e.eval(ctx, value)
		} else {
			_, err = e.Evaluate(ctx, in)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEvaluateCleanEgress(b *testing.B)    { benchEvaluate(b, benchEgress, false) }
func BenchmarkEvaluateEgressFindings(b *testing.B) { benchEvaluate(b, benchEgressFindings, true) }
func BenchmarkEvaluateMeshConfig(b *testing.B)     { benchEvaluate(b, benchMeshConfig, false) }

func BenchmarkEvaluateRegoCleanEgress(b *testing.B)    { benchRego(b, benchEgress, false) }
func BenchmarkEvaluateRegoEgressFindings(b *testing.B) { benchRego(b, benchEgressFindings, true) }
func BenchmarkEvaluateRegoMeshConfig(b *testing.B)     { benchRego(b, benchMeshConfig, false) }
