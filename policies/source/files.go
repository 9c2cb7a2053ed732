package source

import (
	"fmt"
	"io"
	"os"
)

// maxFileSize caps what meshguard reads from one input, so a stray binary or a
// huge log cannot exhaust memory.
const maxFileSize = 64 << 20

// ReadFile reads an input file, refusing one larger than 64 MiB.
func ReadFile(path string) ([]byte, error) {
	return readFile(path)
}

// readPortable is ReadFile through package os.
func readPortable(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadAll(f)
}

// ReadAll reads an input stream, refusing one larger than 64 MiB rather than
// truncating it.
func ReadAll(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxFileSize {
		return nil, fmt.Errorf("larger than %d MiB", maxFileSize>>20)
	}
	return b, nil
}
