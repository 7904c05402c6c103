package harness

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// Start-up commands in results: a Go program that prints one line and
// exits (the floor any Go command pays), `wavec version`, and `wavec check`
// of a small pipeline.
const (
	BareGo       = "bare-go"
	WavecVersion = "wavec-version"
	WavecCheck   = "wavec-check"
)

// Goals of issue 18 for start-up.
const (
	// GoalStartupRatio: `wavec version` at most this many times a bare Go
	// program's wall time.
	GoalStartupRatio = 4.0
)

// bareSource is the bare Go program.
const bareSource = `package main

import "fmt"

func main() { fmt.Println("bare") }
`

// smallPipeline is what `wavec check` checks: a few objects, no YAML.
const smallPipeline = `pipeline small in bench

param image = "ghcr.io/acme/shop:1.4.2"

configmap web-config {
  LOG_LEVEL = "info"
}
deployment web {
  image    = image
  port     = 8080
  env_from = [configmap web-config]
  ready    = http "/healthz" on 8080
  cpu      = 50m
  memory   = 64Mi
}
service web { port = 80 -> 8080 }
`

// StartupResult is the wall times of one start-up command.
type StartupResult struct {
	Name    string
	Args    []string
	Samples []Sample
}

// MedianWall is the median wall time of the samples.
func (r *StartupResult) MedianWall() time.Duration {
	var ds []time.Duration
	for _, s := range r.Samples {
		ds = append(ds, s.Wall)
	}
	return Median(ds)
}

// MedianCPU is the median user plus system time of the samples.
func (r *StartupResult) MedianCPU() time.Duration {
	var ds []time.Duration
	for _, s := range r.Samples {
		ds = append(ds, s.CPU)
	}
	return Median(ds)
}

// StartupRounds is how many times each start-up command runs.
const StartupRounds = 41

// Startup measures start-up side by side: a bare Go program built here,
// `wavec version` and `wavec check` of a small pipeline, taking turns for
// StartupRounds rounds after one untimed run each (which must succeed). It
// prints `startup <command> <ratio to the bare program>` lines to cfg.Out.
func Startup(ctx context.Context, cfg *Config) ([]*StartupResult, error) {
	dir := filepath.Join(cfg.Work, "startup")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	files := map[string]string{
		"main.go":    bareSource,
		"go.mod":     "module bare\n\ngo 1.22\n",
		"small.wave": smallPipeline,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			return nil, err
		}
	}
	bare := filepath.Join(dir, "bare")
	build := exec.CommandContext(ctx, "go", "build", "-o", bare, ".")
	build.Dir = dir
	build.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off")
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("building the bare Go program: %v\n%s", err, out)
	}
	res := []*StartupResult{
		{Name: BareGo, Args: []string{bare}},
		{Name: WavecVersion, Args: []string{cfg.Wavec, "version"}},
		{Name: WavecCheck, Args: []string{cfg.Wavec, "check", filepath.Join(dir, "small.wave")}},
	}
	env := toolEnv(cfg.Work)
	for _, r := range res {
		if _, err := Exec(ctx, Proc{Args: r.Args, Env: env}); err != nil {
			return nil, fmt.Errorf("start-up %s: %w", r.Name, err)
		}
	}
	for round := range StartupRounds {
		for i := range res {
			r := res[(i+round)%len(res)]
			s, err := Exec(ctx, Proc{Args: r.Args, Env: env})
			if err != nil {
				return nil, fmt.Errorf("start-up %s: %w", r.Name, err)
			}
			r.Samples = append(r.Samples, s)
		}
	}
	base := res[0].MedianWall()
	for _, r := range res {
		fmt.Fprintf(cfg.Log, "startup %-14s median %8s  CPU %8s\n", r.Name, fmtDuration(r.MedianWall()), fmtDuration(r.MedianCPU()))
		if r.Name != BareGo && base > 0 {
			fmt.Fprintf(cfg.Out, "startup %s %.2f\n", r.Name, float64(r.MedianWall())/float64(base))
		}
	}
	return res, nil
}

// FindStartup returns the start-up result called name, or nil.
func FindStartup(rs []*StartupResult, name string) *StartupResult {
	for _, r := range rs {
		if r.Name == name {
			return r
		}
	}
	return nil
}
