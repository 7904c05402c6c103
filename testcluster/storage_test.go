package testcluster_test

// The cluster's storage: the default StorageClass binds at once, the
// WaitForFirstConsumer class binds when a Pod is scheduled, on that Pod's
// node, and a released volume of reclaim policy Delete goes away with its
// directory.

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/wavec/wavec/testcluster"
)

func TestStorageClasses(t *testing.T) {
	t.Parallel()
	cs := testcluster.Clientset(t)
	want := map[string]storagev1.VolumeBindingMode{
		testcluster.StorageClass:                     storagev1.VolumeBindingImmediate,
		testcluster.WaitForFirstConsumerStorageClass: storagev1.VolumeBindingWaitForFirstConsumer,
	}
	for name, mode := range want {
		sc, err := cs.StorageV1().StorageClasses().Get(t.Context(), name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if sc.Provisioner != testcluster.Provisioner {
			t.Errorf("StorageClass %s: provisioner %q, want %q", name, sc.Provisioner, testcluster.Provisioner)
		}
		if sc.VolumeBindingMode == nil || *sc.VolumeBindingMode != mode {
			t.Errorf("StorageClass %s: binding mode %v, want %s", name, sc.VolumeBindingMode, mode)
		}
		if sc.ReclaimPolicy == nil || *sc.ReclaimPolicy != corev1.PersistentVolumeReclaimDelete {
			t.Errorf("StorageClass %s: reclaim policy %v, want Delete", name, sc.ReclaimPolicy)
		}
		isDefault := sc.Annotations["storageclass.kubernetes.io/is-default-class"] == "true"
		if isDefault != (name == testcluster.StorageClass) {
			t.Errorf("StorageClass %s: default %t", name, isDefault)
		}
	}
}

// TestImmediateClaimBinds: a claim that names no class gets the default
// one, is bound at once to a new hostPath volume without node affinity, and
// a Pod using it runs.
func TestImmediateClaimBinds(t *testing.T) {
	t.Parallel()
	cs, ns := testcluster.Clientset(t), testcluster.Namespace(t)

	create(t, cs.CoreV1().PersistentVolumeClaims(ns), claim("data", nil, "1Gi"))
	pv := waitForBound(t, cs, ns, "data")
	if pv.Spec.StorageClassName != testcluster.StorageClass {
		t.Errorf("volume of class %q, want the default %q", pv.Spec.StorageClassName, testcluster.StorageClass)
	}
	checkVolume(t, pv, "1Gi")
	if pv.Spec.NodeAffinity != nil {
		t.Errorf("volume of an Immediate claim has node affinity %+v", pv.Spec.NodeAffinity)
	}

	create(t, cs.CoreV1().Pods(ns), podWithClaim("user", "data"))
	p := waitForPodRunning(t, cs, ns, "user")
	if p.Spec.NodeName == "" {
		t.Errorf("Pod user runs on no node")
	}
}

// TestWaitForFirstConsumerClaimBindsOnItsPodsNode: a claim of the
// WaitForFirstConsumer class stays Pending until a Pod uses it; then the
// scheduler picks a node, the volume is made with node affinity to it, and
// the Pod runs there.
func TestWaitForFirstConsumerClaimBindsOnItsPodsNode(t *testing.T) {
	t.Parallel()
	cs, ns := testcluster.Clientset(t), testcluster.Namespace(t)

	class := testcluster.WaitForFirstConsumerStorageClass
	create(t, cs.CoreV1().PersistentVolumeClaims(ns), claim("data", &class, "2Gi"))
	// The PV controller records why the claim waits; it must not be bound
	// by then, nor ever without a consumer.
	waitFor(t, "claim data to wait for its first consumer", 30*time.Second, func(ctx context.Context) (bool, error) {
		events, err := cs.CoreV1().Events(ns).List(ctx, metav1.ListOptions{FieldSelector: "involvedObject.name=data"})
		if err != nil {
			return false, err
		}
		for _, e := range events.Items {
			if e.Reason == "WaitForFirstConsumer" {
				return true, nil
			}
		}
		return false, nil
	})
	c, err := cs.CoreV1().PersistentVolumeClaims(ns).Get(t.Context(), "data", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Status.Phase != corev1.ClaimPending || c.Spec.VolumeName != "" {
		t.Fatalf("claim without a consumer is %s, volume %q; want Pending without a volume", c.Status.Phase, c.Spec.VolumeName)
	}

	create(t, cs.CoreV1().Pods(ns), podWithClaim("user", "data"))
	pv := waitForBound(t, cs, ns, "data")
	p := waitForPodRunning(t, cs, ns, "user")
	checkVolume(t, pv, "2Gi")
	if pv.Spec.StorageClassName != class {
		t.Errorf("volume of class %q, want %q", pv.Spec.StorageClassName, class)
	}
	node, err := cs.CoreV1().Nodes().Get(t.Context(), p.Spec.NodeName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	hostname := node.Labels["kubernetes.io/hostname"]
	want := &corev1.VolumeNodeAffinity{Required: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
		MatchExpressions: []corev1.NodeSelectorRequirement{{
			Key: "kubernetes.io/hostname", Operator: corev1.NodeSelectorOpIn, Values: []string{hostname},
		}},
	}}}}
	if got := fmt.Sprintf("%+v", pv.Spec.NodeAffinity); got != fmt.Sprintf("%+v", want) {
		t.Errorf("volume node affinity %s, want %s (the Pod's node %s)", got, fmt.Sprintf("%+v", want), p.Spec.NodeName)
	}
}

