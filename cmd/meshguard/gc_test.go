package main

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// TestBatchGC: a batch run collects only past its budget, the budget follows
// a live heap that outgrows a third of it, and the settings come back after.
func TestBatchGC(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	limitBefore := debug.SetMemoryLimit(-1)
	restore := batchGC()
	if got := debug.SetGCPercent(-1); got != -1 {
		t.Errorf("GOGC during the run is %d, want off", got)
	}
	floor := int64(batchHeapFloor)
	if cg := cgroupMemoryLimit(); cg > 0 {
		floor = min(floor, cg/2)
	}
	if got := debug.SetMemoryLimit(-1); got != floor {
		t.Errorf("memory limit %d, want the floor %d", got, floor)
	}
	// Hold 64 MiB live: three times that is above the floor.
	live := make([][]byte, 64)
	for i := range live {
		live[i] = make([]byte, 1<<20)
	}
	runtime.GC()
	deadline := time.Now().Add(5 * time.Second)
	for debug.SetMemoryLimit(-1) <= floor && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got, want := debug.SetMemoryLimit(-1), int64(3*64<<20); cgroupMemoryLimit() == 0 && got < want {
		t.Errorf("with 64 MiB live the limit is %d, want at least %d", got, want)
	}
	runtime.KeepAlive(live)
	restore()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GOGC after the run is %d, want 100 again", got)
	}
	if got := debug.SetMemoryLimit(-1); got != limitBefore {
		t.Errorf("memory limit after the run is %d, want the previous one", got)
	}
}

// TestBatchGCLeavesTheEnvironmentAlone: GOGC set by the user wins.
func TestBatchGCLeavesTheEnvironmentAlone(t *testing.T) {
	t.Setenv("GOGC", "50")
	before := debug.SetGCPercent(77)
	defer debug.SetGCPercent(before)
	restore := batchGC()
	defer restore()
	if got := debug.SetGCPercent(77); got != 77 {
		t.Errorf("GOGC is %d, want the user's setting kept", got)
	}
}

func TestParseCgroupLimit(t *testing.T) {
	for in, want := range map[string]int64{
		"max\n":                 0,
		"9223372036854771712\n": 0, // cgroup v1 without a limit
		"536870912\n":           512 << 20,
		"":                      0,
		"garbage":               0,
	} {
		if got := parseCgroupLimit(in); got != want {
			t.Errorf("parseCgroupLimit(%q) = %d, want %d", in, got, want)
		}
	}
}
