package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/wavec/wavec/cmd/wavec/cli"
	"github.com/wavec/wavec/testcluster"
)

var update = flag.Bool("update", false, "rewrite the goldens inside testscripts/*.txtar")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"wavec": func() { os.Exit(cli.Main()) },
	})
}

// TestScripts runs every CLI behaviour in testscripts/ (one txtar each).
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "../../testscripts",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       *update,
	})
}

// TestClusterScripts runs the CLI behaviours that need a cluster
// (testscripts/cluster) against the test cluster, as a user would: wavec
// run, plan and delete with a kubeconfig. Without a cluster it skips, or
// fails when WAVEC_TEST_CLUSTER=required.
//
// Besides exec wavec, a script may wait for the cluster's controllers with
// `rolledout NAMESPACE DEPLOYMENT`: until the Deployment's controller has
// observed it and every replica is updated, each a running Pod, ready or
// not (a minute at most).
func TestClusterScripts(t *testing.T) {
	cs := testcluster.Clientset(t) // skips or fails when no cluster answers
	kubeconfig, err := testcluster.KubeconfigPath()
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "../../testscripts/cluster",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       *update,
		Setup: func(env *testscript.Env) error {
			env.Setenv("KUBECONFIG", kubeconfig)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"rolledout": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 2 {
					ts.Fatalf("usage: rolledout NAMESPACE DEPLOYMENT")
				}
				if err := waitRolledOut(cs, args[0], args[1]); err != nil {
					ts.Fatalf("Deployment %s/%s: %v", args[0], args[1], err)
				}
			},
		},
	})
}

// waitRolledOut waits until the controller has observed Deployment name in
// ns and all its replicas are updated, each a running Pod (ready or not).
func waitRolledOut(cs kubernetes.Interface, ns, name string) error {
	var last string
	err := wait.PollUntilContextTimeout(context.Background(), 50*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		d, err := cs.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			last = err.Error()
			return false, nil
		}
		replicas := int32(1)
		if d.Spec.Replicas != nil {
			replicas = *d.Spec.Replicas
		}
		if d.Status.ObservedGeneration < d.Generation || d.Status.UpdatedReplicas != replicas {
			last = fmt.Sprintf("observed generation %d of %d, %d of %d replicas updated", d.Status.ObservedGeneration, d.Generation, d.Status.UpdatedReplicas, replicas)
			return false, nil
		}
		sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
		if err != nil {
			return false, err
		}
		pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: sel.String()})
		if err != nil {
			last = err.Error()
			return false, nil
		}
		running := int32(0)
		for _, p := range pods.Items {
			if p.Status.Phase == corev1.PodRunning && p.DeletionTimestamp == nil {
				running++
			}
		}
		last = fmt.Sprintf("%d of %d Pods running", running, replicas)
		return running == replicas, nil
	})
	if err != nil {
		return fmt.Errorf("not rolled out within a minute (%s): %w", last, err)
	}
	return nil
}