// TestDeletedClaimsVolumeIsReclaimed: deleting a claim of a Delete class
// deletes its volume and the volume's directory.
func TestDeletedClaimsVolumeIsReclaimed(t *testing.T) {
	t.Parallel()
	cs, ns := testcluster.Clientset(t), testcluster.Namespace(t)

	create(t, cs.CoreV1().PersistentVolumeClaims(ns), claim("scratch", nil, "1Gi"))
	pv := waitForBound(t, cs, ns, "scratch")
	dir := pv.Spec.HostPath.Path
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		t.Fatalf("the volume's directory %s: %v", dir, err)
	}

	if err := cs.CoreV1().PersistentVolumeClaims(ns).Delete(t.Context(), "scratch", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "volume "+pv.Name+" to be deleted", 60*time.Second, func(ctx context.Context) (bool, error) {
		_, err := cs.CoreV1().PersistentVolumes().Get(ctx, pv.Name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return true, nil
		}
		return false, err
	})
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the deleted volume's directory %s is still there (%v)", dir, err)
	}
}

// checkVolume checks what the provisioner made: a hostPath volume of the
// claim's size, provisioned by it, reclaimed by deletion, whose directory
// exists.
func checkVolume(t *testing.T, pv *corev1.PersistentVolume, size string) {
	t.Helper()
	if by := pv.Annotations["pv.kubernetes.io/provisioned-by"]; by != testcluster.Provisioner {
		t.Errorf("volume %s provisioned by %q, want %q", pv.Name, by, testcluster.Provisioner)
	}
	if got := pv.Spec.Capacity[corev1.ResourceStorage]; got.Cmp(resource.MustParse(size)) != 0 {
		t.Errorf("volume %s capacity %s, want %s", pv.Name, got.String(), size)
	}
	if pv.Spec.PersistentVolumeReclaimPolicy != corev1.PersistentVolumeReclaimDelete {
		t.Errorf("volume %s reclaim policy %s, want Delete", pv.Name, pv.Spec.PersistentVolumeReclaimPolicy)
	}
	if pv.Spec.HostPath == nil {
		t.Fatalf("volume %s is not a hostPath volume: %+v", pv.Name, pv.Spec.PersistentVolumeSource)
	}
	if fi, err := os.Stat(pv.Spec.HostPath.Path); err != nil || !fi.IsDir() {
		t.Errorf("volume %s: directory %s: %v", pv.Name, pv.Spec.HostPath.Path, err)
	}
}

