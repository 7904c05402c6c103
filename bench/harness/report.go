package harness

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/wavec/wavec/bench/gen"
)

// GoalOverhead: wavec's median per-step overhead at most this (run side).
const GoalOverhead = 50 * time.Millisecond

// Meta describes the run: machine, versions and settings.
type Meta struct {
	Date          time.Time
	CPU           string
	Cores         int
	Memory        string
	GoVersion     string
	WavecRevision string
	// Versions of the peers, by tool binary.
	Versions map[string]string
	// ToolsBuild is how long the last build of the peers took, if known.
	ToolsBuild time.Duration
	Duration   time.Duration
	// Command is the command line that produced the report.
	Command string
}

// Profile is the top of a CPU and an allocation profile of wavec build.
type Profile struct {
	Size    gen.Size
	Command string
	CPUTop  string
	MemTop  string
	Reason  string
}

// Report is everything docs/benchmarks.md shows.
type Report struct {
	Meta     Meta
	Compile  *CompileReport
	Run      *RunReport
	Profiles []Profile
	// Before, when set, is an earlier compile side (wavebench -save) that
	// the goals are compared with.
	Before *CompileReport
	// KeptRun, when Run is nil, is the run-side section of the previous
	// report, kept as it was because this run did not measure it.
	KeptRun string
}

// RunSectionTitle starts the run-side section of docs/benchmarks.md.
const RunSectionTitle = "## Run side:"

// ExtractRunSection returns the run-side section of a report written by
// Markdown (up to the next section), or "".
func ExtractRunSection(md string) string {
	i := strings.Index(md, RunSectionTitle)
	if i < 0 {
		return ""
	}
	rest := md[i:]
	if j := strings.Index(rest[len(RunSectionTitle):], "\n## "); j >= 0 {
		rest = rest[:len(RunSectionTitle)+j+1]
	}
	section := strings.TrimSpace(rest)
	if !strings.Contains(section, keptNote) {
		when := "an earlier run"
		const marker = "on one machine, on "
		if k := strings.Index(md, marker); k >= 0 {
			if e := strings.IndexAny(md[k+len(marker):], ".;"); e >= 0 {
				when = "the run of " + md[k+len(marker):k+len(marker)+e]
			}
		}
		title, body, _ := strings.Cut(section, "\n")
		section = fmt.Sprintf("%s\n\n_%s: these figures are from %s, before the changes the compile side above measures._\n%s", title, keptNote, when, body)
	}
	return section + "\n\n"
}

// keptNote marks a run-side section kept from an earlier report.
const keptNote = "Not rerun with the compile side"

func (r *Report) startupSection(w io.Writer) {
	c := r.Compile
	if len(c.Startup) == 0 {
		return
	}
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	p("Start-up, side by side (%d rounds, the commands taking turns): a Go program that prints one line, `wavec version`, ", len(c.Startup[0].Samples))
	p("and `wavec check` of a pipeline of three objects. Ratio = the command's median wall time / the bare program's.\n\n")
	p("| command | runs | median wall | median CPU | ratio |\n|---|---:|---:|---:|---:|\n")
	bare := FindStartup(c.Startup, BareGo)
	for _, s := range c.Startup {
		ratio := ""
		if bare != nil && s != bare && bare.MedianWall() > 0 {
			ratio = fmt.Sprintf("%.1f×", float64(s.MedianWall())/float64(bare.MedianWall()))
		}
		p("| %s | %d | %s | %s | %s |\n", startupLabel(s.Name), len(s.Samples), fmtDuration(s.MedianWall()), fmtDuration(s.MedianCPU()), ratio)
	}
	p("\n")
}

func (r *Report) langServerSection(w io.Writer) {
	ls := r.Compile.LangServer
	if ls == nil {
		return
	}
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	switch {
	case ls.Unavailable != "":
		p("Language server: not measured: %s.\n\n", ls.Unavailable)
		return
	case ls.Error != "" || len(ls.Samples) == 0:
		p("Language server: not measured, it failed: %s\n\n", oneLine(ls.Error))
		return
	}
	p("Language server, as an editor talks to it: `wavec lsp` of the wavec measured, over standard input and output, opens a pipeline of %s lines ", thousands(ls.Lines))
	p("(ConfigMaps, Deployments reading them, Services and wave statements), then gets %d changes, alternately to a text with one mistake ", len(ls.Samples))
	p("(a Deployment reading a ConfigMap the pipeline does not declare: one diagnostic) and back (none), each change sending the whole text. ")
	p("Time = from sending a change to receiving the diagnostics of its text; one untimed pair of changes before them checks that the server reports the mistake and clears it. ")
	p("This is an absolute time with no peer beside it, so it moves with the load of the machine; ")
	p("`go test ./langserver -run '^$' -bench ChangeToDiagnostics` measures the same in-process.\n\n")
	p("| pipeline | edits timed | median | p95 | max |\n|---|---:|---:|---:|---:|\n")
	p("| %s lines | %d | %s | %s | %s |\n\n", thousands(ls.Lines), len(ls.Samples), fmtDuration(ls.Median()), fmtDuration(ls.P95()), fmtDuration(Percentile(ls.Samples, 100)))
}

