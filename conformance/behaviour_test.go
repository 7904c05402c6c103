package conformance_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/argoproj/gitops-engine/pkg/utils/kube"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/wavec/wavec/conformance/engine"
)

// behaviourCase is one input synced on the test cluster by Argo CD's engine
// and by wavec run.
type behaviourCase struct {
	name string
	objs []*unstructured.Unstructured
	// fail is the hook (Kind/name, or Kind/generateName* ) whose Pods the
	// cluster fails; "" for none.
	fail string
}

// side is what one sync did on the cluster.
type side struct {
	phase string // Succeeded or Failed
	// trace is the order of writes: one line per step whose objects were
	// applied, or run of hook deletions, in the order of the audit log.
	trace []string
	// remaining lists the hooks left in the namespace at the end.
	remaining []string
	// syncFail tells whether SyncFail hooks were applied.
	syncFail bool
	detail   string // what to show when the sides differ
}

// TestBehaviourOnCluster syncs the examples and the cases of
// testdata/cluster on the test cluster, once with Argo CD's engine driven
// as its controller drives it and once with `wavec run`, each in a fresh
// namespace, first with every Pod succeeding and then with the Pods of
// each hook failing in turn. It compares the order of writes between
// steps (from the API server's audit log), the outcome, whether SyncFail
// hooks ran, and which hooks remain.
func TestBehaviourOnCluster(t *testing.T) {
	c := connectCluster(t)
	eng, err := engine.NewCluster(c.cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()

	var inputs []behaviourCase
	dirs, _ := filepath.Glob("../examples/*")
	for _, dir := range dirs {
		objs, err := kube.SplitYAML(wavec(t, "build", dir))
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		inputs = append(inputs, behaviourCase{name: "examples/" + filepath.Base(dir), objs: objs})
	}
	files, _ := filepath.Glob("testdata/cluster/*.yaml")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		objs, err := kube.SplitYAML(data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		inputs = append(inputs, behaviourCase{name: strings.TrimSuffix(filepath.Base(f), ".yaml"), objs: objs})
	}
	if len(inputs) == 0 {
		t.Fatal("no inputs: run the test from the conformance directory")
	}

	n := 0
	for _, in := range inputs {
		cases := []behaviourCase{in}
		for _, h := range failableHooks(t, in.objs) {
			cases = append(cases, behaviourCase{name: in.name + "/" + h + " fails", objs: in.objs, fail: h})
		}
		for _, bc := range cases {
			n++
			id := n
			t.Run(bc.name, func(t *testing.T) {
				a := syncWithEngine(t, c, eng, bc, id)
				b := syncWithWavec(t, c, bc, id)
				if why, ok := knownDifferences[bc.name]; ok {
					if diff := compareSides(a, b); diff != "" {
						t.Logf("known difference (%s):\n%s", why, diff)
					} else {
						t.Errorf("Argo CD's engine and wavec run now agree; remove %q from knownDifferences", bc.name)
					}
					return
				}
				if diff := compareSides(a, b); diff != "" {
					t.Error(diff)
					return
				}
				t.Logf("both %s, SyncFail hooks ran: %v, hooks left: %q; writes:\n  %s",
					a.phase, a.syncFail, a.remaining, strings.Join(a.trace, "\n  "))
			})
		}
	}
}

// knownDifferences are the cases where wavec run is known to differ from
// Argo CD, by case name, with the reason. They are bugs to fix, not
// deliberate differences: the test fails once a case agrees, so that it
// leaves this list.
var knownDifferences = map[string]string{}

// compareSides returns how the two sides differ, or "". wavec's deliberate
// differences (docs/semantics.md, "Where wavec differs") change no write
// order of these inputs: they change when a step is complete, not what
// follows it; the last step's wait is switched off with --no-wait-last.
func compareSides(engineSide, wavecSide side) string {
	var diffs []string
	if engineSide.phase != wavecSide.phase {
		diffs = append(diffs, fmt.Sprintf("outcome: Argo CD %s, wavec %s", engineSide.phase, wavecSide.phase))
	}
	if engineSide.syncFail != wavecSide.syncFail {
		diffs = append(diffs, fmt.Sprintf("SyncFail hooks ran: Argo CD %v, wavec %v", engineSide.syncFail, wavecSide.syncFail))
	}
	if !slices.Equal(engineSide.trace, wavecSide.trace) {
		diffs = append(diffs, fmt.Sprintf("write order:\n  Argo CD:\n    %s\n  wavec:\n    %s",
			strings.Join(engineSide.trace, "\n    "), strings.Join(wavecSide.trace, "\n    ")))
	}
	if !slices.Equal(engineSide.remaining, wavecSide.remaining) {
		diffs = append(diffs, fmt.Sprintf("hooks remaining: Argo CD %q, wavec %q", engineSide.remaining, wavecSide.remaining))
	}
	if len(diffs) == 0 {
		return ""
	}
	return fmt.Sprintf("Argo CD's engine and wavec run differ:\n%s\nArgo CD: %s\nwavec: %s", strings.Join(diffs, "\n"), engineSide.detail, wavecSide.detail)
}

// failableHooks returns the hooks of objs outside SyncFail whose Pods the
// cluster can fail: Jobs and Pods.
func failableHooks(t *testing.T, objs []*unstructured.Unstructured) []string {
	t.Helper()
	var out []string
	for _, task := range planOf(t, objs, "failable") {
		if !task.Hook || task.Phase == "SyncFail" || (task.Kind != "Job" && task.Kind != "Pod") {
			continue
		}
		if k := task.key(); !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// planTask is a task of `wavec plan -o json`, with its step.
type planTask struct {
	Phase, Kind, Group, Name, GenerateName string
	Wave                                   int
	Hook                                   bool
}

// key names the task's object independently of its namespace: Kind/name,
// or Kind/generateName* for a hook named when it is created.
func (p planTask) key() string {
	if p.Name == "" {
		return p.Kind + "/" + p.GenerateName + "*"
	}
	return p.Kind + "/" + p.Name
}

// planOf runs `wavec plan -o json` on objs placed in namespace ns.
func planOf(t *testing.T, objs []*unstructured.Unstructured, ns string) []planTask {
	t.Helper()
	file := writeObjs(t, objs)
	var p jsonPlan
	out := wavec(t, "plan", "-o", "json", "-n", ns, "-f", file)
	if err := json.Unmarshal(out, &p); err != nil {
		t.Fatalf("wavec plan -o json: %v", err)
	}
	var tasks []planTask
	for _, s := range p.Steps {
		for _, j := range s.Tasks {
			gv, _ := schema.ParseGroupVersion(j.APIVersion)
			tasks = append(tasks, planTask{Phase: s.Phase, Wave: s.Wave, Kind: j.Kind, Group: gv.Group, Name: j.Name, GenerateName: j.GenerateName, Hook: j.Hook})
		}
	}
	return tasks
}

// writeObjs writes objs as a YAML stream (JSON documents) to a new file.
func writeObjs(t *testing.T, objs []*unstructured.Unstructured) string {
	t.Helper()
	var b strings.Builder
	for _, o := range objs {
		data, err := json.Marshal(o.Object)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString("---\n")
		b.Write(data)
		b.WriteString("\n")
	}
	f, err := os.CreateTemp(t.TempDir(), "objs-*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(b.String()); err != nil {
		t.Fatal(err)
	}
	return f.Name()
}

// place returns copies of objs in namespace ns, with the Pods of hook fail
// (a key) labelled to fail.
func place(objs []*unstructured.Unstructured, ns, fail string) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, o := range objs {
		o = o.DeepCopy()
		if !engine.ClusterScoped(o.GroupVersionKind().GroupKind()) {
			o.SetNamespace(ns)
		}
		if fail != "" && objKey(o) == fail {
			switch o.GetKind() {
			case "Pod":
				labels := o.GetLabels()
				if labels == nil {
					labels = map[string]string{}
				}
				labels[outcomeLabel] = "fail"
				o.SetLabels(labels)
			case "Job":
				_ = unstructured.SetNestedField(o.Object, "fail", "spec", "template", "metadata", "labels", outcomeLabel)
			}
		}
		out = append(out, o)
	}
	return out
}

func objKey(o *unstructured.Unstructured) string {
	if o.GetName() == "" {
		return o.GetKind() + "/" + o.GetGenerateName() + "*"
	}
	return o.GetKind() + "/" + o.GetName()
}

// prepare creates namespace ns and the volumes its StatefulSets claim,
// and returns what to clean up after the sync.
func prepare(t *testing.T, c *testCluster, objs []*unstructured.Unstructured, ns string) func() {
	t.Helper()
	c.createNamespace(t, ns)
	var claims []*corev1.PersistentVolumeClaim
	for _, o := range objs {
		if o.GetKind() != "StatefulSet" {
			continue
		}
		replicas, found, _ := unstructured.NestedInt64(o.Object, "spec", "replicas")
		if !found {
			replicas = 1
		}
		templates, _, _ := unstructured.NestedSlice(o.Object, "spec", "volumeClaimTemplates")
		for _, tpl := range templates {
			var pvc corev1.PersistentVolumeClaim
			data, _ := json.Marshal(tpl)
			if err := json.Unmarshal(data, &pvc); err != nil {
				t.Fatal(err)
			}
			for i := range replicas {
				claim := pvc.DeepCopy()
				claim.Namespace, claim.Name = ns, fmt.Sprintf("%s-%s-%d", pvc.Name, o.GetName(), i)
				claims = append(claims, claim)
			}
		}
	}
	pvs := c.volumes(t, ns, claims)
	return func() {
		var cleanup []*unstructured.Unstructured
		for _, o := range objs {
			if o.GetNamespace() == "" {
				cleanup = append(cleanup, o)
			}
		}
		for _, name := range pvs {
			pv := &unstructured.Unstructured{}
			pv.SetAPIVersion("v1")
			pv.SetKind("PersistentVolume")
			pv.SetName(name)
			cleanup = append(cleanup, pv)
		}
		if os.Getenv("WAVEC_TEST_KEEP_NAMESPACES") == "" || !t.Failed() {
			_ = c.cs.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{})
		}
		c.deleteAndWait(t, cleanup)
	}
}

// syncWithEngine syncs the case with Argo CD's engine in a new namespace.
func syncWithEngine(t *testing.T, c *testCluster, eng *engine.Cluster, bc behaviourCase, id int) side {
	t.Helper()
	ns := fmt.Sprintf("conformance-%d-argocd", id)
	objs := place(bc.objs, ns, bc.fail)
	cleanup := prepare(t, c, objs, ns)
	defer cleanup()
	offset := c.auditSize(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	res, err := eng.Sync(ctx, ns, objs, engine.Options{Namespace: ns, Revision: revision, StartedAt: time.Now()}, 100*time.Millisecond)
	if err != nil {
		t.Fatalf("Argo CD's engine: %v", err)
	}
	s := observe(t, c, objs, ns, offset)
	s.phase = res.Phase
	s.detail = fmt.Sprintf("%s after %d reconciles: %s %q", res.Phase, res.Reconciles, res.Message, res.Failures)
	return s
}

// syncWithWavec syncs the case with `wavec run` in a new namespace.
func syncWithWavec(t *testing.T, c *testCluster, bc behaviourCase, id int) side {
	t.Helper()
	ns := fmt.Sprintf("conformance-%d-wavec", id)
	objs := place(bc.objs, ns, bc.fail)
	cleanup := prepare(t, c, objs, ns)
	defer cleanup()
	file := writeObjs(t, objs)
	offset := c.auditSize(t)
	cmd := exec.Command(wavecBin, "run", "-f", file, "-n", ns, "--name", "conformance",
		"--kubeconfig", c.kubeconfig, "--step-timeout", "2m", "--color", "never",
		// Argo CD's behaviour where wavec differs on purpose (semantics.md,
		// "The last step is waited for").
		"--no-wait-last")
	out, err := cmd.CombinedOutput()
	s := observe(t, c, objs, ns, offset)
	s.phase = "Succeeded"
	if err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			t.Fatalf("wavec run: %v", err)
		}
		s.phase = "Failed"
	}
	s.detail = fmt.Sprintf("%s:\n%s", s.phase, out)
	return s
}