// waitForBound waits for claim name to be Bound and returns its volume.
func waitForBound(t *testing.T, cs kubernetes.Interface, ns, name string) *corev1.PersistentVolume {
	t.Helper()
	var volume string
	waitFor(t, "claim "+name+" to be Bound", 60*time.Second, func(ctx context.Context) (bool, error) {
		c, err := cs.CoreV1().PersistentVolumeClaims(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		volume = c.Spec.VolumeName
		return c.Status.Phase == corev1.ClaimBound, nil
	})
	pv, err := cs.CoreV1().PersistentVolumes().Get(t.Context(), volume, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ref := pv.Spec.ClaimRef; ref == nil || ref.Namespace != ns || ref.Name != name {
		t.Errorf("volume %s is bound to %+v, want %s/%s", pv.Name, ref, ns, name)
	}
	return pv
}

func waitForPodRunning(t *testing.T, cs kubernetes.Interface, ns, name string) *corev1.Pod {
	t.Helper()
	var p *corev1.Pod
	waitFor(t, "Pod "+name+" to be Running", 60*time.Second, func(ctx context.Context) (bool, error) {
		var err error
		p, err = cs.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		return p.Status.Phase == corev1.PodRunning, nil
	})
	return p
}

func claim(name string, class *string, size string) *corev1.PersistentVolumeClaim {
	return &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.PersistentVolumeClaimSpec{
			StorageClassName: class,
			AccessModes:      []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources: corev1.VolumeResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(size)},
			},
		},
	}
}

// podWithClaim returns a Pod that runs until deleted and mounts claim.
func podWithClaim(name, claim string) *corev1.Pod {
	p := pod(name)
	p.Spec.Volumes = []corev1.Volume{{
		Name: "data",
		VolumeSource: corev1.VolumeSource{
			PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: claim},
		},
	}}
	p.Spec.Containers[0].VolumeMounts = []corev1.VolumeMount{{Name: "data", MountPath: "/data"}}
	return p
}

// TestUnsupportedClaimsAreRefused: the provisioner makes directories and
// does not match labels, so a claim for a Block volume or with a selector
// stays Pending with an event that says why.
func TestUnsupportedClaimsAreRefused(t *testing.T) {
	t.Parallel()
	cs, ns := testcluster.Clientset(t), testcluster.Namespace(t)

	raw := claim("raw", nil, "1Gi")
	block := corev1.PersistentVolumeBlock
	raw.Spec.VolumeMode = &block
	create(t, cs.CoreV1().PersistentVolumeClaims(ns), raw)
	picky := claim("picky", nil, "1Gi")
	picky.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"disk": "fast"}}
	create(t, cs.CoreV1().PersistentVolumeClaims(ns), picky)

	for name, why := range map[string]string{
		"raw":   "does not support block volume provisioning",
		"picky": "claims with a selector are not supported",
	} {
		waitFor(t, "the provisioner to refuse claim "+name, 30*time.Second, func(ctx context.Context) (bool, error) {
			events, err := cs.CoreV1().Events(ns).List(ctx, metav1.ListOptions{FieldSelector: "involvedObject.name=" + name})
			if err != nil {
				return false, err
			}
			for _, e := range events.Items {
				if e.Reason == "ProvisioningFailed" && strings.Contains(e.Message, why) {
					return true, nil
				}
			}
			return false, nil
		})
		got, err := cs.CoreV1().PersistentVolumeClaims(ns).Get(t.Context(), name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got.Status.Phase != corev1.ClaimPending {
			t.Errorf("refused claim %s is %s, want Pending", name, got.Status.Phase)
		}
	}
}