func startupLabel(name string) string {
	switch name {
	case BareGo:
		return "bare Go program"
	case WavecVersion:
		return "`wavec version`"
	case WavecCheck:
		return "`wavec check small.wave`"
	}
	return name
}

// beforeAfterSection compares every goal with the run in r.Before.
func (r *Report) beforeAfterSection(w io.Writer, sizes []gen.Size) {
	if r.Before == nil {
		return
	}
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	before, after := r.Before.Goals(sizes), r.Compile.Goals(sizes)
	p("Before and after, per goal: before is %s, measured by the same harness on this machine in a run of its own shortly before this one ", orUnknown(r.Before.Wavec))
	p("(the ratios of each run are side by side within that run; the language server's times are absolute, so they compare only as far as the load of the two runs was alike).\n\n")
	p("| goal | before | after |\n|---|---|---|\n")
	for i, g := range after {
		b := "not measured"
		for _, x := range before {
			if x.Name == g.Name {
				b = x.Verdict()
			}
		}
		_ = i
		p("| %s | %s | %s |\n", strings.ReplaceAll(g.Name, "|", "\\|"), b, g.Verdict())
	}
	p("\n")
}

func orUnknown(s string) string {
	if s == "" {
		return "an earlier wavec"
	}
	return "wavec " + s
}

func mib(n int64) string { return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20)) }

func sizeLabel(s gen.Size) string {
	return fmt.Sprintf("%s / %d", thousands(s.Resources), s.Waves)
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	if len(s) > 3 {
		return s[:len(s)-3] + "," + s[len(s)-3:]
	}
	return s
}

func peerLabel(tool string) string {
	switch tool {
	case Wavec:
		return "`wavec build`"
	case HelmTemplate:
		return "`helm template`"
	case Kustomize:
		return "`kustomize build`"
	case KubectlKustomize:
		return "`kubectl kustomize`"
	case WavecRun:
		return "`wavec run`"
	case HelmInstall:
		return "`helm install --wait --wait-for-jobs`"
	case KubectlLoop:
		return "`kubectl apply` + `kubectl wait` per step"
	case ArgoFloor:
		return "Argo CD (floor: 2 s × (steps − 1))"
	}
	return tool
}

func yesNo(ok bool) string {
	if ok {
		return "met"
	}
	return "**missed**"
}

// MissedCompileGoals lists the compile-side goals wavec missed.
func (r *Report) MissedCompileGoals(sizes []gen.Size) []string {
	var missed []string
	for _, g := range r.Compile.Goals(sizes) {
		if g.Compile && g.Measured && g.Bounded && !g.Met {
			missed = append(missed, fmt.Sprintf("%s: %s", g.Name, g.Value))
		}
	}
	return missed
}

