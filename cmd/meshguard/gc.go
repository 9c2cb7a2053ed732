package main

import (
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// batchHeapFloor is the memory a validate run may use before the garbage
// collector runs at all (see batchGC).
const batchHeapFloor = 128 << 20

// batchGC sets the garbage collector for a batch run and returns what
// restores the previous setting.
//
// validate allocates about 100 KB per document and keeps little: the cluster
// view and the findings. With the default GOGC=100 the collector ran every
// 25 MB or so, and a fifth of the CPU went to marking (10,000 documents:
// 4.2 s at GOGC=100, 3.2 to 3.5 s with this, docs/benchmarks.md). Instead
// the run gets a budget: no collection until the process uses
// batchHeapFloor, then a collection whenever it uses three times the live
// heap, re-read after every cycle, so a run whose view or findings outgrow
// the floor is not collected back to back. Peak memory is then about the
// floor whatever the number of files, as long as the live heap is below a
// third of it. GOGC or GOMEMLIMIT in the environment leave the runtime's
// settings alone.
func batchGC() (restore func()) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	percent := debug.SetGCPercent(-1)
	limit := debug.SetMemoryLimit(batchHeapFloor)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		current := int64(batchHeapFloor)
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			metrics.Read(sample)
			if sample[0].Value.Kind() != metrics.KindUint64 {
				continue
			}
			want := max(int64(batchHeapFloor), 3*int64(sample[0].Value.Uint64()))
			if want != current {
				debug.SetMemoryLimit(want)
				current = want
			}
		}
	}()
	return func() {
		close(stop)
		<-done
		debug.SetMemoryLimit(limit)
		debug.SetGCPercent(percent)
	}
}
