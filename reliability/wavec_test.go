//go:build linux

package reliability

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// wavecBin is the wavec binary the tests run, built once by TestMain.
var wavecBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "wavec-reliability-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	wavecBin = filepath.Join(dir, "wavec")
	build := exec.Command("go", "build", "-o", wavecBin, "../cmd/wavec")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building wavec:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is the outcome of one wavec process.
type result struct {
	stdout, stderr string
	code           int
	// wall is the elapsed time; cpu the user plus system time, which the
	// load of a shared machine disturbs far less.
	wall, cpu time.Duration
	// maxRSS is the peak resident set size in bytes.
	maxRSS int64
}

func (r result) String() string {
	return fmt.Sprintf("exit %d in %s wall, %s CPU, peak RSS %d MiB", r.code, r.wall.Round(time.Millisecond), r.cpu.Round(time.Millisecond), r.maxRSS>>20)
}

// invocation describes how to run wavec.
type invocation struct {
	args  []string
	stdin io.Reader
	dir   string
	env   []string
	// timeout kills the process (default 2 minutes).
	timeout time.Duration
}

// wavec runs the binary and measures it.
func wavec(t testing.TB, inv invocation) result {
	t.Helper()
	if inv.timeout == 0 {
		inv.timeout = 2 * time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), inv.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, wavecBin, inv.args...)
	cmd.Dir = inv.dir
	cmd.Env = append(os.Environ(), inv.env...)
	cmd.Stdin = inv.stdin
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String(), wall: time.Since(start)}
	if ctx.Err() != nil {
		t.Fatalf("wavec %s did not end within %s", strings.Join(inv.args, " "), inv.timeout)
	}
	if err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatalf("wavec %s: %v", strings.Join(inv.args, " "), err)
		}
	}
	r.code = cmd.ProcessState.ExitCode()
	r.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.maxRSS = int64(ru.Maxrss) * 1024 // KiB on Linux
	}
	return r
}

// writeFile writes data to dir/name and returns the path.
func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