// Markdown writes docs/benchmarks.md.
func (r *Report) Markdown(w io.Writer, sizes []gen.Size) {
	m := r.Meta
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	p("# Benchmarks: wavec against the tools people would use instead\n\n")
	p("<!-- Written by `make bench` (bench/cmd/wavebench); edit the generator, not this file. -->\n\n")
	if r.Run == nil && r.KeptRun != "" {
		p("Every number of the compile side, of start-up and of the language server below comes from one run of `make bench-compile` on one machine, on %s; ", m.Date.UTC().Format("2006-01-02 15:04 MST"))
		p("the run side was not rerun with it and is kept from the previous report (its section says when it was measured). ")
	} else {
		p("Every number below comes from one run of `make bench` on one machine, on %s. ", m.Date.UTC().Format("2006-01-02 15:04 MST"))
	}
	p("Timings are compared as ratios between tools measured side by side in that run, with the tools taking turns; ")
	p("an absolute time is only meaningful next to its peer's, on this machine.\n\n")
	p("| machine | |\n|---|---|\n")
	p("| CPU | %s, %d cores (shared with other work while measuring) |\n", m.CPU, m.Cores)
	p("| memory | %s |\n| Go | %s |\n| wavec | %s |\n", m.Memory, m.GoVersion, m.WavecRevision)
	for _, t := range []string{"helm", "kustomize", "kubectl"} {
		if v := m.Versions[t]; v != "" {
			p("| %s | %s |\n", t, v)
		}
	}
	p("| whole run | %s |\n", m.Duration.Round(time.Second))
	if m.Command != "" {
		p("| command | `%s` (after building the peers and the test cluster's binaries) |\n", m.Command)
	}
	p("\n")

	p("## Reproduce\n\n")
	p("```sh\nmake bench          # both sides; rewrites this file (needs the test cluster's binaries)\n")
	p("make bench-compile  # compile side, start-up and the language server only; prints `compile <peer> <resources> <ratio>`,\n")
	p("                    # `startup <command> <ratio>` and `langserver <lines> <median ms>` lines\n")
	p("# the same, rewriting this file but keeping its run-side section; -save keeps the figures for a later -before\n")
	p("go run ./bench/cmd/wavebench -write-doc -save after.json -before before.json compile\n")
	p("# the figures of another wavec (say, main's), for -before\n")
	p("go run ./bench/cmd/wavebench -wavec /path/to/old/wavec -save before.json compile\n```\n\n")
	p("The peers are built from pinned Go modules in `bench/tools` (helm.sh/helm/v3 v3.22.0, k8s.io/kubernetes v1.37.2 for kubectl, ")
	p("sigs.k8s.io/kustomize/kustomize/v5 v5.8.1, the kustomize that kubectl v1.37.2 embeds) into `bench/.tools/bin`, ")
	p("and rebuilt only when `bench/tools/go.mod`, `go.sum` or the build flags change. ")
	if m.ToolsBuild > 0 {
		p("Their last build here took %s", m.ToolsBuild.Round(time.Second))
	} else {
		p("Their first build takes several minutes")
	}
	p(" (a cold build compiles much of Kubernetes, like the test cluster's: expect 10 to 15 minutes on 2 cores with a cold Go build cache, ")
	p("a few minutes when the test cluster's build has warmed it). `make bench-compile` after that takes under three minutes (2 to 3 minutes here depending on the load from other work, most of it kustomize at 1,000 objects and the 30 s it is given at 5,000).\n\n")

	p("## Inputs\n\n")
	p("`bench/gen` writes one release three ways: a `.wave` pipeline, a Helm chart and Argo CD-annotated YAML with a `kustomization.yaml`. ")
	p("Sizes are objects / sync waves. Each release has a PreSync ConfigMap (wave −1), a PreSync migration Job, a PostSync smoke-test Job, ")
	p("and applications of a ConfigMap, a Deployment reading it and a Service, spread evenly over the waves. ")
	p("The chart writes plain resources with Argo CD `sync-wave` annotations (Helm has no order for them beyond its kind order) ")
	p("and the hooks as Helm hooks with weights. Before timing anything, the harness checks that every tool's output has the same objects ")
	p("(kind, namespace, name) in the same phase, wave and delete policy, read the way Argo CD reads them.\n\n")

	r.compileSection(w, sizes)
	if r.Run == nil && r.KeptRun != "" {
		p("%s", r.KeptRun)
	} else {
		r.runSection(w, sizes)
	}
	r.profileSection(w)

	p("## Method\n\n")
	p("- Compile side: whole processes, output to a file. Each tool gets one untimed run (its output is checked), then up to %d timed runs per size ", r.compileRuns())
	p("(fewer, at least three, when a size's rounds take longer than the harness's budget: the table gives the count); ")
	p("a process still running after %s is stopped, and that tool is then only known to be slower than that at that size. ", r.compileTimeout())
	p("The order of tools rotates every round. Times are medians of wall time; memory is the median of the peak resident set size ")
	p("(`ru_maxrss` from `wait4`). `wavec` is built from the working tree by the harness (`go build ./cmd/wavec`).\n")
	p("- Language server: `wavec lsp` of the same wavec, started once as an editor starts it, spoken to in JSON-RPC with Content-Length framing: ")
	p("initialize, initialized, didOpen of the pipeline (written to disk too), then the changes, each a didChange with the whole text, the next sent only when the diagnostics ")
	p("of the last one arrived; a publishDiagnostics counts for a change when it is for the document, for its version (when the server says which) and has the expected ")
	p("number of diagnostics (1 or 0). A change whose diagnostics do not come within %s fails the measurement, which then has no figure. ", DiagnosticsWait)
	p("Then shutdown and exit.\n")

	p("- Run side: every run of every tool gets a fresh test cluster (`testcluster/scripts/cluster-up.sh`: etcd, kube-apiserver, ")
	p("kube-controller-manager, kube-scheduler and kwok on 127.0.0.1, with enough fake nodes for the Pods), so no run inherits another's objects. ")
	p("Total time is the wall time of the whole command, namespace creation included. Write requests come from the API server's audit log ")
	p("(its policy logs every create, update, patch and delete; reads and watches are not logged), counted for the admin user the tools connect as; wavec's include the server-side dry run of every object it sends before the first step, ")
	p("as Argo CD does, which the log records like any other write. ")
	p("Throttling counts the lines about client-side throttling on standard error; at default verbosity client-go prints one only for a request ")
	p("held back more than 1 s, at most one per 10 s, so a 0 there says little.\n")
	p("- `wavec run`'s per-step overhead is what it reports in `-o json`: on every step-start event, the time from the previous step ")
	p("being complete (as its watch showed) to the step's first request.\n")
	p("- Argo CD cannot run here; its floor is the delay it sleeps between steps (`ARGOCD_SYNC_WAVE_DELAY`, 2 s) times the steps minus one, ")
	p("before any apply or health wait. Each release has waves + 3 steps (two PreSync, the Sync waves, one PostSync).\n")
	p("- Every tool runs with its default client settings, as people run it: `wavec run` sets no client-side rate limit (the API server's ")
	p("priority and fairness throttles it, and it backs off on 429; it sends a batch of writes at most 16 at once; `--qps`, `--burst` set a limit, ")
	p("Argo CD's controller uses 50 per second, burst 100), while Helm (`--qps 0`) and kubectl use client-go's default of 5 per second (burst 100 for Helm, 10 for kubectl). ")
	p("Helm can be told to go faster (`--qps`, `HELM_QPS`); kubectl has no flag for it.\n")
	p("- Helm orders plain resources only by kind: `helm install --wait` applies every wave at once and then waits, so it does less than ")
	p("the others (no wave order). The kubectl loop is `bench/scripts/kubectl-waves.sh`: apply one step's file, wait for its Deployments ")
	p("and Jobs, next; it does not delete hooks afterwards.\n")
	p("- No test asserts a timing. `go test ./bench/...` checks the generator and, when the peers are built, that all tools produce equivalent objects.\n")
}

