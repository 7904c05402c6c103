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
	"testing"
	"time"
)

// wavecBin is the wavec binary the tests run, and measureBin the program
// that measures it (see measure/main.go), both built once by TestMain.
var wavecBin, measureBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "wavec-reliability-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	wavecBin, measureBin = filepath.Join(dir, "wavec"), filepath.Join(dir, "measure")
	for bin, pkg := range map[string]string{wavecBin: "../cmd/wavec", measureBin: "./measure"} {
		build := exec.Command("go", "build", "-o", bin, pkg)
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			fmt.Fprintf(os.Stderr, "building %s: %v\n", pkg, err)
			os.RemoveAll(dir)
			os.Exit(1)
		}
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
	usage := filepath.Join(t.TempDir(), "usage")
	cmd := exec.CommandContext(ctx, measureBin, append([]string{wavecBin}, inv.args...)...)
	cmd.Dir = inv.dir
	cmd.Env = append(append(os.Environ(), inv.env...), "WAVEC_MEASURE_OUT="+usage)
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
	data, err := os.ReadFile(usage)
	if err != nil {
		t.Fatalf("wavec %s: no measurement: %v; stderr:\n%s", strings.Join(inv.args, " "), err, r.stderr)
	}
	var kib, user, sys int64
	if _, err := fmt.Sscan(string(data), &kib, &user, &sys); err != nil {
		t.Fatalf("measurement %q: %v", data, err)
	}
	r.maxRSS, r.cpu = kib<<10, time.Duration(user+sys)
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
