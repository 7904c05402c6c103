package harness

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/wavec/wavec/bench/gen"
)

// Config is where the harness finds its tools and keeps its files.
type Config struct {
	// Wavec is the wavec binary under test.
	Wavec string
	// ToolsBin holds helm, kubectl and kustomize (bench/tools/build.sh).
	ToolsBin string
	// Work is a scratch directory for inputs, outputs and tool state.
	Work string
	// Sizes are the release sizes to measure.
	Sizes []gen.Size
	// Runs is how many timed runs each tool gets per size (after one
	// untimed run that also checks its output).
	Runs int
	// Budget, when positive, ends a size's timed rounds early once they
	// have taken this long and MinRuns rounds are done, so that a slow
	// tool cannot stretch the compile side past a few minutes.
	Budget  time.Duration
	MinRuns int
	// ProcTimeout stops one compile process that runs longer; the tool is
	// then only known to take longer than that at that size, and is not
	// timed there.
	ProcTimeout time.Duration
	// KubectlKustomize adds `kubectl kustomize` to the compile side (the
	// same kustomize library as `kustomize build`, behind kubectl).
	KubectlKustomize bool
	// LangServerEdits is how many timed edits the language server gets
	// (DiagnosticsEdits when 0).
	LangServerEdits int
	// Log receives progress for people.
	Log io.Writer
	// Out receives the machine-readable result lines.
	Out io.Writer
}

// Compile peers: the name in result lines and how to invoke it on the
// generated inputs in dir.
type compileTool struct {
	name string
	// args returns the command line for the inputs under dir.
	args func(cfg *Config, dir string) []string
}

// Wavec is the name of wavec in results.
const Wavec = "wavec"

// Peer names in result lines.
const (
	HelmTemplate     = "helm-template"
	Kustomize        = "kustomize"
	KubectlKustomize = "kubectl-kustomize"
)

// ratioPeers are the peers of the `compile <peer> <size> <ratio>` lines.
var ratioPeers = []string{HelmTemplate, Kustomize}

func compileTools() []compileTool {
	return []compileTool{
		{Wavec, func(c *Config, dir string) []string {
			return []string{c.Wavec, "build", filepath.Join(dir, "wave")}
		}},
		{HelmTemplate, func(c *Config, dir string) []string {
			return []string{filepath.Join(c.ToolsBin, "helm"), "template", gen.Pipeline, filepath.Join(dir, "helm"), "--namespace", gen.DefaultNamespace}
		}},
		{Kustomize, func(c *Config, dir string) []string {
			return []string{filepath.Join(c.ToolsBin, "kustomize"), "build", filepath.Join(dir, "kustomize")}
		}},
		{KubectlKustomize, func(c *Config, dir string) []string {
			return []string{filepath.Join(c.ToolsBin, "kubectl"), "kustomize", filepath.Join(dir, "kustomize")}
		}},
	}
}

// CompileResult is one tool at one size.
type CompileResult struct {
	Tool    string
	Size    gen.Size
	Samples []Sample
	// Error is set when the tool failed or its output was not equivalent;
	// it then has no samples.
	Error string
	// TimedOut is set when its first run was stopped after that long.
	TimedOut time.Duration
}

// MedianWall is the median wall time of the samples.
func (r *CompileResult) MedianWall() time.Duration {
	var ds []time.Duration
	for _, s := range r.Samples {
		ds = append(ds, s.Wall)
	}
	return Median(ds)
}

// MedianCPU is the median user plus system time of the samples.
func (r *CompileResult) MedianCPU() time.Duration {
	var ds []time.Duration
	for _, s := range r.Samples {
		ds = append(ds, s.CPU)
	}
	return Median(ds)
}

// MedianRSS is the median peak RSS of the samples.
func (r *CompileResult) MedianRSS() int64 {
	var xs []int64
	for _, s := range r.Samples {
		xs = append(xs, s.MaxRSS)
	}
	return MedianInt(xs)
}

// CompileReport is the compile side of a benchmark run.
type CompileReport struct {
	Runs        int
	ProcTimeout time.Duration
	Results     []*CompileResult
	// Startup is the start-up side by side with a bare Go program.
	Startup []*StartupResult
	// LangServer is the language server's time from an edit to its
	// diagnostics; nil when not measured (as in results saved before the
	// harness measured it).
	LangServer *LangServerResult `json:",omitempty"`
	// Wavec names the wavec measured (its revision), for a before/after
	// comparison.
	Wavec string
}

// Find returns the result of tool at size s, or nil.
func (r *CompileReport) Find(tool string, s gen.Size) *CompileResult {
	if r == nil {
		return nil
	}
	for _, x := range r.Results {
		if x.Tool == tool && x.Size == s {
			return x
		}
	}
	return nil
}

// Ratio is peer median time over wavec median time at size s, and whether
// both were measured.
func (r *CompileReport) Ratio(peer string, s gen.Size) (float64, bool) {
	w, p := r.Find(Wavec, s), r.Find(peer, s)
	if w == nil || p == nil || len(w.Samples) == 0 || len(p.Samples) == 0 {
		return 0, false
	}
	return float64(p.MedianWall()) / float64(w.MedianWall()), true
}

// toolEnv is the environment every tool runs with: nothing from the
// caller's but PATH, and a private HOME so that no user configuration (Helm
// repositories, plugins, kubeconfig) changes the work.
func toolEnv(work string) []string {
	home := filepath.Join(work, "home")
	return []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"HELM_CACHE_HOME=" + filepath.Join(home, ".cache", "helm"),
		"HELM_CONFIG_HOME=" + filepath.Join(home, ".config", "helm"),
		"HELM_DATA_HOME=" + filepath.Join(home, ".local", "share", "helm"),
		"KUBECONFIG=" + filepath.Join(home, "no-kubeconfig"),
	}
}

