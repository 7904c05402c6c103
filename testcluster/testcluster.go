// Package testcluster connects tests to the project's local Kubernetes test
// cluster: a real etcd, kube-apiserver, kube-controller-manager and
// kube-scheduler, with kwok playing the kubelets of fake nodes. `make
// cluster-up` starts one and `make test` runs the tests against a fresh one.
//
// Tests get their client configuration from [Config] or [Clientset] and a
// namespace of their own from [Namespace]. Without a reachable cluster these
// skip the test, unless WAVEC_TEST_CLUSTER=required, when they fail it.
//
// Pods on the cluster's nodes do not run anything; kwok moves them through
// their lifecycle as described in testcluster/stages.yaml. By default a Pod
// becomes Running and Ready at once and, unless its restartPolicy is Always,
// then succeeds. [OutcomeLabel], [DurationAnnotation] and [ReadyLabel] change
// that. Images are never pulled, so any image name will do ([Image]).
//
// A PersistentVolumeClaim is bound to a volume that the cluster's
// provisioner makes: a directory in the cluster's directory. The default
// StorageClass, [StorageClass], binds claims at once; with
// [WaitForFirstConsumerStorageClass] a claim waits for the first Pod that
// uses it, and its volume is tied to the node the scheduler chose for that
// Pod.
package testcluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// Environment variables the package reads.
const (
	// KubeconfigEnv names the kubeconfig of the cluster to test against. It
	// takes precedence over ClusterDirEnv and the default location,
	// <repository root>/.cluster/kubeconfig.
	KubeconfigEnv = "WAVEC_TEST_KUBECONFIG"
	// ClusterDirEnv names the directory of a cluster started by the
	// testcluster scripts; its kubeconfig is ClusterDirEnv/kubeconfig.
	ClusterDirEnv = "WAVEC_CLUSTER_DIR"
	// RequiredEnv, set to "required", turns "no cluster" from a skip into a
	// test failure. `make test` sets it.
	RequiredEnv = "WAVEC_TEST_CLUSTER"
	// KeepNamespacesEnv, when non-empty, keeps the namespaces of failed tests
	// for inspection instead of deleting them.
	KeepNamespacesEnv = "WAVEC_TEST_KEEP_NAMESPACES"
)

// The Pod behaviour contract of the cluster (testcluster/stages.yaml).
const (
	// OutcomeLabel set to OutcomeFail makes a Pod fail: its containers
	// exit 1. A Pod with restartPolicy Never or OnFailure (a Job's Pod) then
	// ends Failed; one with restartPolicy Always stays Running, not Ready,
	// in CrashLoopBackOff. Such a Pod is never Ready.
	OutcomeLabel = "test.wavec.io/outcome"
	// OutcomeFail is the value of OutcomeLabel that makes a Pod fail.
	OutcomeFail = "fail"
	// DurationAnnotation holds a Go duration ("5s") for which a Pod stays
	// Running before it succeeds or fails. Without it, a Pod whose
	// restartPolicy is not Always succeeds (or fails) at once.
	DurationAnnotation = "test.wavec.io/duration"
	// ReadyLabel set to "false" makes a Pod run without ever becoming Ready;
	// it does not complete either, unless it is also labelled to fail.
	ReadyLabel = "test.wavec.io/ready"
	// Image is an image name for test Pods. The cluster never pulls images,
	// so the name only needs to be valid.
	Image = "registry.example/none:1"
)

// The storage of the cluster (testcluster/scripts/cluster-up.sh).
const (
	// StorageClass is the default StorageClass: Immediate binding, reclaim
	// policy Delete. Claims that name no class get it.
	StorageClass = "standard"
	// WaitForFirstConsumerStorageClass binds a claim once a Pod using it is
	// scheduled; the volume then has node affinity to that Pod's node.
	// Reclaim policy Delete.
	WaitForFirstConsumerStorageClass = "wait-for-first-consumer"
	// Provisioner is the provisioner name of both classes: the cluster's
	// hostpath-provisioner, which makes hostPath volumes.
	Provisioner = "testcluster.wavec.io/hostpath"
)

// probeTimeout bounds the check that the cluster answers.
const probeTimeout = 5 * time.Second

// KubeconfigPath returns the path of the kubeconfig tests use: the value of
// WAVEC_TEST_KUBECONFIG, else WAVEC_CLUSTER_DIR/kubeconfig, else
// <repository root>/.cluster/kubeconfig. It does not check the file exists.
func KubeconfigPath() (string, error) {
	if p := os.Getenv(KubeconfigEnv); p != "" {
		return p, nil
	}
	if d := os.Getenv(ClusterDirEnv); d != "" {
		return filepath.Join(d, "kubeconfig"), nil
	}
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, ".cluster", "kubeconfig"), nil
}

