package harness

import (
	"bufio"
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/wavec/wavec/bench/gen"
	"k8s.io/client-go/tools/clientcmd"
)

// Run-side tool names.
const (
	WavecRun    = "wavec-run"
	HelmInstall = "helm-install"
	KubectlLoop = "kubectl-loop"
	// ArgoFloor is Argo CD's lower bound, computed, not measured.
	ArgoFloor = "argocd-floor"
)

// errTimedOut is returned by a run that hit RunConfig.Timeout.
var errTimedOut = errors.New("timed out")

// ArgoWaveDelay is ARGOCD_SYNC_WAVE_DELAY's default: Argo CD sleeps this
// long after every step but the last.
const ArgoWaveDelay = 2 * time.Second

// RunConfig adds what the run side needs to Config.
type RunConfig struct {
	*Config
	// Reps is how many runs each tool gets at each size, by resources;
	// sizes not listed get one.
	Reps map[int]int
	// Repo is the repository root (for testcluster/scripts and
	// bench/scripts).
	Repo string
	// ClusterDir, APIPort and EtcdPort place the benchmark's own test
	// cluster beside any other on the machine.
	ClusterDir        string
	APIPort, EtcdPort int
	// Timeout bounds one tool run.
	Timeout time.Duration
}

// RunSample is one run of one tool against a fresh cluster.
type RunSample struct {
	Sample
	// Writes is the number of write requests the tool made (from the API
	// server's audit log).
	Writes int
	// Throttled counts client-side throttling messages in the tool's
	// standard error.
	Throttled int
	// Overheads are wavec's per-step orchestration overheads.
	Overheads []time.Duration
	// Steps is the number of steps wavec ran.
	Steps int
}

// RunResult is one tool at one size.
type RunResult struct {
	Tool    string
	Size    gen.Size
	Samples []RunSample
	Error   string
	// TimedOut is the limit a run hit, if one did: the tool's time is then
	// only known to be above it.
	TimedOut time.Duration
	// Failures are the errors of failed runs that were tried again.
	Failures []string
	// Partial holds what a wavec run that hit the time limit reported
	// before it was stopped: its overheads and how many steps it started.
	Partial *RunSample
}

// MedianWall is the median total time.
func (r *RunResult) MedianWall() time.Duration {
	var ds []time.Duration
	for _, s := range r.Samples {
		ds = append(ds, s.Wall)
	}
	return Median(ds)
}

// Overheads pools wavec's per-step overheads of every sample.
func (r *RunResult) Overheads() []time.Duration {
	var ds []time.Duration
	for _, s := range r.Samples {
		ds = append(ds, s.Overheads...)
	}
	return ds
}

// WritesPerObject is the median number of write requests per object.
func (r *RunResult) WritesPerObject() float64 {
	var xs []int64
	for _, s := range r.Samples {
		xs = append(xs, int64(s.Writes))
	}
	return float64(MedianInt(xs)) / float64(r.Size.Resources)
}

// ThrottledMax is the most throttling messages seen in one run.
func (r *RunResult) ThrottledMax() int {
	m := 0
	for _, s := range r.Samples {
		m = max(m, s.Throttled)
	}
	return m
}

// RunReport is the run side of a benchmark run.
type RunReport struct {
	// Skipped says why the run side was not measured, if it was not.
	Skipped string
	Results []*RunResult
	// Nodes is the number of fake nodes per size.
	Nodes map[int]int
	// Timeout is the limit of one tool run.
	Timeout time.Duration
}

