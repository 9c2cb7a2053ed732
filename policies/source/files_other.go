//go:build !unix

package source

func readFile(path string) ([]byte, error) { return readPortable(path) }
