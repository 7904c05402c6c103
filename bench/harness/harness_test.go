package harness

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

	"github.com/wavec/wavec/bench/gen"
	"github.com/wavec/wavec/cmd/wavec/cli"
)

// wavecBuild runs `wavec build dir` in-process. ok is false when this
// build of wavec has no build command yet.
func wavecBuild(tb testing.TB, dir string, stdout io.Writer) (ok bool) {
	tb.Helper()
	var stderr bytes.Buffer
	env := &cli.Env{Stdin: strings.NewReader(""), Stdout: stdout, Stderr: &stderr, Getenv: func(string) string { return "" }}
	code := cli.Run(context.Background(), env, []string{"build", dir})
	if code == cli.ExitUsage && strings.Contains(stderr.String(), "unknown command") {
		return false
	}
	if code != cli.ExitOK {
		tb.Fatalf("wavec build %s: exit %d\n%s", dir, code, stderr.String())
	}
	return true
}

// BenchmarkWavecBuild compiles the generated pipeline in-process, for
// profiles: WAVEC_BENCH_SIZE=1000/10 go test ./bench/harness -run '^$'
// -bench WavecBuild -cpuprofile cpu.prof. The harness's ratios come from
// whole processes instead.
func BenchmarkWavecBuild(b *testing.B) {
	size := gen.Size{Resources: 1000, Waves: 10}
	if v := os.Getenv(ProfileEnv); v != "" {
		if _, err := fmt.Sscanf(v, "%d/%d", &size.Resources, &size.Waves); err != nil {
			b.Fatalf("%s=%q: want RESOURCES/WAVES", ProfileEnv, v)
		}
	}
	dir := b.TempDir()
	if err := gen.WriteWave(dir, gen.Options{Size: size}); err != nil {
		b.Fatal(err)
	}
	if !wavecBuild(b, dir, io.Discard) {
		b.Skip("this build of wavec has no build command yet")
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		wavecBuild(b, dir, io.Discard)
	}
}

// TestWavecBuildEquivalent checks, without any peer, that wavec compiles
// the generated pipeline to exactly the objects, phases, waves and delete
// policies the other inputs describe.
func TestWavecBuildEquivalent(t *testing.T) {
	for _, s := range []gen.Size{{Resources: 100, Waves: 10}, {Resources: 200, Waves: 1}} {
		opts := gen.Options{Size: s, Namespace: "equivalence"}
		dir := t.TempDir()
		if err := gen.WriteWave(dir, opts); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if !wavecBuild(t, dir, &out) {
			t.Skip("this build of wavec has no build command yet")
		}
		got, err := gen.Normalize(out.Bytes(), "")
		if err != nil {
			t.Fatal(err)
		}
		want, _ := gen.Expected(opts)
		if d := gen.Diff(want, got, 20); d != "" {
			t.Errorf("%v: wavec build differs from the expected objects:\n%s", s, d)
		}
	}
}

// toolsBin is where bench/tools/build.sh puts the peers.
func toolsBin(t *testing.T) string {
	dir, err := filepath.Abs("../.tools/bin")
	if err != nil {
		t.Fatal(err)
	}
	if v := os.Getenv("WAVEC_BENCH_TOOLS"); v != "" {
		dir = filepath.Join(v, "bin")
	}
	return dir
}

// TestToolsEquivalent checks that wavec build, helm template, kustomize
// build and kubectl kustomize produce the same objects, phases, waves and
// delete policies from the generated inputs. It needs the peers built by
// bench/tools/build.sh and is skipped without them.
func TestToolsEquivalent(t *testing.T) {
	bin := toolsBin(t)
	for _, name := range []string{"helm", "kustomize", "kubectl"} {
		if _, err := os.Stat(filepath.Join(bin, name)); err != nil {
			t.Skipf("peer %s not built (run bench/tools/build.sh): %v", name, err)
		}
	}
	opts := gen.Options{Size: gen.Size{Resources: 100, Waves: 10}}
	dir := t.TempDir()
	if err := gen.WriteAll(dir, opts); err != nil {
		t.Fatal(err)
	}
	want, err := gen.Expected(opts)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &Config{ToolsBin: bin, Work: t.TempDir()}
	env := toolEnv(cfg.Work)
	for _, tool := range compileTools() {
		var out []byte
		if tool.name == Wavec {
			var buf bytes.Buffer
			if !wavecBuild(t, filepath.Join(dir, "wave"), &buf) {
				t.Log("wavec build: not available in this build of wavec, skipped")
				continue
			}
			out = buf.Bytes()
		} else {
			args := tool.args(cfg, dir)
			cmd := exec.Command(args[0], args[1:]...)
			cmd.Env = env
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if out, err = cmd.Output(); err != nil {
				t.Errorf("%s: %v\n%s", tool.name, err, stderr.String())
				continue
			}
		}
		got, err := gen.Normalize(out, gen.DefaultNamespace)
		if err != nil {
			t.Errorf("%s: %v", tool.name, err)
			continue
		}
		if d := gen.Diff(want, got, 20); d != "" {
			t.Errorf("%s: output differs from the expected objects:\n%s", tool.name, d)
		}
	}
}