// Compile measures every compile tool at every size: one untimed run whose
// output must be the expected objects, then cfg.Runs timed runs, with the
// tools taking turns so that a slow moment of the machine hits all alike. It
// prints `compile <peer> <resources> <ratio>` per peer and size to cfg.Out.
// Then it measures start-up (Startup) and the language server
// (LangServer).
func Compile(ctx context.Context, cfg *Config) (*CompileReport, error) {
	rep := &CompileReport{Runs: cfg.Runs, ProcTimeout: cfg.ProcTimeout}
	env := toolEnv(cfg.Work)
	if err := os.MkdirAll(filepath.Join(cfg.Work, "home"), 0o755); err != nil {
		return nil, err
	}
	var tools []compileTool
	for _, t := range compileTools() {
		if t.name != KubectlKustomize || cfg.KubectlKustomize {
			tools = append(tools, t)
		}
	}
	for _, size := range cfg.Sizes {
		dir := filepath.Join(cfg.Work, "compile", fmt.Sprintf("%d-%d", size.Resources, size.Waves))
		if err := os.RemoveAll(dir); err != nil {
			return nil, err
		}
		opts := gen.Options{Size: size}
		if err := gen.WriteAll(dir, opts); err != nil {
			return nil, err
		}
		want, err := gen.Expected(opts)
		if err != nil {
			return nil, err
		}
		var live []*CompileResult
		var liveTools []compileTool
		for _, t := range tools {
			res := &CompileResult{Tool: t.name, Size: size}
			rep.Results = append(rep.Results, res)
			out := filepath.Join(dir, t.name+".yaml")
			pctx, cancel := ctx, context.CancelFunc(func() {})
			if cfg.ProcTimeout > 0 {
				pctx, cancel = context.WithTimeout(ctx, cfg.ProcTimeout)
			}
			_, err := Exec(pctx, Proc{Args: t.args(cfg, dir), Env: env, Stdout: out})
			timedOut := pctx.Err() != nil && ctx.Err() == nil
			cancel()
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if timedOut {
				res.TimedOut = cfg.ProcTimeout
				fmt.Fprintf(cfg.Log, "compile %s %v: stopped after %s\n", t.name, size, cfg.ProcTimeout)
				continue
			}
			if err != nil {
				res.Error = err.Error()
				fmt.Fprintf(cfg.Log, "compile %s %v: %v\n", t.name, size, err)
				continue
			}
			data, err := os.ReadFile(out)
			if err != nil {
				return nil, err
			}
			got, err := gen.Normalize(data, gen.DefaultNamespace)
			if err != nil {
				res.Error = "output: " + err.Error()
			} else if d := gen.Diff(want, got, 10); d != "" {
				res.Error = "output differs from the expected objects:\n" + d
			}
			if res.Error != "" {
				fmt.Fprintf(cfg.Log, "compile %s %v: %s\n", t.name, size, res.Error)
				continue
			}
			live = append(live, res)
			liveTools = append(liveTools, t)
		}
		out := filepath.Join(dir, "timed.out")
		started := time.Now()
		for run := range cfg.Runs {
			if cfg.Budget > 0 && run >= max(cfg.MinRuns, 1) && time.Since(started) > cfg.Budget {
				fmt.Fprintf(cfg.Log, "compile %v: %d rounds in %s, over the budget of %s: stopping there\n", size, run, time.Since(started).Round(time.Second), cfg.Budget)
				break
			}
			for i := range live {
				// Rotate the order each round.
				k := (i + run) % len(live)
				t, res := liveTools[k], live[k]
				s, err := Exec(ctx, Proc{Args: t.args(cfg, dir), Env: env, Stdout: out})
				if err != nil {
					return nil, err
				}
				res.Samples = append(res.Samples, s)
			}
		}
		for _, res := range live {
			fmt.Fprintf(cfg.Log, "compile %-17s %-9v median %8s  CPU %8s  peak RSS %s\n", res.Tool, size, fmtDuration(res.MedianWall()), fmtDuration(res.MedianCPU()), fmtBytes(res.MedianRSS()))
		}
		for _, peer := range ratioPeers {
			w, p := rep.Find(Wavec, size), rep.Find(peer, size)
			if r, ok := rep.Ratio(peer, size); ok {
				fmt.Fprintf(cfg.Out, "compile %s %d %.2f\n", peer, size.Resources, r)
			} else if p != nil && p.TimedOut > 0 && w != nil && len(w.Samples) > 0 {
				// A lower bound: the peer did not finish in that time.
				fmt.Fprintf(cfg.Out, "compile %s %d >%.2f\n", peer, size.Resources, float64(p.TimedOut)/float64(w.MedianWall()))
			} else {
				fmt.Fprintf(cfg.Out, "compile %s %d n/a\n", peer, size.Resources)
			}
		}
	}
	st, err := Startup(ctx, cfg)
	if err != nil {
		return nil, err
	}
	rep.Startup = st
	if rep.LangServer, err = LangServer(ctx, cfg); err != nil {
		return nil, err
	}
	return rep, nil
}

func fmtDuration(d time.Duration) string {
	switch {
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	case d < time.Minute:
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
	return fmt.Sprintf("%.0f s", d.Seconds())
}

func fmtBytes(n int64) string {
	return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
}
