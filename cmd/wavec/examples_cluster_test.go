package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"

	"github.com/wavec/wavec/cmd/wavec/cli"
	"github.com/wavec/wavec/testcluster"
)

// TestExamplesRun runs `wavec run` on every example under examples/, each
// in a namespace of its own (-n), against the test cluster, and requires
// each sync to succeed: every resource Healthy, every hook done. Every
// PersistentVolumeClaim the example makes (a StatefulSet's volume claim
// templates) must then be Bound by the cluster's provisioner. The test
// plays the ingress and load-balancer controllers, which the cluster has
// none of: it publishes an address for each Ingress and each LoadBalancer
// Service, as a controller does once it serves it.
// Then `wavec delete` removes what the run applied (it keeps CRDs, so
// examples/widgets' CRD stays on the cluster). Without a cluster it skips,
// or fails when WAVEC_TEST_CLUSTER=required.
func TestExamplesRun(t *testing.T) {
	cs := testcluster.Clientset(t)
	kubeconfig, err := testcluster.KubeconfigPath()
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(filepath.Join("..", "..", "examples"))
	if err != nil {
		t.Fatal(err)
	}
	claims := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join("..", "..", "examples", e.Name())
		t.Run(e.Name(), func(t *testing.T) {
			ns := testcluster.Namespace(t)
			ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
			published := make(chan struct{})
			go func() {
				defer close(published)
				publishAddresses(ctx, t, cs, ns)
			}()
			defer func() {
				cancel()
				<-published // it logs to t, so it ends before the test does
			}()

			var stdout, stderr bytes.Buffer
			env := &cli.Env{
				Stdin:  strings.NewReader(""),
				Stdout: &stdout,
				Stderr: &stderr,
				Getenv: func(name string) string {
					if name == "KUBECONFIG" {
						return kubeconfig
					}
					return ""
				},
			}
			code := cli.Run(ctx, env, []string{"run", "-n", ns, dir})
			if code != cli.ExitOK || !strings.Contains(stderr.String(), "sync succeeded") {
				t.Fatalf("wavec run -n %s %s: exit %d\n%s%s", ns, dir, code, stdout.String(), stderr.String())
			}
			claims += checkClaimsBound(t, cs, ns)

			// What the run applied goes, except a CustomResourceDefinition,
			// which wavec keeps as Argo CD does.
			stdout.Reset()
			stderr.Reset()
			if code := cli.Run(ctx, env, []string{"delete", "-n", ns, dir}); code != cli.ExitOK {
				t.Errorf("wavec delete -n %s %s: exit %d\n%s%s", ns, dir, code, stdout.String(), stderr.String())
			}
		})
	}
	if claims == 0 {
		t.Error("no example made a PersistentVolumeClaim, so none exercised the cluster's storage")
	}
}

// checkClaimsBound checks that every volume claim of every StatefulSet in
// ns exists and that every claim in ns is Bound, and returns how many
// claims there are.
func checkClaimsBound(t *testing.T, cs kubernetes.Interface, ns string) int {
	t.Helper()
	ctx := t.Context()
	sets, err := cs.AppsV1().StatefulSets(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	list, err := cs.CoreV1().PersistentVolumeClaims(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	phase := map[string]corev1.PersistentVolumeClaimPhase{}
	for _, c := range list.Items {
		phase[c.Name] = c.Status.Phase
		if c.Status.Phase != corev1.ClaimBound {
			t.Errorf("PersistentVolumeClaim %s is %s, want Bound", c.Name, c.Status.Phase)
		}
	}
	for _, s := range sets.Items {
		replicas := int32(1)
		if s.Spec.Replicas != nil {
			replicas = *s.Spec.Replicas
		}
		for _, tmpl := range s.Spec.VolumeClaimTemplates {
			for i := range replicas {
				name := fmt.Sprintf("%s-%s-%d", tmpl.Name, s.Name, i)
				if _, ok := phase[name]; !ok {
					t.Errorf("StatefulSet %s has no PersistentVolumeClaim %s", s.Name, name)
				}
			}
		}
	}
	return len(list.Items)
}

// publishAddresses does an ingress controller's and a load-balancer
// controller's part until ctx ends: every Ingress and every LoadBalancer
// Service in ns without an address gets 127.0.0.1 in its status.
func publishAddresses(ctx context.Context, t *testing.T, cs kubernetes.Interface, ns string) {
	_ = wait.PollUntilContextCancel(ctx, 200*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		if list, err := cs.NetworkingV1().Ingresses(ns).List(ctx, metav1.ListOptions{}); err == nil {
			for i := range list.Items {
				ing := &list.Items[i]
				if len(ing.Status.LoadBalancer.Ingress) > 0 {
					continue
				}
				ing.Status.LoadBalancer.Ingress = []networkingv1.IngressLoadBalancerIngress{{IP: "127.0.0.1"}}
				if _, err := cs.NetworkingV1().Ingresses(ns).UpdateStatus(ctx, ing, metav1.UpdateOptions{}); err != nil && ctx.Err() == nil {
					t.Logf("publishing the address of Ingress %s: %v", ing.Name, err)
				}
			}
		}
		if list, err := cs.CoreV1().Services(ns).List(ctx, metav1.ListOptions{}); err == nil {
			for i := range list.Items {
				svc := &list.Items[i]
				if svc.Spec.Type != corev1.ServiceTypeLoadBalancer || len(svc.Status.LoadBalancer.Ingress) > 0 {
					continue
				}
				svc.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: "127.0.0.1"}}
				if _, err := cs.CoreV1().Services(ns).UpdateStatus(ctx, svc, metav1.UpdateOptions{}); err != nil && ctx.Err() == nil {
					t.Logf("publishing the address of Service %s: %v", svc.Name, err)
				}
			}
		}
		return false, nil // transient errors: keep trying until ctx ends
	})
}
