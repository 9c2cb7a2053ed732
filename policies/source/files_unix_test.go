//go:build unix

package source

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// A named pipe (what <(kubectl get ...) hands meshguard) is read to its end.
func TestReadFileNamedPipe(t *testing.T) {
	p := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	want := bytes.Repeat([]byte("kind: Egress\n"), 1000)
	go func() {
		f, err := os.OpenFile(p, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		for i := 0; i < len(want); i += 1000 {
			f.Write(want[i:min(i+1000, len(want))])
		}
		f.Close()
	}()
	got, err := ReadFile(p)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("got %d bytes, %v; want %d", len(got), err, len(want))
	}
}