func (r *Report) compileTimeout() time.Duration {
	if r.Compile == nil {
		return 0
	}
	return r.Compile.ProcTimeout
}

func (r *Report) compileRuns() int {
	if r.Compile == nil {
		return 0
	}
	return r.Compile.Runs
}

func (r *Report) compileSection(w io.Writer, sizes []gen.Size) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	p("## Compile side: `wavec build` against `helm template` and `kustomize build`\n\n")
	c := r.Compile
	if c == nil {
		p("Not measured in this run.\n\n")
		return
	}
	p("Ratio = the tool's median time / wavec's median time at the same size (above 1: wavec is faster). ")
	p("Memory ratio = the tool's peak RSS / wavec's (above 1: wavec uses less). ")
	p("CPU is user plus system time: on a machine shared with other work, a process waits for a core for part of its wall time, ")
	p("so the CPU ratio says more about the work each tool does; the goals are stated in wall time.\n\n")
	p("| objects / waves | tool | runs | median time | median CPU | peak RSS | time ratio | CPU ratio | memory ratio |\n|---|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, s := range sizes {
		wv := c.Find(Wavec, s)
		for _, t := range []string{Wavec, HelmTemplate, Kustomize, KubectlKustomize} {
			res := c.Find(t, s)
			if res == nil {
				continue
			}
			if res.TimedOut > 0 {
				tr := ""
				if wv != nil && len(wv.Samples) > 0 {
					tr = fmt.Sprintf("> %.1f×", float64(res.TimedOut)/float64(wv.MedianWall()))
				}
				p("| %s | %s | 0 | > %s (stopped) | | | %s | | |\n", sizeLabel(s), peerLabel(t), fmtDuration(res.TimedOut), tr)
				continue
			}
			if res.Error != "" || len(res.Samples) == 0 {
				p("| %s | %s | 0 | failed: %s | | | | | |\n", sizeLabel(s), peerLabel(t), oneLine(res.Error))
				continue
			}
			tr, cr, mr := "", "", ""
			if t != Wavec && wv != nil && len(wv.Samples) > 0 {
				tr = fmt.Sprintf("%.1f×", float64(res.MedianWall())/float64(wv.MedianWall()))
				if wv.MedianCPU() > 0 {
					cr = fmt.Sprintf("%.1f×", float64(res.MedianCPU())/float64(wv.MedianCPU()))
				}
				mr = fmt.Sprintf("%.2f×", float64(res.MedianRSS())/float64(wv.MedianRSS()))
			}
			p("| %s | %s | %d | %s | %s | %s | %s | %s | %s |\n", sizeLabel(s), peerLabel(t), len(res.Samples), fmtDuration(res.MedianWall()), fmtDuration(res.MedianCPU()), mib(res.MedianRSS()), tr, cr, mr)
		}
	}
	p("\n")
	r.startupSection(w)
	r.langServerSection(w)
	p("Goals (issue 18):\n\n")
	for _, g := range c.Goals(sizes) {
		p("- %s: %s\n", g.Name, g.Verdict())
	}
	p("\n")
	r.beforeAfterSection(w, sizes)
}