// RepoRoot returns the root of the wavec repository, found by walking up
// from the working directory (a package directory, under go test) to the
// go.mod of module github.com/wavec/wavec.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && modulePath(data) == "github.com/wavec/wavec" {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod of github.com/wavec/wavec above the working directory")
		}
		dir = parent
	}
}

func modulePath(gomod []byte) string {
	for line := range strings.Lines(string(gomod)) {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`)
		}
	}
	return ""
}

// Config returns a client configuration for the test cluster, after checking
// that the cluster answers. Without a reachable cluster it skips the test,
// or fails it when WAVEC_TEST_CLUSTER=required.
//
// The configuration's rate limits suit tests (QPS 100, burst 200). Each call
// returns a new configuration the caller may change.
func Config(t testing.TB) *rest.Config {
	t.Helper()
	// Not t.Context(): that is cancelled by the time cleanups run, and
	// cleanups may need a client too.
	cfg, err := connect(context.Background())
	if err != nil {
		unavailable(t, err)
		return nil // unreachable once unavailable has stopped the test
	}
	return cfg
}

// Clientset returns a typed client for the test cluster, with the same skip
// or failure as [Config] when there is none.
func Clientset(t testing.TB) kubernetes.Interface {
	t.Helper()
	cs, err := kubernetes.NewForConfig(Config(t))
	if err != nil {
		t.Fatalf("testcluster: client: %v", err)
	}
	return cs
}

// connect loads the kubeconfig and checks that the API server is ready.
func connect(ctx context.Context) (*rest.Config, error) {
	path, err := KubeconfigPath()
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("no kubeconfig at %s", path)
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", path)
	if err != nil {
		return nil, fmt.Errorf("kubeconfig %s: %w", path, err)
	}
	cfg.QPS = 100
	cfg.Burst = 200

	probe := rest.CopyConfig(cfg)
	probe.Timeout = probeTimeout
	client, err := kubernetes.NewForConfig(probe)
	if err != nil {
		return nil, fmt.Errorf("kubeconfig %s: %w", path, err)
	}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	body, err := client.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
	if err != nil {
		return nil, fmt.Errorf("API server %s (kubeconfig %s) is not ready: %w", cfg.Host, path, err)
	}
	if strings.TrimSpace(string(body)) != "ok" {
		return nil, fmt.Errorf("API server %s (kubeconfig %s) is not ready: %q", cfg.Host, path, body)
	}
	return cfg, nil
}

// unavailable ends a test that has no cluster: a skip, or a failure when
// the cluster is required.
func unavailable(t testing.TB, err error) {
	t.Helper()
	if os.Getenv(RequiredEnv) == "required" {
		t.Fatalf("testcluster: a cluster is required (%s=required) but none is reachable: %v", RequiredEnv, err)
	}
	t.Skipf("testcluster: no cluster: %v (start one with `make cluster-up`, or run `make test`; %s=required turns this skip into a failure)", err, RequiredEnv)
}

var unsafeNameChars = regexp.MustCompile(`[^a-z0-9]+`)

// Namespace creates a namespace of the test's own, with a unique name
// derived from the test's name, and deletes it when the test ends (keeping
// it if the test failed and WAVEC_TEST_KEEP_NAMESPACES is set). It returns
// once the namespace's default ServiceAccount exists, so Pods can be created
// in it at once. It skips or fails like [Config] without a cluster.
func Namespace(t testing.TB) string {
	t.Helper()
	cs := Clientset(t)

	prefix := strings.Trim(unsafeNameChars.ReplaceAllString(strings.ToLower(t.Name()), "-"), "-")
	prefix = strings.TrimRight(prefix[:min(len(prefix), 40)], "-")
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		GenerateName: "t-" + prefix + "-",
		Labels:       map[string]string{"test.wavec.io/namespace": "true"},
	}}
	ctx := t.Context()
	created, err := cs.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("testcluster: creating a namespace: %v", err)
	}
	name := created.Name
	t.Cleanup(func() {
		if t.Failed() && os.Getenv(KeepNamespacesEnv) != "" {
			t.Logf("testcluster: keeping namespace %s of the failed test", name)
			return
		}
		// The test's context is already cancelled when cleanups run.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		policy := metav1.DeletePropagationBackground
		err := cs.CoreV1().Namespaces().Delete(ctx, name, metav1.DeleteOptions{PropagationPolicy: &policy})
		if err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("testcluster: deleting namespace %s: %v", name, err)
		}
	})

	// The controller manager creates the default ServiceAccount a moment
	// after the namespace; until then Pods in it are rejected.
	err = wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := cs.CoreV1().ServiceAccounts(name).Get(ctx, "default", metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		return err == nil, err
	})
	if err != nil {
		t.Fatalf("testcluster: waiting for the default ServiceAccount of namespace %s: %v", name, err)
	}
	return name
}
