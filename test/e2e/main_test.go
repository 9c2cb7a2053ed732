// Package e2e runs kubectl against a real kube-apiserver and etcd with
// meshguard registered (test/cluster), and asserts on what kubectl prints, its
// exit code, and what the API server stored.
//
// It needs etcd, kube-apiserver and kubectl built by test/tools/build.sh, in
// the directory MESHGUARD_TOOLS_BIN names; `make test` builds them and sets
// it. Without it the tests are skipped, unless MESHGUARD_E2E=required (as
// `make test` sets it), where that is a failure.
package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/meshguard/meshguard/test/cluster"
)

var (
	env        *cluster.Cluster
	meshguard  string // the built binary
	skipReason string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	bin := os.Getenv("MESHGUARD_TOOLS_BIN")
	if bin == "" {
		if os.Getenv("MESHGUARD_E2E") == "required" {
			fmt.Fprintln(os.Stderr, "e2e: MESHGUARD_TOOLS_BIN is not set; run test/tools/build.sh and set it to the directory it prints")
			return 1
		}
		skipReason = "MESHGUARD_TOOLS_BIN is not set (make test sets it after test/tools/build.sh)"
		return m.Run()
	}
	tmp, err := os.MkdirTemp("", "meshguard-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)
	meshguard = filepath.Join(tmp, "meshguard")
	build := exec.Command("go", "build", "-o", meshguard, "../../cmd/meshguard")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: build meshguard:", err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	state := filepath.Join(tmp, "cluster")
	env, err = cluster.Up(ctx, cluster.Config{
		StateDir: state, BinDir: bin, Meshguard: meshguard,
		CRDDir: "../../manifests/crds", Log: os.Stderr,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: start the control plane:", err)
		return 1
	}
	code := m.Run()
	if code != 0 {
		// Keep the logs of a failed run where a developer can read them.
		logs := filepath.Join(os.TempDir(), "meshguard-e2e-logs")
		_ = os.RemoveAll(logs)
		_ = os.Rename(filepath.Join(state, "logs"), logs)
		fmt.Fprintf(os.Stderr, "e2e: control-plane and meshguard logs kept in %s\n", logs)
	}
	if err := cluster.Down(state); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: stop the control plane:", err)
		return 1
	}
	return code
}

func need(t *testing.T) *cluster.Cluster {
	t.Helper()
	if env == nil {
		t.Skip(skipReason)
	}
	return env
}
