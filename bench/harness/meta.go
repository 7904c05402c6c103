package harness

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// CollectMeta describes the machine, the wavec revision in repo and the
// peers in toolsBin.
func CollectMeta(ctx context.Context, repo, toolsBin string) Meta {
	m := Meta{
		Date:      time.Now(),
		Cores:     runtime.NumCPU(),
		GoVersion: runtime.Version(),
		Versions:  map[string]string{},
	}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "MemTotal:" {
				if kib, err := strconv.ParseFloat(f[1], 64); err == nil {
					m.Memory = fmt.Sprintf("%.0f GiB", kib/(1<<20))
				}
			}
		}
	}
	rev := output(ctx, repo, "git", "rev-parse", "--short", "HEAD")
	// Untracked Go files count too: go build compiles them.
	if rev != "" && output(ctx, repo, "sh", "-c", "git status --porcelain | grep -E '[.]go$|go[.](mod|sum)$'") != "" {
		rev += " with uncommitted changes"
	}
	m.WavecRevision = rev
	m.Versions["helm"] = output(ctx, "", filepath.Join(toolsBin, "helm"), "version", "--short")
	m.Versions["kustomize"] = output(ctx, "", filepath.Join(toolsBin, "kustomize"), "version")
	m.Versions["kubectl"] = firstLine(output(ctx, "", filepath.Join(toolsBin, "kubectl"), "version", "--client"))
	if b, err := os.ReadFile(filepath.Join(toolsBin, ".build-seconds")); err == nil {
		if s, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			m.ToolsBuild = time.Duration(s) * time.Second
		}
	}
	return m
}

func output(ctx context.Context, dir, name string, args ...string) string {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "KUBECONFIG="+os.DevNull)
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	return string(bytes.TrimSpace(out))
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
