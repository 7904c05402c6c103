// Command wavebench benchmarks wavec against the tools people would use
// instead, on generated releases of several sizes.
//
//	wavebench compile   compile side, start-up and the language server: prints
//	                    `compile <peer> <resources> <ratio>`, `startup <command> <ratio>` and
//	                    `langserver <lines> <median ms>`; with -write-doc also rewrites
//	                    docs/benchmarks.md, keeping its run-side section
//	wavebench all       compile and run side; rewrites docs/benchmarks.md
//	wavebench gen DIR   writes the inputs of every size into DIR, for a look
//
// Run it from the repository root (make bench, make bench-compile). The peers
// come from bench/.tools/bin (bench/tools/build.sh); wavec is built from the
// working tree.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/wavec/wavec/bench/gen"
	"github.com/wavec/wavec/bench/harness"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "wavebench:", err)
		os.Exit(1)
	}
}

func run() error {
	fs := flag.NewFlagSet("wavebench", flag.ExitOnError)
	tools := fs.String("tools", "bench/.tools", "folder of the built peers (bin/) and scratch files")
	sizes := fs.String("sizes", "100/1,1000/10,5000/50", "sizes as RESOURCES/WAVES, comma-separated")
	runs := fs.Int("runs", 7, "timed compile runs per tool and size")
	budget := fs.Duration("budget", 30*time.Second, "stop a size's timed compile rounds after this long, once -min-runs are done")
	minRuns := fs.Int("min-runs", 3, "timed compile runs per tool and size that -budget cannot cut")
	procTimeout := fs.Duration("compile-timeout", 30*time.Second, "stop one compile process after this long (the tool is then reported as slower than that)")
	kubectlKustomize := fs.Bool("kubectl-kustomize", false, "also time `kubectl kustomize` on the compile side (make bench turns it on)")
	lspEdits := fs.Int("lsp-edits", harness.DiagnosticsEdits, "timed edits of the 1,000-line pipeline in the language server (wavec lsp), each timed to its diagnostics")
	runReps := fs.String("run-reps", "100=2,1000=1,5000=1", "run-side runs per tool, by size (RESOURCES=N)")
	doc := fs.String("doc", "docs/benchmarks.md", "the report `make bench` rewrites")
	apiPort := fs.Int("api-port", 36443, "API server port of the benchmark's own test cluster")
	etcdPort := fs.Int("etcd-port", 32379, "etcd client port of the benchmark's own test cluster")
	wavecBin := fs.String("wavec", "", "measure this wavec binary instead of building one from the working tree (for a before/after comparison)")
	wavecName := fs.String("wavec-name", "", "what the report calls the -wavec binary (default its path), e.g. \"main at 8db145d\"")
	save := fs.String("save", "", "write the compile side's results to this JSON file (for -before of a later run)")
	before := fs.String("before", "", "compare the goals with the compile side saved in this JSON file (-save of an earlier run)")
	writeDoc := fs.Bool("write-doc", false, "with compile: rewrite -doc with this compile side, keeping its run-side section as it is")
	timeout := fs.Duration("run-timeout", 20*time.Minute, "limit of one run-side tool run (peers at client-go's 5 requests per second take longer at 5,000 objects)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: wavebench [flags] compile|all|gen DIR\n")
		fs.PrintDefaults()
	}
	_ = fs.Parse(os.Args[1:])
	if fs.NArg() < 1 {
		fs.Usage()
		os.Exit(2)
	}
	ss, err := parseSizes(*sizes)
	if err != nil {
		return err
	}
	if fs.Arg(0) == "gen" {
		if fs.NArg() != 2 {
			return errors.New("usage: wavebench gen DIR")
		}
		for _, s := range ss {
			if err := gen.WriteAll(filepath.Join(fs.Arg(1), fmt.Sprintf("%d-%d", s.Resources, s.Waves)), gen.Options{Size: s}); err != nil {
				return err
			}
		}
		return nil
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	repo, err := os.Getwd()
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(repo, "cmd", "wavec")); err != nil {
		return errors.New("run from the repository root")
	}
	root, err := filepath.Abs(*tools)
	if err != nil {
		return err
	}
	work := filepath.Join(root, "work")
	if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}
	cfg := &harness.Config{
		ToolsBin: filepath.Join(root, "bin"),
		Work:     work,
		Sizes:    ss,
		Runs:     *runs,
		Budget:   *budget,
		MinRuns:  *minRuns,

		ProcTimeout:      *procTimeout,
		KubectlKustomize: *kubectlKustomize,
		LangServerEdits:  *lspEdits,
		Log:              os.Stderr,
		Out:              os.Stdout,
	}
	for _, t := range []string{"helm", "kustomize", "kubectl"} {
		if _, err := os.Stat(filepath.Join(cfg.ToolsBin, t)); err != nil {
			return fmt.Errorf("peer %s is not built: run bench/tools/build.sh (%v)", t, err)
		}
	}
	var beforeRep *harness.CompileReport
	if *before != "" {
		data, err := os.ReadFile(*before)
		if err != nil {
			return err
		}
		beforeRep = &harness.CompileReport{}
		if err := json.Unmarshal(data, beforeRep); err != nil {
			return fmt.Errorf("%s: %w", *before, err)
		}
	}
	if *wavecBin != "" {
		if cfg.Wavec, err = filepath.Abs(*wavecBin); err != nil {
			return err
		}
	} else {
		cfg.Wavec = filepath.Join(work, "wavec")
		fmt.Fprintln(os.Stderr, "wavebench: building wavec from the working tree")
		build := exec.CommandContext(ctx, "go", "build", "-o", cfg.Wavec, "./cmd/wavec")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("building wavec: %w", err)
		}
	}

	start := time.Now()
	switch fs.Arg(0) {
	case "compile", "all":
	default:
		fs.Usage()
		os.Exit(2)
	}
	meta := harness.CollectMeta(ctx, repo, cfg.ToolsBin)
	if *wavecBin != "" {
		meta.WavecRevision = *wavecBin
		if *wavecName != "" {
			meta.WavecRevision = *wavecName
		}
	}
	// Every flag with its value in effect, so that the report can be
	// reproduced even after the defaults change.
	var flags []string
	fs.VisitAll(func(f *flag.Flag) {
		if f.Name != "doc" && f.Name != "tools" {
			flags = append(flags, "-"+f.Name+"="+f.Value.String())
		}
	})
	meta.Command = "go run ./bench/cmd/wavebench " + strings.Join(flags, " ") + " " + fs.Arg(0)
	comp, err := harness.Compile(ctx, cfg)
	if err != nil {
		return err
	}
	comp.Wavec = meta.WavecRevision
	if *save != "" {
		data, err := json.MarshalIndent(comp, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(*save, data, 0o644); err != nil {
			return err
		}
	}
	rep := &harness.Report{Meta: meta, Compile: comp, Before: beforeRep}
	if fs.Arg(0) == "compile" {
		if !*writeDoc {
			return nil
		}
		old, err := os.ReadFile(*doc)
		if err != nil {
			return fmt.Errorf("-write-doc keeps the run side of %s: %w", *doc, err)
		}
		rep.KeptRun = harness.ExtractRunSection(string(old))
		if rep.KeptRun == "" {
			return fmt.Errorf("%s has no run-side section to keep", *doc)
		}
		return writeReport(ctx, rep, ss, repo, work, start, *doc)
	}
	reps, err := parseReps(*runReps)
	if err != nil {
		return err
	}
	rc := &harness.RunConfig{
		Config:     cfg,
		Reps:       reps,
		Repo:       repo,
		ClusterDir: filepath.Join(root, "cluster"),
		APIPort:    *apiPort,
		EtcdPort:   *etcdPort,
		Timeout:    *timeout,
	}
	runRep, err := harness.RunSide(ctx, rc)
	if err != nil {
		return err
	}
	rep.Run = runRep
	return writeReport(ctx, rep, ss, repo, work, start, *doc)
}

