package webhook

import (
	"context"
	"sort"
	"testing"
	"time"
)

// BenchmarkInjector is the injecting handler per pod, in process: the pod
// rules, selection, injection, signing the bootstrap certificate and the JSON
// patch. It reports p50 and p99 besides the mean, and allocations.
func BenchmarkInjector(b *testing.B) {
	in, store := injector(b, true)
	req := podRequest(b, testPod(), true) // dry run: no Secret kept in memory
	ctx := context.Background()
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		resp := in.Handle(ctx, req)
		lat = append(lat, time.Since(start))
		if !resp.Allowed || len(resp.Patches) == 0 {
			b.Fatalf("not injected: %+v", resp.Result)
		}
	}
	b.StopTimer()
	if len(store.created) != 0 {
		b.Fatal("a dry run created a Secret")
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}
