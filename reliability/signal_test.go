//go:build linux

package reliability

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestInterruptWhileReading interrupts commands that block reading their
// input (standard input that stays open, a named pipe given with -f): the
// first Ctrl-C (or SIGTERM) must end them, as it ends any program that
// does not handle it. run, delete and fmt handle the first one themselves
// (to delete running hooks, to stop between rewritten files) and act on it
// only after reading; a second one must end them at once.
func TestInterruptWhileReading(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		args []string
		sig  syscall.Signal
		// twice sends the signal a second time after a second.
		twice bool
	}{
		{"plan-stdin-SIGINT", []string{"plan", "-f", "-"}, syscall.SIGINT, false},
		{"plan-stdin-SIGTERM", []string{"plan", "-f", "-"}, syscall.SIGTERM, false},
		{"plan-named-pipe", []string{"plan", "-f", fifo}, syscall.SIGINT, false},
		{"fmt-stdin-twice", []string{"fmt", "-"}, syscall.SIGINT, true},
		{"run-stdin-twice", []string{"run", "--name", "x", "-f", "-"}, syscall.SIGINT, true},
		{"delete-stdin-twice", []string{"delete", "--name", "x", "-f", "-"}, syscall.SIGTERM, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			cmd := exec.Command(wavecBin, c.args...)
			cmd.Stdin = r
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			r.Close()
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			time.Sleep(500 * time.Millisecond)
			start := time.Now()
			_ = cmd.Process.Signal(c.sig)
			if c.twice {
				time.Sleep(time.Second)
				_ = cmd.Process.Signal(c.sig)
			}
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				_ = cmd.Process.Kill()
				<-done
				t.Fatalf("wavec %v still ran 10 s after %v", c.args, c.sig)
			}
			ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
			t.Logf("wavec %v ended %s after %v: %v", c.args, time.Since(start).Round(time.Millisecond), c.sig, cmd.ProcessState)
			if !(ws.Signaled() && ws.Signal() == c.sig) && ws.ExitStatus() != 130 && ws.ExitStatus() != 1 {
				t.Errorf("wavec %v: %v after %v; want the signal's default end, or exit code 130", c.args, cmd.ProcessState, c.sig)
			}
		})
	}
}
