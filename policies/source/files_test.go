package source

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	for _, size := range []int{0, 1, 4095, 4096, 4097, 100_000} {
		want := bytes.Repeat([]byte("a: b\n"), size/5+1)[:size]
		p := filepath.Join(dir, "f.yaml")
		if err := os.WriteFile(p, want, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := ReadFile(p)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("size %d: got %d bytes, %v; want %d bytes", size, len(got), err, size)
		}
	}
}

func TestReadFileErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := ReadFile(filepath.Join(dir, "missing.yaml"))
	var pe *fs.PathError
	if !errors.Is(err, fs.ErrNotExist) || !errors.As(err, &pe) || pe.Op != "open" {
		t.Errorf("missing file: %v, want an open error that is fs.ErrNotExist", err)
	}
	if _, err := ReadFile(dir); !errors.As(err, &pe) || pe.Op != "read" || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("directory: %v, want a read error saying it is a directory", err)
	}
	// A sparse file one byte over the limit: refused, not truncated.
	big := filepath.Join(dir, "big.yaml")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(maxFileSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if b, err := ReadFile(big); err == nil || !strings.Contains(err.Error(), "larger than 64 MiB") {
		t.Errorf("file over the limit: %d bytes, %v; want an error naming the limit", len(b), err)
	}
}