// Find returns the result of tool at size s, or nil.
func (r *RunReport) Find(tool string, s gen.Size) *RunResult {
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

// ArgoFloorFor is Argo CD's minimum time for a release of size s: the wave
// delay after every step but the last, ignoring all other work.
func ArgoFloorFor(s gen.Size) time.Duration {
	steps, err := gen.Steps(gen.Options{Size: s})
	if err != nil {
		return 0
	}
	return ArgoWaveDelay * time.Duration(len(steps)-1)
}

// nodesFor is how many fake nodes (110 Pods each) a release needs, with
// room to spare.
func nodesFor(s gen.Size) int {
	pods := (s.Resources-3)/3 + 2
	return max(1, (pods+99)/100)
}

// RunSide runs wavec run, helm install --wait --wait-for-jobs and the
// kubectl apply/wait loop on the generated release at every size, each run
// against a fresh test cluster, and reads the audit log for the requests.
func RunSide(ctx context.Context, cfg *RunConfig) (*RunReport, error) {
	rep := &RunReport{Nodes: map[int]int{}, Timeout: cfg.Timeout}
	if why := wavecRunMissing(ctx, cfg.Wavec); why != "" {
		rep.Skipped = why
		fmt.Fprintf(cfg.Log, "run side skipped: %s\n", why)
		return rep, nil
	}
	tools := []string{WavecRun, HelmInstall, KubectlLoop}
	for _, size := range cfg.Sizes {
		dir := filepath.Join(cfg.Work, "run", fmt.Sprintf("%d-%d", size.Resources, size.Waves))
		if err := os.RemoveAll(dir); err != nil {
			return nil, err
		}
		if err := gen.WriteAll(dir, gen.Options{Size: size}); err != nil {
			return nil, err
		}
		rep.Nodes[size.Resources] = nodesFor(size)
		results := map[string]*RunResult{}
		for _, t := range tools {
			results[t] = &RunResult{Tool: t, Size: size}
			rep.Results = append(rep.Results, results[t])
		}
		reps := cfg.Reps[size.Resources]
		if reps == 0 {
			reps = 1
		}
		for rep := range reps {
			for i := range tools {
				t := tools[(i+rep)%len(tools)]
				res := results[t]
				if res.Error != "" {
					continue
				}
				s, err := runOnce(ctx, cfg, t, size, dir)
				if err != nil && !errors.Is(err, errTimedOut) && ctx.Err() == nil && len(res.Failures) == 0 {
					// One failure may be the test cluster's; a second is the tool's.
					res.Failures = append(res.Failures, err.Error())
					fmt.Fprintf(cfg.Log, "run %s %v: %v; trying once more on a fresh cluster\n", t, size, firstLine(err.Error()))
					s, err = runOnce(ctx, cfg, t, size, dir)
				}
				if errors.Is(err, errTimedOut) {
					res.TimedOut = cfg.Timeout
					if t == WavecRun && s.Steps > 0 {
						partial := s
						res.Partial = &partial
					}
					res.Error = err.Error()
					fmt.Fprintf(cfg.Log, "run %s %v: did not finish within %s\n", t, size, cfg.Timeout)
					continue
				}
				if err != nil {
					if ctx.Err() != nil {
						return nil, ctx.Err()
					}
					res.Error = err.Error()
					fmt.Fprintf(cfg.Log, "run %s %v: %v\n", t, size, err)
					continue
				}
				res.Samples = append(res.Samples, s)
				fmt.Fprintf(cfg.Log, "run %-12s %-9v %8s  %.2f writes/object  %d throttling messages\n",
					t, size, fmtDuration(s.Wall), float64(s.Writes)/float64(size.Resources), s.Throttled)
			}
		}
		w := results[WavecRun]
		for _, t := range tools[1:] {
			p := results[t]
			switch {
			case len(w.Samples) > 0 && len(p.Samples) > 0:
				fmt.Fprintf(cfg.Out, "run %s %d %.2f\n", t, size.Resources, float64(p.MedianWall())/float64(w.MedianWall()))
			case len(w.Samples) > 0 && p.TimedOut > 0:
				fmt.Fprintf(cfg.Out, "run %s %d >%.2f\n", t, size.Resources, float64(p.TimedOut)/float64(w.MedianWall()))
			}
		}
		if len(w.Samples) > 0 {
			fmt.Fprintf(cfg.Out, "run %s %d %.2f\n", ArgoFloor, size.Resources, float64(ArgoFloorFor(size))/float64(w.MedianWall()))
			ov := w.Overheads()
			fmt.Fprintf(cfg.Out, "run overhead %d median %s p95 %s\n", size.Resources, fmtDuration(Median(ov)), fmtDuration(Percentile(ov, 95)))
		}
	}
	return rep, nil
}

// wavecRunMissing says why `wavec run` cannot be benchmarked yet, or "".
func wavecRunMissing(ctx context.Context, wavec string) string {
	var stderr bytes.Buffer
	if _, err := Exec(ctx, Proc{Args: []string{wavec, "run", "-h"}, Stderr: &stderr}); err != nil {
		return "`wavec run` is not available in this build of wavec (`wavec run -h` fails)"
	}
	return ""
}

// clusterEnv is the environment of the test cluster scripts for the
// benchmark's own cluster.
func (cfg *RunConfig) clusterEnv(nodes int) []string {
	return append(os.Environ(),
		"WAVEC_CLUSTER_DIR="+cfg.ClusterDir,
		"WAVEC_APISERVER_PORT="+strconv.Itoa(cfg.APIPort),
		"WAVEC_ETCD_PORT="+strconv.Itoa(cfg.EtcdPort),
		"WAVEC_CLUSTER_NODES="+strconv.Itoa(nodes),
	)
}

func (cfg *RunConfig) cluster(ctx context.Context, script string, nodes int) error {
	_, err := Exec(ctx, Proc{
		Args:   []string{filepath.Join(cfg.Repo, "testcluster", "scripts", script)},
		Env:    cfg.clusterEnv(nodes),
		Stderr: io.Discard,
	})
	return err
}

// runOnce brings up a fresh cluster, runs tool on the release in dir and
// brings the cluster down again.
func runOnce(ctx context.Context, cfg *RunConfig, tool string, size gen.Size, dir string) (RunSample, error) {
	nodes := nodesFor(size)
	_ = cfg.cluster(ctx, "cluster-down.sh", nodes)
	if err := cfg.cluster(ctx, "cluster-up.sh", nodes); err != nil {
		return RunSample{}, fmt.Errorf("cluster-up: %w", err)
	}
	defer func() { _ = cfg.cluster(context.WithoutCancel(ctx), "cluster-down.sh", nodes) }()

	kubeconfig := filepath.Join(cfg.ClusterDir, "kubeconfig")
	user, err := clientUser(kubeconfig)
	if err != nil {
		return RunSample{}, err
	}
	auditLog := filepath.Join(cfg.ClusterDir, "audit.log")
	offset := fileSize(auditLog)

	env := append(toolEnv(cfg.Work), "KUBECONFIG="+kubeconfig, "KUBECTL="+filepath.Join(cfg.ToolsBin, "kubectl"))
	var args []string
	switch tool {
	case WavecRun:
		args = []string{cfg.Wavec, "run", "-o", "json", filepath.Join(dir, "wave")}
	case HelmInstall:
		args = []string{filepath.Join(cfg.ToolsBin, "helm"), "install", gen.Pipeline, filepath.Join(dir, "helm"),
			"--namespace", gen.DefaultNamespace, "--create-namespace", "--wait", "--wait-for-jobs", "--timeout", "15m"}
	case KubectlLoop:
		args = []string{"bash", filepath.Join(cfg.Repo, "bench", "scripts", "kubectl-waves.sh"), filepath.Join(dir, "kustomize"), gen.DefaultNamespace}
	default:
		return RunSample{}, fmt.Errorf("unknown tool %s", tool)
	}
	stdout := filepath.Join(dir, tool+".out")
	var stderr bytes.Buffer
	rctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	s, err := Exec(rctx, Proc{Args: args, Env: env, Stdout: stdout, Stderr: &stderr})
	_ = os.WriteFile(filepath.Join(dir, tool+".err"), stderr.Bytes(), 0o644)
	if err != nil && rctx.Err() != nil && ctx.Err() == nil {
		var partial RunSample
		if tool == WavecRun {
			// The events up to the stop still show the steps' overheads.
			if out, rerr := os.ReadFile(stdout); rerr == nil {
				partial.Overheads, partial.Steps, _ = ParseWavecEvents(out)
			}
		}
		return partial, fmt.Errorf("%w after %s", errTimedOut, cfg.Timeout)
	}
	if err != nil {
		if tool == WavecRun {
			// With -o json the reason is in the events, not on stderr.
			if out, rerr := os.ReadFile(stdout); rerr == nil {
				if _, _, perr := ParseWavecEvents(out); perr != nil {
					return RunSample{}, fmt.Errorf("%w\n%v", err, perr)
				}
			}
		}
		return RunSample{}, err
	}
	rs := RunSample{Sample: s, Throttled: countThrottling(stderr.Bytes())}
	// The API server writes an audit event when a response completes;
	// give the last ones a moment to reach the file.
	time.Sleep(500 * time.Millisecond)
	rs.Writes, err = countWrites(auditLog, offset, user)
	if err != nil {
		return RunSample{}, err
	}
	if tool == WavecRun {
		out, err := os.ReadFile(stdout)
		if err != nil {
			return RunSample{}, err
		}
		rs.Overheads, rs.Steps, err = ParseWavecEvents(out)
		if err != nil {
			return RunSample{}, err
		}
	}
	return rs, nil
}

func fileSize(name string) int64 {
	fi, err := os.Stat(name)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// clientUser returns the user name of the kubeconfig's client certificate.
func clientUser(kubeconfig string) (string, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return "", err
	}
	data := cfg.CertData
	if len(data) == 0 && cfg.CertFile != "" {
		if data, err = os.ReadFile(cfg.CertFile); err != nil {
			return "", err
		}
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return "", errors.New("kubeconfig: no client certificate")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return "", err
	}
	return cert.Subject.CommonName, nil
}

var throttleRE = regexp.MustCompile(`(?i)client-side throttling|rate limiter|would exceed context deadline`)

func countThrottling(stderr []byte) int {
	n := 0
	for _, line := range bytes.Split(stderr, []byte("\n")) {
		if throttleRE.Match(line) {
			n++
		}
	}
	return n
}

// countWrites counts the write requests of user in the audit log from
// offset on. The test cluster's audit policy logs every write once.
func countWrites(name string, offset int64, user string) (int, error) {
	f, err := os.Open(name)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return 0, err
	}
	return CountAuditWrites(f, user)
}