func TestMedianPercentile(t *testing.T) {
	ms := func(xs ...int) []time.Duration {
		var ds []time.Duration
		for _, x := range xs {
			ds = append(ds, time.Duration(x)*time.Millisecond)
		}
		return ds
	}
	if got := Median(ms(5, 1, 3)); got != 3*time.Millisecond {
		t.Errorf("median of 5,1,3 = %v", got)
	}
	if got := Median(ms(4, 1, 3, 2)); got != 2500*time.Microsecond {
		t.Errorf("median of 4,1,3,2 = %v", got)
	}
	if Median(nil) != 0 || Percentile(nil, 95) != 0 {
		t.Error("empty input")
	}
	xs := ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20)
	if got := Percentile(xs, 95); got != 19*time.Millisecond {
		t.Errorf("p95 of 1..20 = %v", got)
	}
	if got := Percentile(xs, 100); got != 20*time.Millisecond {
		t.Errorf("p100 of 1..20 = %v", got)
	}
	if got := MedianInt([]int64{7, 1, 4}); got != 4 {
		t.Errorf("MedianInt = %d", got)
	}
}

func TestCountAuditWrites(t *testing.T) {
	log := `{"stage":"ResponseComplete","verb":"create","user":{"username":"wavec-admin"}}
{"stage":"ResponseComplete","verb":"patch","user":{"username":"wavec-admin"}}
{"stage":"ResponseComplete","verb":"create","user":{"username":"system:kube-controller-manager"}}
{"stage":"ResponseStarted","verb":"create","user":{"username":"wavec-admin"}}
{"stage":"ResponseComplete","verb":"get","user":{"username":"wavec-admin"}}
{"stage":"ResponseCo`
	n, err := CountAuditWrites(strings.NewReader(log), "wavec-admin")
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("counted %d writes, want 2", n)
	}
}

