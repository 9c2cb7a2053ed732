//go:build unix

package source

import (
	"fmt"
	"io/fs"
	"syscall"
)

// readFile reads path with plain system calls: open, read until the end,
// close. validate reads every manifest twice (once for the cluster view, once
// to judge it), and os.Open also sets a file up for the runtime's poller,
// which a regular file refuses: four fcntl calls and an epoll_ctl more per
// file, a fifth of the cost of reading a small manifest. Reads block the
// thread, as they do for a regular file anyway; a named pipe
// (<(kubectl get ...)) is read the same way.
func readFile(path string) ([]byte, error) {
	fd, err := retry(func() (int, error) { return syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0) })
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	defer syscall.Close(fd)
	buf := make([]byte, 0, 4096)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := retry(func() (int, error) { return syscall.Read(fd, buf[len(buf):cap(buf)]) })
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: path, Err: err}
		}
		if n == 0 {
			return buf, nil
		}
		buf = buf[:len(buf)+n]
		if len(buf) > maxFileSize {
			return nil, fmt.Errorf("larger than %d MiB", maxFileSize>>20)
		}
	}
}

// retry repeats a system call a signal interrupted, as package os does.
func retry(call func() (int, error)) (int, error) {
	for {
		n, err := call()
		if err != syscall.EINTR {
			return n, err
		}
	}
}
