package conformance_test

import (
	"bufio"
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	apierr "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"

	corev1 "k8s.io/api/core/v1"
)

// The test cluster is the one the testcluster package of the repository
// connects to (testcluster/testcluster.go): this module cannot import it,
// since it needs Kubernetes v0.23, so it finds the cluster the same way.
const (
	kubeconfigEnv = "WAVEC_TEST_KUBECONFIG"
	clusterDirEnv = "WAVEC_CLUSTER_DIR"
	requiredEnv   = "WAVEC_TEST_CLUSTER"
	// outcomeLabel on a Pod (template) makes the test cluster fail it
	// (testcluster/stages.yaml).
	outcomeLabel = "test.wavec.io/outcome"
)

// testCluster is a connection to the test cluster.
type testCluster struct {
	kubeconfig string
	cfg        *rest.Config
	cs         kubernetes.Interface
	dyn        dynamic.Interface
	disco      discovery.DiscoveryInterface
	// user is the user name the kubeconfig authenticates as: the engine and
	// wavec both write as this user, the cluster's controllers as others.
	user     string
	auditLog string
}

// kubeconfigPath is testcluster.KubeconfigPath for this module.
func kubeconfigPath() string {
	if p := os.Getenv(kubeconfigEnv); p != "" {
		return p
	}
	if d := os.Getenv(clusterDirEnv); d != "" {
		return filepath.Join(d, "kubeconfig")
	}
	return filepath.Join("..", ".cluster", "kubeconfig")
}

// connectCluster returns the test cluster, or skips the test without one
// (fails it when WAVEC_TEST_CLUSTER=required).
func connectCluster(t *testing.T) *testCluster {
	t.Helper()
	c, err := dialCluster()
	if err != nil {
		if os.Getenv(requiredEnv) == "required" {
			t.Fatalf("a cluster is required (%s=required) but none is reachable: %v", requiredEnv, err)
		}
		t.Skipf("no test cluster: %v (run `make conformance`, or start one with `make cluster-up`; %s=required turns this skip into a failure)", err, requiredEnv)
	}
	return c
}

