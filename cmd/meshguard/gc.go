package main

import (
	"os"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
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
// third of it. In a container with a memory limit (cgroup v1 or v2) the
// budget is at most half of it. GOGC or GOMEMLIMIT in the environment leave
// the runtime's settings alone.
func batchGC() (restore func()) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	floor := int64(batchHeapFloor)
	cgroup := cgroupMemoryLimit()
	if cgroup > 0 {
		floor = min(floor, cgroup/2)
	}
	percent := debug.SetGCPercent(-1)
	limit := debug.SetMemoryLimit(floor)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		current := floor
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
			live := int64(sample[0].Value.Uint64())
			want := max(floor, 3*live)
			if cgroup > 0 {
				// In a container, stay under half its limit while the
				// default collector would (twice the live heap) too.
				want = min(want, max(cgroup/2, 2*live))
			}
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

// cgroupMemoryLimit is the memory limit of the process's cgroup in bytes, or
// 0 when there is none or it cannot be read.
func cgroupMemoryLimit() int64 {
	for _, f := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		if b, err := os.ReadFile(f); err == nil {
			return parseCgroupLimit(string(b))
		}
	}
	return 0
}

// parseCgroupLimit reads memory.max (v2) or memory.limit_in_bytes (v1):
// "max", and v1's huge "no limit", are 0.
func parseCgroupLimit(s string) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 || n >= 1<<60 {
		return 0
	}
	return n
}