// observe reads what a sync of objs in namespace ns did: its writes after
// offset in the audit log, as steps of the plan, and the hooks left.
func observe(t *testing.T, c *testCluster, objs []*unstructured.Unstructured, ns string, offset int64) side {
	t.Helper()
	tasks := planOf(t, objs, ns)
	type stepKey struct {
		phase string
		wave  int
	}
	var steps []stepKey
	stepOf := map[string][]int{} // key -> indexes of the steps holding it
	for _, task := range tasks {
		sk := stepKey{task.Phase, task.Wave}
		if len(steps) == 0 || steps[len(steps)-1] != sk {
			steps = append(steps, sk)
		}
		stepOf[task.key()] = append(stepOf[task.key()], len(steps)-1)
	}
	mapper := c.mapper(t)
	s := side{}
	type block struct {
		label string
		keys  []string
	}
	var blocks []block
	cur := 0
	for _, w := range c.writes(t, offset) {
		if w.Namespace != ns && w.Namespace != "" {
			continue
		}
		gvk, err := mapper.KindFor(schema.GroupVersionResource{Group: w.Group, Resource: w.Resource})
		if err != nil {
			continue
		}
		key, ok := matchKey(gvk.Kind, w.Name, stepOf)
		if !ok {
			continue
		}
		label := "delete"
		if w.Verb != "delete" {
			idx := stepOf[key][0]
			for _, i := range stepOf[key] {
				if i >= cur {
					idx = i
					break
				}
			}
			cur = idx
			label = fmt.Sprintf("%s %d", steps[idx].phase, steps[idx].wave)
			if steps[idx].phase == "SyncFail" {
				s.syncFail = true
			}
		}
		if n := len(blocks); n > 0 && blocks[n-1].label == label {
			if !slices.Contains(blocks[n-1].keys, key) {
				blocks[n-1].keys = append(blocks[n-1].keys, key)
			}
			continue
		}
		blocks = append(blocks, block{label, []string{key}})
	}
	for _, b := range blocks {
		slices.Sort(b.keys)
		s.trace = append(s.trace, b.label+": "+strings.Join(b.keys, ", "))
	}
	s.remaining = remainingHooks(t, c, mapper, tasks, ns)
	return s
}