// CountAuditWrites counts the audit events of user with a write verb.
func CountAuditWrites(r io.Reader, user string) (int, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	n := 0
	for sc.Scan() {
		var ev struct {
			Stage string `json:"stage"`
			Verb  string `json:"verb"`
			User  struct {
				Username string `json:"username"`
			} `json:"user"`
		}
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			continue // a line cut by the log being written
		}
		if ev.User.Username != user || (ev.Stage != "" && ev.Stage != "ResponseComplete") {
			continue
		}
		switch ev.Verb {
		case "create", "update", "patch", "delete", "deletecollection":
			n++
		}
	}
	return n, sc.Err()
}

// ParseWavecEvents reads `wavec run -o json` output (one event per line)
// and returns the per-step orchestration overheads (the overheadMs of every
// step-start event that has one) and the number of steps.
func ParseWavecEvents(out []byte) ([]time.Duration, int, error) {
	var overheads []time.Duration
	steps := 0
	failed := ""
	for _, line := range bytes.Split(out, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] != '{' {
			continue
		}
		var ev struct {
			Type     string   `json:"type"`
			Step     int      `json:"step"`
			Status   string   `json:"status"`
			Message  string   `json:"message"`
			Overhead *float64 `json:"overheadMs"`
		}
		if err := json.Unmarshal(line, &ev); err != nil {
			return nil, 0, fmt.Errorf("wavec run output: %v: %s", err, line)
		}
		switch ev.Type {
		case "step-start":
			steps++
			if ev.Overhead != nil {
				overheads = append(overheads, time.Duration(*ev.Overhead*float64(time.Millisecond)))
			}
		case "sync-done":
			if ev.Status != "" && ev.Status != "succeeded" {
				failed = strings.TrimSpace(ev.Status + ": " + ev.Message)
			}
		}
	}
	if failed != "" {
		return nil, 0, fmt.Errorf("wavec run: sync %s", failed)
	}
	return overheads, steps, nil
}
