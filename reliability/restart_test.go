//go:build linux

package reliability

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/wavec/wavec/runtime/progress"
	"github.com/wavec/wavec/testcluster"
)

// ownCluster is a test cluster of the test's own, started with the
// testcluster scripts in a temporary directory on free ports, so that its
// API server can be stopped without disturbing other tests.
type ownCluster struct {
	dir, bin string
	env      []string
	admin    kubernetes.Interface
}

func startOwnCluster(t *testing.T) *ownCluster {
	t.Helper()
	bin := os.Getenv("WAVEC_TOOLS_BIN")
	if bin == "" {
		bin = "../testcluster/bin"
	}
	bin, _ = filepath.Abs(bin)
	for _, c := range []string{"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok", "hostpath-provisioner"} {
		if _, err := os.Stat(filepath.Join(bin, c)); err != nil {
			msg := "the cluster binaries are not built (make cluster-tools): " + err.Error()
			if os.Getenv(testcluster.RequiredEnv) == "required" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
	c := &ownCluster{dir: filepath.Join(t.TempDir(), "cluster"), bin: bin}
	ports := freePorts(t, 3)
	c.env = append(os.Environ(),
		"WAVEC_CLUSTER_DIR="+c.dir, "WAVEC_TOOLS_BIN="+bin,
		"WAVEC_ETCD_PORT="+strconv.Itoa(ports[0]), "WAVEC_ETCD_PEER_PORT="+strconv.Itoa(ports[1]),
		"WAVEC_APISERVER_PORT="+strconv.Itoa(ports[2]), "WAVEC_CLUSTER_NODES=1", "WAVEC_CLUSTER_TIMEOUT=180")
	t.Cleanup(func() { c.script(t, "cluster-down.sh") })
	start := time.Now()
	if out, err := c.script(t, "cluster-up.sh"); err != nil {
		t.Fatalf("cluster-up: %v\n%s", err, out)
	}
	t.Logf("own cluster up in %s", time.Since(start).Round(time.Millisecond))
	cfg, err := clientcmd.BuildConfigFromFlags("", c.kubeconfig())
	if err != nil {
		t.Fatal(err)
	}
	c.admin = kubernetes.NewForConfigOrDie(cfg)
	return c
}

func (c *ownCluster) kubeconfig() string { return filepath.Join(c.dir, "kubeconfig") }

func (c *ownCluster) script(t *testing.T, name string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "../testcluster/scripts/"+name)
	cmd.Env = c.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports
}

// apiserverPID returns the PID of the cluster's API server.
func (c *ownCluster) apiserverPID(t *testing.T) int {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(c.dir, "pids", "kube-apiserver.pid"))
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

// stopAPIServer stops the API server with sig (SIGTERM: a graceful
// shutdown; SIGKILL: a crash), waits until it exited, and returns its
// command line, for restartAPIServer.
func (c *ownCluster) stopAPIServer(t *testing.T, sig syscall.Signal) []string {
	t.Helper()
	pid := c.apiserverPID(t)
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	argv := strings.Split(strings.TrimSuffix(string(raw), "\x00"), "\x00")
	if err := syscall.Kill(pid, sig); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for processAlive(pid) {
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return argv
}

func processAlive(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(stat)
	i := strings.LastIndex(s, ") ")
	return i >= 0 && i+2 < len(s) && s[i+2] != 'Z' && s[i+2] != 'X'
}

// restartAPIServer starts the API server again with the same command
// line, as cluster-up does (its PID file is exact, so cluster-down stops
// it), and waits until it is ready.
func (c *ownCluster) restartAPIServer(t *testing.T, argv []string) {
	t.Helper()
	log, err := os.OpenFile(filepath.Join(c.dir, "kube-apiserver.log"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	args := append([]string{"bash", "-c", `echo $$ >"$1"; shift; exec "$@"`, "launch", filepath.Join(c.dir, "pids", "kube-apiserver.pid")}, argv...)
	cmd := exec.Command("setsid", args...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = cmd.Wait() }()
	c.waitReady(t, 2*time.Minute)
}

func (c *ownCluster) waitReady(t *testing.T, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		body, err := c.admin.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
		cancel()
		if err == nil && bytes.Equal(bytes.TrimSpace(body), []byte("ok")) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the API server is not ready after %s: %v", timeout, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// namespace creates a namespace with the reference example's external
// Secret on the own cluster and returns a kenv for it.
func (c *ownCluster) namespace(t *testing.T, name string) *kenv {
	t.Helper()
	ctx := context.Background()
	if _, err := c.admin.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := c.admin.CoreV1().ServiceAccounts(name).Get(ctx, "default", metav1.GetOptions{}); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	k := &kenv{t: t, kubeconfig: c.kubeconfig(), ns: name, cs: c.admin, auditLog: filepath.Join(c.dir, "audit.log")}
	k.secret("agent-db", map[string]string{"PASSWORD": "x"})
	return k
}

// TestAPIServerRestart stops the API server in the middle of a sync of the
// reference example and brings it back a few seconds later: shut down
// gracefully or killed while a hook runs, killed just as a step completes
// (so the next step's requests meet no server), and frozen with SIGSTOP
// while a hook runs.
// Each time the run must either complete or fail with a clear message, a
// re-run must converge to the state of an undisturbed sync, and no hook may
// be created twice in one sync. It runs on a cluster of its own.
func TestAPIServerRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: starts a cluster of its own")
	}
	c := startOwnCluster(t)

	ref := c.namespace(t, "reference")
	fixture := func(k *kenv, migrate, smoke string) string {
		objs := agentObjects(t, k.ns)
		podMeta(t, find(t, objs, "Job", "migrate"), false, testcluster.DurationAnnotation, migrate)
		podMeta(t, find(t, objs, "Job", "smoke"), false, testcluster.DurationAnnotation, smoke)
		return writeYAML(t, objs)
	}
	p := ref.start("run", "-f", fixture(ref, "1s", "1s"), "--name", "agent")
	if code := p.wait(t); code != 0 {
		t.Fatalf("undisturbed run: exit %d\n%s", code, p.stderr.String())
	}
	want := ref.state(ref.ns)

	for _, sc := range []struct {
		name           string
		migrate, smoke string
		// when picks the moment to disturb the API server, after the
		// event plus pause.
		when  func(progress.Event) bool
		pause time.Duration
		// sig stops the server; SIGSTOP freezes it instead, for down.
		sig  syscall.Signal
		down time.Duration
	}{
		{"shutdown-while-a-hook-runs", "8s", "1s", applied("Job/migrate"), time.Second, syscall.SIGTERM, 3 * time.Second},
		{"killed-while-a-hook-runs", "8s", "1s", applied("Job/migrate"), time.Second, syscall.SIGKILL, 3 * time.Second},
		{"killed-as-a-step-completes", "2s", "1s", func(ev progress.Event) bool {
			return ev.Type == progress.Health && ev.Object == "Job/migrate" && ev.Health == "Healthy"
		}, 0, syscall.SIGKILL, 3 * time.Second},
		{"frozen-while-a-hook-runs", "1s", "6s", applied("Job/smoke"), time.Second, syscall.SIGSTOP, 10 * time.Second},
	} {
		t.Run(sc.name, func(t *testing.T) {
			k := c.namespace(t, sc.name)
			k.t = t
			path := fixture(k, sc.migrate, sc.smoke)
			p := k.start("run", "-f", path, "--name", "agent", "--step-timeout", "2m")
			p.until(t, 2*time.Minute, "the moment to disturb the API server", sc.when)
			time.Sleep(sc.pause)
			if sc.sig == syscall.SIGSTOP {
				pid := c.apiserverPID(t)
				if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
					t.Fatal(err)
				}
				time.Sleep(sc.down)
				if err := syscall.Kill(pid, syscall.SIGCONT); err != nil {
					t.Fatal(err)
				}
			} else {
				stop := time.Now()
				argv := c.stopAPIServer(t, sc.sig)
				stopped := time.Now()
				time.Sleep(sc.down)
				c.restartAPIServer(t, argv)
				t.Logf("API server %s took %s to exit, was down for %s, ready again %s after the signal", sc.sig, stopped.Sub(stop).Round(time.Millisecond), sc.down, time.Since(stop).Round(time.Millisecond))
			}
			disturbed := time.Now()
			code := p.wait(t)
			done := p.last()
			t.Logf("%s: exit %d after %s (%s after the API server was back): %s %s", sc.name, code, p.end.Sub(p.start).Round(time.Millisecond), p.end.Sub(disturbed).Round(time.Millisecond), done.Status, done.Message)
			// Who was slow to recover: the time from the control plane
			// recording the migration's completion to wavec seeing it.
			for _, ev := range p.all {
				if ev.Type == progress.Health && ev.Object == "Job/migrate" && ev.Health == "Healthy" {
					if w := lastStatusWrite(t, k.auditLog, k.ns, "jobs", "migrate", ev.Time); w.After(disturbed) {
						t.Logf("the controller marked Job/migrate complete %s after the API server was back; wavec saw it %s later",
							w.Sub(disturbed).Round(time.Millisecond), ev.Time.Sub(w).Round(time.Millisecond))
					}
				}
			}
			if os.Getenv("WAVEC_RELIABILITY_DEBUG") != "" {
				t.Logf("events:\n%s", p.dump())
			}
			switch {
			case code == 0:
			case code == 1 && done.Message != "":
				t.Logf("failed with: %s", done.Message)
			default:
				t.Errorf("exit code %d, status %q, message %q; stderr:\n%s\nevents:\n%s", code, done.Status, done.Message, p.stderr.String(), p.dump())
			}
			q := k.start("run", "-f", path, "--name", "agent", "--step-timeout", "2m")
			if code := q.wait(t); code != 0 {
				t.Fatalf("re-run: exit %d\n%s\n%s", code, q.stderr.String(), q.dump())
			}
			if d := diffState(want, k.state(k.ns)); d != "" {
				t.Errorf("after the re-run the state differs from an undisturbed sync:\n%s", d)
			}
			for _, pr := range []*proc{p, q} {
				for obj, n := range hookCreates(t, k.auditLog, k.ns, pr.start, pr.end) {
					if strings.HasPrefix(obj, "jobs/") && n > 1 {
						t.Errorf("%s was created %d times in one sync", obj, n)
					}
				}
			}
		})
	}
}