func (r *Report) runSection(w io.Writer, sizes []gen.Size) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	p("## Run side: `wavec run` against `helm install --wait` and a kubectl loop, on the test control plane\n\n")
	rr := r.Run
	if rr == nil {
		p("Not measured in this run.\n\n")
		return
	}
	if rr.Skipped != "" {
		p("Not measured: %s. The harness is ready for it: `make bench` measures this side as soon as `wavec run -o json` works.\n\n", rr.Skipped)
		p("Argo CD's floor for these releases, for reference: ")
		var parts []string
		for _, s := range sizes {
			parts = append(parts, fmt.Sprintf("%s objects: %s", thousands(s.Resources), ArgoFloorFor(s)))
		}
		p("%s.\n\n", strings.Join(parts, "; "))
		return
	}
	p("Ratio = the tool's median total time / wavec's (above 1: wavec is faster). Writes per object: median over runs. ")
	p("A run is stopped after %s; a tool stopped there is only known to take longer, and its ratio is a lower bound.\n\n", rr.Timeout)
	p("| objects / waves | tool | runs | median total | ratio | writes per object | throttling messages |\n|---|---|---:|---:|---:|---:|---:|\n")
	for _, s := range sizes {
		wv := rr.Find(WavecRun, s)
		for _, t := range []string{WavecRun, HelmInstall, KubectlLoop} {
			res := rr.Find(t, s)
			if res == nil {
				continue
			}
			if len(res.Samples) == 0 && res.TimedOut > 0 {
				ratio := ""
				if t != WavecRun && wv != nil && len(wv.Samples) > 0 {
					ratio = fmt.Sprintf("> %.2f×", float64(res.TimedOut)/float64(wv.MedianWall()))
				}
				p("| %s | %s | 0 | > %s (stopped) | %s | | |\n", sizeLabel(s), peerLabel(t), fmtDuration(res.TimedOut), ratio)
				continue
			}
			if len(res.Samples) == 0 {
				p("| %s | %s | 0 | failed: %s | | | | | |\n", sizeLabel(s), peerLabel(t), oneLine(res.Error))
				continue
			}
			ratio := ""
			if t != WavecRun && wv != nil && len(wv.Samples) > 0 {
				ratio = fmt.Sprintf("%.2f×", float64(res.MedianWall())/float64(wv.MedianWall()))
			}
			p("| %s | %s | %d | %s | %s | %.2f | %d |\n", sizeLabel(s), peerLabel(t), len(res.Samples), fmtDuration(res.MedianWall()), ratio, res.WritesPerObject(), res.ThrottledMax())
		}
		floor := ArgoFloorFor(s)
		ratio := ""
		if wv != nil && len(wv.Samples) > 0 {
			ratio = fmt.Sprintf("%.2f×", float64(floor)/float64(wv.MedianWall()))
		}
		p("| %s | %s | – | ≥ %s | %s | | |\n", sizeLabel(s), peerLabel(ArgoFloor), fmtDuration(floor), ratio)
	}
	for _, s := range sizes {
		for _, t := range []string{WavecRun, HelmInstall, KubectlLoop} {
			if res := rr.Find(t, s); res != nil {
				for _, f := range res.Failures {
					p("\nA run of %s at %s objects failed and was tried again on a fresh cluster: %s\n", peerLabel(t), thousands(s.Resources), oneLine(failureLine(f)))
				}
			}
		}
	}
	p("\nwavec's per-step orchestration overhead (time from a step being complete to the next step's first request), pooled over its runs:\n\n")
	p("| objects / waves | steps per run | overheads measured | median | p95 | max |\n|---|---:|---:|---:|---:|---:|\n")
	for _, s := range sizes {
		wv := rr.Find(WavecRun, s)
		if wv != nil && len(wv.Samples) == 0 && wv.Partial != nil {
			ov := wv.Partial.Overheads
			steps, _ := gen.Steps(gen.Options{Size: s})
			p("| %s | stopped in step %d of %d | %d | %s | %s | %s |\n", sizeLabel(s), wv.Partial.Steps, len(steps), len(ov), fmtDuration(Median(ov)), fmtDuration(Percentile(ov, 95)), fmtDuration(Percentile(ov, 100)))
			continue
		}
		if wv == nil || len(wv.Samples) == 0 {
			continue
		}
		ov := wv.Overheads()
		p("| %s | %d | %d | %s | %s | %s |\n", sizeLabel(s), wv.Samples[0].Steps, len(ov), fmtDuration(Median(ov)), fmtDuration(Percentile(ov, 95)), fmtDuration(Percentile(ov, 100)))
	}
	p("\nGoals:\n\n")
	for _, s := range sizes {
		wv := rr.Find(WavecRun, s)
		if wv == nil || len(wv.Samples) == 0 {
			p("- %s objects: `wavec run` failed: %s\n", thousands(s.Resources), oneLine(wvErr(wv)))
			continue
		}
		ov := wv.Overheads()
		if len(ov) > 0 {
			p("- per-step overhead at most %s median at %s objects: %s (%s)\n", fmtDuration(GoalOverhead), thousands(s.Resources), yesNo(Median(ov) <= GoalOverhead), fmtDuration(Median(ov)))
		} else {
			p("- per-step overhead at %s objects: not reported by `wavec run -o json`\n", thousands(s.Resources))
		}
		below := true
		for _, t := range []string{HelmInstall, KubectlLoop} {
			pr := rr.Find(t, s)
			if pr == nil || (len(pr.Samples) == 0 && pr.TimedOut == 0) {
				continue // a failed peer proves nothing either way
			}
			if len(pr.Samples) > 0 && pr.MedianWall() <= wv.MedianWall() || len(pr.Samples) == 0 && pr.TimedOut <= wv.MedianWall() {
				below = false
			}
		}
		p("- total time below both peers at %s objects: %s\n", thousands(s.Resources), yesNo(below))
		if s.Resources >= 5000 {
			p("- %s objects in one run without client throttling: %s (%d messages)\n", thousands(s.Resources), yesNo(wv.ThrottledMax() == 0), wv.ThrottledMax())
		}
	}
	p("\n")
}

