// Package harness runs wavec and the tools people would use instead on the
// same generated releases, and writes docs/benchmarks.md from what it
// measured. Every figure it reports comes from one run on one machine:
// timings are compared as ratios between tools measured side by side.
package harness

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strings"
	"syscall"
	"time"
)

// Sample is what one process cost.
type Sample struct {
	// Wall is the time from starting the process to reaping it.
	Wall time.Duration
	// CPU is user plus system time of the process and its children.
	CPU time.Duration
	// MaxRSS is its peak resident set size in bytes (of the largest
	// process, for a script).
	MaxRSS int64
}

// Proc is one process to run.
type Proc struct {
	Args []string
	Env  []string
	Dir  string
	// Stdout is a file to write standard output to; "" discards it.
	Stdout string
	// Stderr, when set, receives standard error too.
	Stderr io.Writer
}

// Exec runs p and measures it. A non-zero exit is an error that includes
// the end of standard error.
func Exec(ctx context.Context, p Proc) (Sample, error) {
	cmd := exec.CommandContext(ctx, p.Args[0], p.Args[1:]...)
	cmd.Env = p.Env
	cmd.Dir = p.Dir
	var out *os.File
	var err error
	if p.Stdout != "" {
		out, err = os.Create(p.Stdout)
	} else {
		out, err = os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	}
	if err != nil {
		return Sample{}, err
	}
	defer out.Close()
	cmd.Stdout = out
	var tail tailBuffer
	if p.Stderr != nil {
		cmd.Stderr = io.MultiWriter(&tail, p.Stderr)
	} else {
		cmd.Stderr = &tail
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return Sample{}, err
	}
	err = cmd.Wait()
	s := Sample{Wall: time.Since(start)}
	if ps := cmd.ProcessState; ps != nil {
		s.CPU = ps.UserTime() + ps.SystemTime()
		if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
			s.MaxRSS = ru.Maxrss * 1024 // KiB on Linux
		}
	}
	if err != nil {
		return s, fmt.Errorf("%s: %v\n%s", strings.Join(shorten(p.Args), " "), err, tail.String())
	}
	return s, nil
}

func shorten(args []string) []string {
	if len(args) <= 8 {
		return args
	}
	return append(append([]string{}, args[:8]...), "...")
}

// tailBuffer keeps the last 4 KiB written to it.
type tailBuffer struct{ b []byte }

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > 4096 {
		t.b = append(t.b[:0], t.b[len(t.b)-4096:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string { return string(bytes.TrimSpace(t.b)) }

// Median returns the median of ds (the mean of the middle two for an even
// count), 0 for none.
func Median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// Percentile returns the p-th percentile (0 < p <= 100) of ds by the
// nearest-rank method, 0 for none.
func Percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	rank := int(float64(len(s))*p/100 + 0.999999)
	if rank < 1 {
		rank = 1
	}
	if rank > len(s) {
		rank = len(s)
	}
	return s[rank-1]
}

// MedianInt returns the median of xs, 0 for none.
func MedianInt(xs []int64) int64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]int64(nil), xs...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
