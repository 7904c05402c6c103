package testcluster_test

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/wavec/wavec/testcluster"
)

var components = []string{"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok", "hostpath-provisioner"}

// TestSecondClusterUpAndDown starts a second cluster beside the one the
// other tests use, in a directory and on ports of its own, through the
// scripts behind make cluster-up and cluster-down. It checks that a second
// cluster-up starts nothing new and that cluster-down leaves no process and
// no state behind. It needs the built binaries: it skips without them,
// unless WAVEC_TEST_CLUSTER=required.
func TestSecondClusterUpAndDown(t *testing.T) {
	t.Parallel()
	bin := os.Getenv("WAVEC_TOOLS_BIN")
	if bin == "" {
		bin = "bin"
	}
	bin, err := filepath.Abs(bin)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range components {
		if _, err := os.Stat(filepath.Join(bin, c)); err != nil {
			msg := "the cluster binaries are not built (make cluster-tools): " + err.Error()
			if os.Getenv(testcluster.RequiredEnv) == "required" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}

	dir := filepath.Join(t.TempDir(), "cluster")
	ports := freePorts(t, 3)
	env := append(os.Environ(),
		"WAVEC_CLUSTER_DIR="+dir,
		"WAVEC_TOOLS_BIN="+bin,
		"WAVEC_ETCD_PORT="+strconv.Itoa(ports[0]),
		"WAVEC_ETCD_PEER_PORT="+strconv.Itoa(ports[1]),
		"WAVEC_APISERVER_PORT="+strconv.Itoa(ports[2]),
		"WAVEC_CLUSTER_NODES=1",
		"WAVEC_CLUSTER_TIMEOUT=120",
	)
	run := func(script string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, filepath.Join("scripts", script))
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		t.Logf("%s:\n%s", script, out)
		return string(out), err
	}
	t.Cleanup(func() {
		if _, err := os.Stat(dir); err == nil {
			run("cluster-down.sh") // after a failure: leave nothing running
		}
	})

	start := time.Now()
	if _, err := run("cluster-up.sh"); err != nil {
		t.Fatalf("cluster-up: %v", err)
	}
	t.Logf("cluster up in %s", time.Since(start).Round(time.Millisecond))
	pids := readPIDs(t, dir)
	for name, pid := range pids {
		if !processRunning(pid) {
			t.Errorf("%s (pid %d) is not running after cluster-up", name, pid)
		}
	}

	// The second cluster works, and is not the first.
	cfg, err := clientcmd.BuildConfigFromFlags("", filepath.Join(dir, "kubeconfig"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "https://127.0.0.1:" + strconv.Itoa(ports[2]); cfg.Host != want {
		t.Errorf("kubeconfig server %s, want %s", cfg.Host, want)
	}
	nodes, err := kubernetes.NewForConfigOrDie(cfg).CoreV1().Nodes().List(t.Context(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes.Items) != 1 || !nodeReady(&nodes.Items[0]) {
		t.Errorf("nodes of the second cluster: %+v", nodes.Items)
	}

	out, err := run("cluster-up.sh")
	if err != nil {
		t.Fatalf("second cluster-up: %v", err)
	}
	if !strings.Contains(out, "already running") {
		t.Errorf("second cluster-up did not report the cluster already running")
	}
	if again := readPIDs(t, dir); !reflect.DeepEqual(again, pids) {
		t.Errorf("second cluster-up changed the processes: %v, then %v", pids, again)
	}

	start = time.Now()
	if _, err := run("cluster-down.sh"); err != nil {
		t.Fatalf("cluster-down: %v", err)
	}
	t.Logf("cluster down in %s", time.Since(start).Round(time.Millisecond))
	for name, pid := range pids {
		if processRunning(pid) {
			t.Errorf("%s (pid %d) still runs after cluster-down", name, pid)
		}
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("cluster-down left %s behind (%v)", dir, err)
	}
}

func readPIDs(t *testing.T, dir string) map[string]int {
	t.Helper()
	pids := map[string]int{}
	for _, c := range components {
		data, err := os.ReadFile(filepath.Join(dir, "pids", c+".pid"))
		if err != nil {
			t.Fatalf("PID file of %s: %v", c, err)
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
		if err != nil {
			t.Fatalf("PID file of %s: %v", c, err)
		}
		pids[c] = pid
	}
	return pids
}

// processRunning reports whether process pid exists and has not exited. An
// exited process whose parent has not reaped it (a zombie) has ended.
func processRunning(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// The state follows the parenthesised command name.
	s := string(stat)
	i := strings.LastIndex(s, ") ")
	return i >= 0 && i+2 < len(s) && s[i+2] != 'Z' && s[i+2] != 'X'
}

// freePorts returns n distinct ports that were free on 127.0.0.1 a moment ago.
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

func nodeReady(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