// matchKey finds the plan key of an object of kind named name: its own
// name, or the generateName of a hook it was named from.
func matchKey(kind, name string, stepOf map[string][]int) (string, bool) {
	if _, ok := stepOf[kind+"/"+name]; ok {
		return kind + "/" + name, true
	}
	for k := range stepOf {
		prefix, ok := strings.CutSuffix(k, "*")
		if ok && strings.HasPrefix(k, kind+"/") && strings.HasPrefix(kind+"/"+name, prefix) {
			return k, true
		}
	}
	return "", false
}

// remainingHooks lists the hooks of tasks that exist in ns and are not
// being deleted.
func remainingHooks(t *testing.T, c *testCluster, mapper meta.RESTMapper, tasks []planTask, ns string) []string {
	t.Helper()
	var out []string
	for _, task := range tasks {
		if !task.Hook || slices.Contains(out, task.key()) {
			continue
		}
		m, err := mapper.RESTMapping(schema.GroupKind{Group: task.Group, Kind: task.Kind})
		if err != nil {
			t.Fatalf("%s: %v", task.key(), err)
		}
		var ri dynamic.ResourceInterface = c.dyn.Resource(m.Resource)
		if m.Scope.Name() == meta.RESTScopeNameNamespace {
			ri = c.dyn.Resource(m.Resource).Namespace(ns)
		}
		list, err := ri.List(context.Background(), metav1.ListOptions{})
		if err != nil {
			t.Fatalf("listing %s: %v", m.Resource.Resource, err)
		}
		for _, o := range list.Items {
			if o.GetDeletionTimestamp() != nil {
				continue
			}
			if (task.Name != "" && o.GetName() == task.Name) || (task.Name == "" && strings.HasPrefix(o.GetName(), task.GenerateName)) {
				out = append(out, task.key())
				break
			}
		}
	}
	slices.Sort(out)
	return out
}
