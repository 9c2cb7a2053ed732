// Command measure runs a command and writes its wall time, CPU time and peak
// resident set size, in the form of GNU time -f '%e %U %S %M' (seconds, and
// KiB for the RSS). test/bench/run.sh uses it where /usr/bin/time is missing.
//
//	measure -o FILE -- COMMAND [ARG]...
//
// The command's standard streams and exit status pass through.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

func main() {
	out := flag.String("o", "", "file to write the measurement to (default standard error)")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: measure [-o FILE] -- COMMAND [ARG]...")
		os.Exit(2)
	}
	cmd := exec.Command(flag.Arg(0), flag.Args()[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		fmt.Fprintln(os.Stderr, "measure:", err)
		os.Exit(127)
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	line := fmt.Sprintf("%.2f 0 0 0\n", wall.Seconds())
	if ru != nil {
		line = fmt.Sprintf("%.2f %.2f %.2f %d\n", wall.Seconds(),
			time.Duration(ru.Utime.Nano()).Seconds(), time.Duration(ru.Stime.Nano()).Seconds(), ru.Maxrss)
	}
	if *out == "" {
		fmt.Fprint(os.Stderr, line)
	} else if err := os.WriteFile(*out, []byte(line), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "measure:", err)
		os.Exit(127)
	}
	os.Exit(cmd.ProcessState.ExitCode())
}
