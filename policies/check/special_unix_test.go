//go:build unix

package check_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/meshguard/meshguard/policies/check"
)

// TestPipesAreReadOnce: a named pipe given as an input (what <(kubectl get
// ...) and /dev/stdin on a pipe are) holds its content once, and was read
// empty by the judging pass: no findings, exit 0. One found in a folder is
// not read at all (it may never end) but reported as skipped.
func TestPipesAreReadOnce(t *testing.T) {
	dir := t.TempDir()
	egress := "apiVersion: policy.openservicemesh.io/v1alpha1\nkind: Egress\nmetadata: {name: db, namespace: curl}\n" +
		"spec:\n  sources: [{kind: ServiceAccount, name: curl, namespace: curl}]\n  ipAddresses: [10.300.0.0/16]\n  ports: [{number: 5432, protocol: tcp}]\n"
	pipe := filepath.Join(dir, "given")
	walked := filepath.Join(dir, "folder", "p.yaml")
	if err := os.MkdirAll(filepath.Dir(walked), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{pipe, walked} {
		if err := syscall.Mkfifo(p, 0o600); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
	}
	go func() {
		f, err := os.OpenFile(pipe, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer f.Close()
		_, _ = f.WriteString(egress)
	}()
	res, err := check.Run(context.Background(), newEngine(t), check.Options{Paths: []string{pipe, filepath.Dir(walked)}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary.Deny == 0 || res.Summary.Documents != 1 {
		t.Errorf("summary %+v, want the pipe's Egress judged (MG2007 deny)", res.Summary)
	}
	if len(res.Skipped) != 1 || res.Skipped[0].File != walked || !strings.Contains(res.Skipped[0].Message, "named pipe") {
		t.Errorf("skipped %+v, want %s as a named pipe", res.Skipped, walked)
	}
	if len(res.Errors) != 0 {
		t.Errorf("errors %+v", res.Errors)
	}
}

// TestAPatchOfAPolicyFromAPipe: the view keeps a manifest's Egress policies
// as summaries and reads the file again when a script patches one; a pipe
// gives nothing the second time, so the patch was reported not checked
// (exit 0) instead of judged.
func TestAPatchOfAPolicyFromAPipe(t *testing.T) {
	dir := t.TempDir()
	pipe := filepath.Join(dir, "given")
	if err := syscall.Mkfifo(pipe, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	script := filepath.Join(dir, "patch.sh")
	if err := os.WriteFile(script, []byte(`kubectl patch egress e1 -n curl --type merge -p '{"spec":{"ports":[{"number":80,"protocol":"grpc"}]}}'`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	go func() {
		f, err := os.OpenFile(pipe, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer f.Close()
		_, _ = f.WriteString("apiVersion: policy.openservicemesh.io/v1alpha1\nkind: Egress\nmetadata: {name: e1, namespace: curl}\n" +
			"spec:\n  sources: [{kind: ServiceAccount, name: curl, namespace: curl}]\n  hosts: [httpbin.org]\n  ports: [{number: 80, protocol: http}]\n")
	}()
	res, err := check.Run(context.Background(), newEngine(t), check.Options{Paths: []string{pipe, script}})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range res.Findings {
		found = found || f.Rule == "MG2003" && f.File == script
	}
	if !found {
		t.Errorf("findings %+v, want MG2003 for the patch", res.Findings)
	}
}