// writeReport profiles wavec build when a compile goal is missed and
// writes the report to doc.
func writeReport(ctx context.Context, rep *harness.Report, ss []gen.Size, repo, work string, start time.Time, doc string) error {
	if missed := rep.MissedCompileGoals(ss); len(missed) > 0 {
		for _, n := range harness.GoalHelmSizes {
			var s gen.Size
			for _, x := range ss {
				if x.Resources == n {
					s = x
				}
			}
			if s.Resources == 0 {
				continue
			}
			fmt.Fprintf(os.Stderr, "wavebench: compile goals missed (%s); profiling wavec build at %v\n", strings.Join(missed, "; "), s)
			pr, err := harness.ProfileBuild(ctx, repo, work, s, strings.Join(missed, "; "))
			if err != nil {
				fmt.Fprintln(os.Stderr, "wavebench:", err)
			} else {
				rep.Profiles = append(rep.Profiles, pr)
			}
		}
	}
	rep.Meta.Duration = time.Since(start)
	if err := os.MkdirAll(filepath.Dir(doc), 0o755); err != nil {
		return err
	}
	f, err := os.Create(doc)
	if err != nil {
		return err
	}
	rep.Markdown(f, ss)
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "wavebench: wrote %s\n", doc)
	return nil
}

func parseSizes(s string) ([]gen.Size, error) {
	var out []gen.Size
	for _, f := range strings.Split(s, ",") {
		var z gen.Size
		if _, err := fmt.Sscanf(strings.TrimSpace(f), "%d/%d", &z.Resources, &z.Waves); err != nil {
			return nil, fmt.Errorf("size %q: want RESOURCES/WAVES", f)
		}
		if _, err := gen.Expected(gen.Options{Size: z}); err != nil {
			return nil, err
		}
		out = append(out, z)
	}
	return out, nil
}

func parseReps(s string) (map[int]int, error) {
	m := map[int]int{}
	for _, f := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(f), "=")
		n, err1 := strconv.Atoi(k)
		r, err2 := strconv.Atoi(v)
		if !ok || err1 != nil || err2 != nil || r < 1 {
			return nil, fmt.Errorf("run-reps %q: want RESOURCES=N", f)
		}
		m[n] = r
	}
	return m, nil
}
