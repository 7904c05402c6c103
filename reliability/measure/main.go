//go:build linux

// Command measure runs a command and writes its peak resident set size and
// CPU time to the file named by $WAVEC_MEASURE_OUT, as "MAXRSS_KIB USER_NS
// SYSTEM_NS". The reliability tests run wavec through it because Linux
// reports a child's peak RSS as at least the RSS of the process that
// forked it: measured directly from a test binary holding large inputs,
// wavec would seem as big as the test. This process is small.
//
// Usage: measure COMMAND [ARG...]; standard streams are passed through
// and the exit code is the command's (128+N when signal N ended it).
package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: measure COMMAND [ARG...]")
		os.Exit(2)
	}
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	if err != nil && cmd.ProcessState == nil {
		fmt.Fprintln(os.Stderr, "measure:", err)
		os.Exit(127)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if out := os.Getenv("WAVEC_MEASURE_OUT"); out != "" {
		line := fmt.Sprintf("%d %d %d\n", ru.Maxrss, cmd.ProcessState.UserTime().Nanoseconds(), cmd.ProcessState.SystemTime().Nanoseconds())
		if err := os.WriteFile(out, []byte(line), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "measure:", err)
			os.Exit(127)
		}
	}
	ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		os.Exit(128 + int(ws.Signal()))
	}
	os.Exit(ws.ExitStatus())
}