// failureLine picks the most telling line of a failed run's error: the
// sync's own message when wavec printed one.
func failureLine(s string) string {
	for _, line := range strings.Split(s, "\n") {
		if strings.Contains(line, "did not complete") || strings.Contains(line, "Error") || strings.Contains(line, "error") {
			return strings.TrimSpace(line)
		}
	}
	return s
}

func wvErr(r *RunResult) string {
	if r == nil {
		return "not run"
	}
	return r.Error
}

func (r *Report) profileSection(w io.Writer) {
	if len(r.Profiles) == 0 {
		return
	}
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	p("## Where `wavec build` spends its time\n\n")
	for _, pr := range r.Profiles {
		p("Profiled because: %s. Reproduce with `%s`.\n\n", pr.Reason, pr.Command)
		if pr.CPUTop != "" {
			p("CPU (`go tool pprof -top`), %s:\n\n```\n%s\n```\n\n", sizeLabel(pr.Size), strings.TrimSpace(pr.CPUTop))
		}
		if pr.MemTop != "" {
			p("Allocations (`-sample_index=alloc_space`), %s:\n\n```\n%s\n```\n\n", sizeLabel(pr.Size), strings.TrimSpace(pr.MemTop))
		}
	}
}

func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + " …"
	}
	s = strings.ReplaceAll(s, "|", "\\|")
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return s
}