func dialCluster() (*testCluster, error) {
	path := kubeconfigPath()
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("no kubeconfig at %s", path)
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", path)
	if err != nil {
		return nil, fmt.Errorf("kubeconfig %s: %w", path, err)
	}
	cfg.QPS, cfg.Burst = 100, 200
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	body, err := cs.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
	if err != nil || strings.TrimSpace(string(body)) != "ok" {
		return nil, fmt.Errorf("API server %s is not ready: %v %s", cfg.Host, err, body)
	}
	audit := filepath.Join(filepath.Dir(path), "audit.log")
	if _, err := os.Stat(audit); err != nil {
		return nil, fmt.Errorf("the cluster keeps no audit log next to its kubeconfig: %w", err)
	}
	block, _ := pem.Decode(cfg.CertData)
	if block == nil {
		return nil, fmt.Errorf("kubeconfig %s: no client certificate to tell the test's writes by", path)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("kubeconfig %s: %w", path, err)
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	return &testCluster{kubeconfig: path, cfg: cfg, cs: cs, dyn: dyn, disco: cs.Discovery(), user: cert.Subject.CommonName, auditLog: audit}, nil
}

// auditSize is the length of the audit log now: events after it are
// written later.
func (c *testCluster) auditSize(t *testing.T) int64 {
	t.Helper()
	fi, err := os.Stat(c.auditLog)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// write is one completed write request of the audit log.
type write struct {
	Verb, Group, Resource, Namespace, Name string
	Code                                   int
}

// writes returns the completed, non-dry-run writes the test's user made
// after offset, in the order the API server completed them.
func (c *testCluster) writes(t *testing.T, offset int64) []write {
	t.Helper()
	f, err := os.Open(c.auditLog)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	var out []write
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	for sc.Scan() {
		var l struct {
			Stage      string `json:"stage"`
			Verb       string `json:"verb"`
			RequestURI string `json:"requestURI"`
			User       struct {
				Username string `json:"username"`
			} `json:"user"`
			ObjectRef *struct {
				Resource, Namespace, Name, Subresource, APIGroup string
			} `json:"objectRef"`
			ResponseStatus *struct {
				Code int `json:"code"`
			} `json:"responseStatus"`
			RequestObject json.RawMessage `json:"requestObject"`
		}
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			// The API server may be writing the last line right now.
			break
		}
		if l.Stage != "ResponseComplete" || l.ObjectRef == nil || l.ObjectRef.Subresource != "" ||
			l.User.Username != c.user || strings.Contains(l.RequestURI, "dryRun=") {
			continue
		}
		w := write{Verb: l.Verb, Group: l.ObjectRef.APIGroup, Resource: l.ObjectRef.Resource, Namespace: l.ObjectRef.Namespace, Name: l.ObjectRef.Name}
		if w.Name == "" {
			var obj struct {
				Metadata struct{ Name string } `json:"metadata"`
			}
			if len(l.RequestObject) > 0 && l.RequestObject[0] == '{' && json.Unmarshal(l.RequestObject, &obj) == nil {
				w.Name = obj.Metadata.Name
			}
		}
		if l.ResponseStatus != nil {
			w.Code = l.ResponseStatus.Code
		}
		out = append(out, w)
	}
	return out
}

// mapper returns a REST mapper of the kinds the cluster serves now.
func (c *testCluster) mapper(t *testing.T) meta.RESTMapper {
	t.Helper()
	groups, err := restmapper.GetAPIGroupResources(c.disco)
	if err != nil && len(groups) == 0 {
		t.Fatalf("discovery: %v", err)
	}
	return restmapper.NewDiscoveryRESTMapper(groups)
}

// createNamespace creates namespace ns.
func (c *testCluster) createNamespace(t *testing.T, ns string) {
	t.Helper()
	_, err := c.cs.CoreV1().Namespaces().Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
}

// volumes creates n PersistentVolumes of storage class class for the
// claims of StatefulSets (the test cluster has no provisioner) and returns
// their names.
func (c *testCluster) volumes(t *testing.T, prefix string, claims []*corev1.PersistentVolumeClaim) []string {
	t.Helper()
	var names []string
	for i, claim := range claims {
		class := ""
		if claim.Spec.StorageClassName != nil {
			class = *claim.Spec.StorageClassName
		}
		pv := &corev1.PersistentVolume{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("%s-%d", prefix, i)},
			Spec: corev1.PersistentVolumeSpec{
				Capacity:                      corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Ti")},
				AccessModes:                   []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce, corev1.ReadOnlyMany, corev1.ReadWriteMany},
				StorageClassName:              class,
				PersistentVolumeReclaimPolicy: corev1.PersistentVolumeReclaimRetain,
				ClaimRef:                      &corev1.ObjectReference{Namespace: claim.Namespace, Name: claim.Name},
				PersistentVolumeSource:        corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/tmp/" + prefix}},
			},
		}
		if _, err := c.cs.CoreV1().PersistentVolumes().Create(context.Background(), pv, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		names = append(names, pv.Name)
	}
	return names
}

// deleteAndWait deletes the objects and waits until they are gone.
func (c *testCluster) deleteAndWait(t *testing.T, objs []*unstructured.Unstructured) {
	t.Helper()
	m := c.mapper(t)
	type ref struct {
		ri   dynamic.ResourceInterface
		name string
	}
	var refs []ref
	for _, o := range objs {
		gvk := o.GroupVersionKind()
		mp, err := m.RESTMapping(gvk.GroupKind(), gvk.Version)
		if err != nil {
			continue // its CRD is gone already
		}
		var ri dynamic.ResourceInterface = c.dyn.Resource(mp.Resource)
		if o.GetNamespace() != "" {
			ri = c.dyn.Resource(mp.Resource).Namespace(o.GetNamespace())
		}
		err = ri.Delete(context.Background(), o.GetName(), metav1.DeleteOptions{})
		if err != nil && !apierr.IsNotFound(err) {
			t.Errorf("cleaning up %s %s: %v", gvk.Kind, o.GetName(), err)
			continue
		}
		refs = append(refs, ref{ri, o.GetName()})
	}
	deadline := time.Now().Add(2 * time.Minute)
	for _, r := range refs {
		for {
			_, err := r.ri.Get(context.Background(), r.name, metav1.GetOptions{})
			if apierr.IsNotFound(err) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("cleaning up: %s is still there after 2 minutes (%v)", r.name, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
}
