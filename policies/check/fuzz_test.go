package check_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/meshguard/meshguard/policies"
	"github.com/meshguard/meshguard/policies/check"
)

var (
	fuzzEngine     *policies.Engine
	fuzzEngineOnce sync.Once
)

// FuzzRun feeds arbitrary standard input through the whole validate path:
// it reports findings or input errors, never fails with an engine error and
// never panics.
func FuzzRun(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "examples", "*", "*", "*.yaml"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		fuzzEngineOnce.Do(func() {
			e, err := policies.New(context.Background())
			if err != nil {
				panic(err)
			}
			fuzzEngine = e
		})
		res, err := check.Run(context.Background(), fuzzEngine, check.Options{Paths: []string{"-"}, Stdin: bytes.NewReader(in), Workers: 1})
		if err != nil {
			t.Fatalf("engine failure on input %q: %v", in, err)
		}
		for _, e := range res.Errors {
			if e.File != "-" || e.Message == "" {
				t.Fatalf("input error without file or message: %+v", e)
			}
		}
	})
}
