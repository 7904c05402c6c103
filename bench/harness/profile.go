package harness

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/wavec/wavec/bench/gen"
)

// ProfileEnv names the size BenchmarkWavecBuild compiles, as
// RESOURCES/WAVES.
const ProfileEnv = "WAVEC_BENCH_SIZE"

// ProfileBuild profiles `wavec build` in-process at size s with
// BenchmarkWavecBuild and returns the top of its CPU and allocation
// profiles.
func ProfileBuild(ctx context.Context, repo, work string, s gen.Size, reason string) (Profile, error) {
	dir := filepath.Join(work, "profile")
	if rel, err := filepath.Rel(repo, dir); err == nil && !strings.HasPrefix(rel, "..") {
		dir = rel // the go commands run in repo; relative paths read better in the report
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Profile{}, err
	}
	cpu, mem, bin := filepath.Join(dir, "cpu.prof"), filepath.Join(dir, "mem.prof"), filepath.Join(dir, "harness.test")
	args := []string{"test", "./bench/harness", "-run", "^$", "-bench", "^BenchmarkWavecBuild$", "-benchtime", "5x",
		"-o", bin, "-cpuprofile", cpu, "-memprofile", mem}
	pr := Profile{
		Size:    s,
		Reason:  reason,
		Command: fmt.Sprintf("%s=%d/%d go %s", ProfileEnv, s.Resources, s.Waves, strings.Join(args, " ")),
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = repo
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d/%d", ProfileEnv, s.Resources, s.Waves))
	if out, err := cmd.CombinedOutput(); err != nil {
		return pr, fmt.Errorf("profiling wavec build: %v\n%s", err, out)
	}
	top := func(profile string, extra ...string) string {
		a := append([]string{"tool", "pprof", "-top", "-nodecount", "25"}, extra...)
		a = append(a, bin, profile)
		c := exec.CommandContext(ctx, "go", a...)
		c.Dir = repo
		out, err := c.Output()
		if err != nil {
			return ""
		}
		return string(out)
	}
	pr.CPUTop = top(cpu)
	pr.MemTop = top(mem, "-sample_index=alloc_space")
	return pr, nil
}