func TestParseWavecEvents(t *testing.T) {
	out := `{"time":"2026-01-01T00:00:00Z","type":"sync-start","total":3}
{"type":"step-start","step":1}
{"type":"step-done","step":1,"status":"succeeded"}
{"type":"step-start","step":2,"overheadMs":1.5}
{"type":"step-start","step":3,"overheadMs":12}
{"type":"sync-done","status":"succeeded"}
`
	ov, steps, err := ParseWavecEvents([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	if steps != 3 || len(ov) != 2 || ov[0] != 1500*time.Microsecond || ov[1] != 12*time.Millisecond {
		t.Errorf("steps %d, overheads %v", steps, ov)
	}
	if _, _, err := ParseWavecEvents([]byte(`{"type":"sync-done","status":"failed","message":"step 2 timed out"}`)); err == nil {
		t.Error("a failed sync must be an error")
	}
}

func TestCountThrottling(t *testing.T) {
	stderr := "I0101 request.go:752] \"Waited before sending request\" delay=\"1.2s\" reason=\"client-side throttling, not priority and fairness\"\nother line\n"
	if n := countThrottling([]byte(stderr)); n != 1 {
		t.Errorf("%d throttling lines, want 1", n)
	}
}

func TestArgoFloor(t *testing.T) {
	// 10 waves + 2 PreSync steps + 1 PostSync step = 13 steps, 12 delays.
	if got := ArgoFloorFor(gen.Size{Resources: 1000, Waves: 10}); got != 24*time.Second {
		t.Errorf("floor = %v, want 24s", got)
	}
}

func TestMarkdownWithoutRunSide(t *testing.T) {
	s := gen.Size{Resources: 1000, Waves: 10}
	c := &CompileReport{Runs: 3, Results: []*CompileResult{
		{Tool: Wavec, Size: s, Samples: []Sample{{Wall: 100 * time.Millisecond, MaxRSS: 50 << 20}}},
		{Tool: HelmTemplate, Size: s, Samples: []Sample{{Wall: 800 * time.Millisecond, MaxRSS: 120 << 20}}},
		{Tool: Kustomize, Size: s, Samples: []Sample{{Wall: 400 * time.Millisecond, MaxRSS: 40 << 20}}},
	}}
	r := &Report{Compile: c, Run: &RunReport{Skipped: "no wavec run"}}
	var b bytes.Buffer
	r.Markdown(&b, []gen.Size{s})
	md := b.String()
	for _, want := range []string{"8.0×", "**missed** (8.0×)", "Not measured: no wavec run", "Argo CD's floor"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if missed := r.MissedCompileGoals([]gen.Size{s}); len(missed) != 1 || !strings.Contains(missed[0], "helm template") {
		t.Errorf("missed goals %q, want the helm ratio only (50 MiB is under half of helm's 120)", missed)
	}
}

func TestMarkdownGoalsBeforeAfterAndKeptRunSide(t *testing.T) {
	small, large := gen.Size{Resources: 1000, Waves: 10}, gen.Size{Resources: 5000, Waves: 50}
	sample := func(ms, mib int64) []Sample {
		return []Sample{{Wall: time.Duration(ms) * time.Millisecond, CPU: time.Duration(ms) * time.Millisecond, MaxRSS: mib << 20}}
	}
	report := func(w1, w5, rss5, version int64) *CompileReport {
		return &CompileReport{Runs: 1, Wavec: "test", Results: []*CompileResult{
			{Tool: Wavec, Size: small, Samples: sample(w1, 30)},
			{Tool: HelmTemplate, Size: small, Samples: sample(700, 70)},
			{Tool: Wavec, Size: large, Samples: sample(w5, rss5)},
			{Tool: HelmTemplate, Size: large, Samples: sample(4000, 120)},
		}, Startup: []*StartupResult{
			{Name: BareGo, Samples: sample(2, 2)},
			{Name: WavecVersion, Samples: sample(version, 30)},
			{Name: WavecCheck, Samples: sample(version+2, 30)},
		}}
	}
	old := "# Benchmarks\n\nEvery number below comes from one run of `make bench` on one machine, on 2026-11-27 14:06 UTC. More.\n\n" +
		"## Compile side: old\n\nold figures\n\n## Run side: `wavec run` against the rest\n\n| run | table |\n\n## Method\n\n- old\n"
	kept := ExtractRunSection(old)
	if !strings.HasPrefix(kept, "## Run side: `wavec run` against the rest\n") || !strings.Contains(kept, "| run | table |") ||
		strings.Contains(kept, "## Method") || !strings.Contains(kept, "2026-11-27 14:06 UTC") {
		t.Fatalf("kept run section:\n%s", kept)
	}
	if again := ExtractRunSection("x on one machine, on 2026-11-30 11:00 UTC; y\n" + kept + "## Method\n"); again != kept {
		t.Errorf("a kept section kept again changed:\n%s\nfrom\n%s", again, kept)
	}
	r := &Report{Compile: report(50, 240, 50, 8), Before: report(500, 4700, 140, 44), KeptRun: kept}
	var b bytes.Buffer
	sizes := []gen.Size{small, large}
	r.Markdown(&b, sizes)
	md := b.String()
	for _, want := range []string{
		"| `wavec build` at least 10× faster than `helm template` at 1,000 objects | **missed** (1.4×) | met (14.0×) |",
		"| `wavec build` at least 10× faster than `helm template` at 5,000 objects | **missed** (0.9×) | met (16.7×) |",
		"| linear: `wavec build` at 5,000 objects within 5.5× its time at 1,000 | **missed** (9.40×",
		"| peak memory at most half of `helm template`'s at 5,000 objects | **missed** (140 MiB against 120 MiB (1.17 of it)) | met (50 MiB",
		"| start-up: `wavec version` at most 4× a bare Go program's wall time | **missed** (22.0×",
		"| for reference, CPU time: `helm template`'s over `wavec build`'s at 1,000 objects (no bound) | 1.4× (700 ms against 500 ms) | 14.0× (700 ms against 50 ms) |",
		"| 1,000 / 10 | `helm template` | 1 | 700 ms | 700 ms | 70 MiB | 14.0× | 14.0× | 2.33× |",
		"| `wavec version` | 1 | 8.00 ms |",
		"| run | table |",
		"the run side was not rerun",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if missed := r.MissedCompileGoals(sizes); len(missed) != 0 {
		t.Errorf("missed %q, want none", missed)
	}
}

func TestMarkdownPartialWavecRun(t *testing.T) {
	s := gen.Size{Resources: 5000, Waves: 50}
	rr := &RunReport{Timeout: 8 * time.Minute, Results: []*RunResult{{
		Tool: WavecRun, Size: s, TimedOut: 8 * time.Minute,
		Partial: &RunSample{Steps: 47, Overheads: []time.Duration{time.Millisecond, 3 * time.Millisecond}},
	}}}
	var b bytes.Buffer
	(&Report{Run: rr}).Markdown(&b, []gen.Size{s})
	if !strings.Contains(b.String(), "| 5,000 / 50 | stopped in step 47 of 53 | 2 | 2.00 ms |") {
		t.Errorf("no partial overhead row:\n%s", b.String())
	}
}
