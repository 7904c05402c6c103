//go:build linux

package reliability

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"

	"github.com/wavec/wavec/compiler"
	"github.com/wavec/wavec/runtime/progress"
	"github.com/wavec/wavec/testcluster"
)

// kenv is a test's cluster, kubeconfig and namespace.
type kenv struct {
	t          *testing.T
	kubeconfig string
	ns         string
	cfg        *rest.Config
	cs         kubernetes.Interface
	// auditLog is the cluster's audit log.
	auditLog string
}

// newKenv connects to the shared test cluster (skipping the test without
// one) and creates a namespace for the test.
func newKenv(t *testing.T) *kenv {
	t.Helper()
	cfg := testcluster.Config(t)
	path, err := testcluster.KubeconfigPath()
	if err != nil {
		t.Fatal(err)
	}
	k := &kenv{t: t, kubeconfig: path, cfg: cfg, cs: kubernetes.NewForConfigOrDie(cfg), auditLog: testcluster.AuditLogPath(t)}
	k.ns = testcluster.Namespace(t)
	return k
}

// wavec runs wavec against the cluster.
func (k *kenv) wavec(args ...string) result {
	k.t.Helper()
	return wavec(k.t, invocation{args: k.args(args), timeout: 5 * time.Minute})
}

// args adds the kubeconfig, and for -f input the test's namespace (the
// pipeline's inventory goes there; without -n it would go to the
// context's namespace, shared by every test).
func (k *kenv) args(args []string) []string {
	args = append(slices.Clone(args), "--kubeconfig", k.kubeconfig)
	if slices.Contains(args, "-f") && !slices.Contains(args, "-n") {
		args = append(args, "-n", k.ns)
	}
	return args
}

// secret creates a Secret in the test's namespace.
func (k *kenv) secret(name string, data map[string]string) {
	k.t.Helper()
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name}, StringData: data}
	if _, err := k.cs.CoreV1().Secrets(k.ns).Create(context.Background(), s, metav1.CreateOptions{}); err != nil {
		k.t.Fatal(err)
	}
}

// agentPipeline copies the reference example into a directory of its own
// with its namespace replaced by ns, and returns the directory.
func agentPipeline(t testing.TB, ns string) string {
	t.Helper()
	src, err := os.ReadFile("../examples/agent/agent.wave")
	if err != nil {
		t.Fatal(err)
	}
	out := strings.Replace(string(src), "pipeline agent in agents", "pipeline agent in "+ns, 1)
	if out == string(src) {
		t.Fatal("examples/agent/agent.wave has no header `pipeline agent in agents`")
	}
	dir := filepath.Join(t.TempDir(), "agent")
	writeFile(t, dir, "agent.wave", []byte(out))
	return dir
}

// agentObjects compiles the reference example for namespace ns.
func agentObjects(t testing.TB, ns string) []*unstructured.Unstructured {
	t.Helper()
	res, diags := compiler.Compile([]string{agentPipeline(t, ns)}, nil)
	if diags.HasErrors() {
		t.Fatalf("examples/agent: %v", diags)
	}
	return res.Objects()
}

// find returns the object of kind and name.
func find(t testing.TB, objs []*unstructured.Unstructured, kind, name string) *unstructured.Unstructured {
	t.Helper()
	for _, o := range objs {
		if o.GetKind() == kind && o.GetName() == name {
			return o
		}
	}
	t.Fatalf("no %s/%s", kind, name)
	return nil
}

// podMeta sets an annotation (label when label is set) on the Pod template
// of a workload.
func podMeta(t testing.TB, o *unstructured.Unstructured, label bool, key, value string) {
	t.Helper()
	field := "annotations"
	if label {
		field = "labels"
	}
	path := []string{"spec", "template", "metadata", field}
	m, _, _ := unstructured.NestedStringMap(o.Object, path...)
	if m == nil {
		m = map[string]string{}
	}
	m[key] = value
	if err := unstructured.SetNestedStringMap(o.Object, m, path...); err != nil {
		t.Fatal(err)
	}
}

// writeYAML writes objects as one YAML stream and returns its path.
func writeYAML(t testing.TB, objs []*unstructured.Unstructured) string {
	t.Helper()
	var b bytes.Buffer
	for _, o := range objs {
		y, err := yaml.Marshal(o.Object)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString("---\n")
		b.Write(y)
	}
	return writeFile(t, t.TempDir(), "agent.yaml", b.Bytes())
}

// proc is a wavec process started with -o json, whose events are read as
// they come.
type proc struct {
	cmd    *exec.Cmd
	stderr bytes.Buffer
	events chan progress.Event
	mu     sync.Mutex
	all    []progress.Event
	done   chan struct{}
	start  time.Time
	end    time.Time
}

// start starts wavec with -o json.
func (k *kenv) start(args ...string) *proc {
	k.t.Helper()
	return startWavec(k.t, append(k.args(args), "-o", "json"))
}

func startWavec(t testing.TB, args []string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(wavecBin, args...), events: make(chan progress.Event, 1024), done: make(chan struct{})}
	p.cmd.Stderr = &p.stderr
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.start = time.Now()
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(p.done)
		defer close(p.events)
		sc := bufio.NewScanner(out)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var ev progress.Event
			if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
				ev = progress.Event{Type: "unparsed", Message: sc.Text()}
			}
			p.mu.Lock()
			p.all = append(p.all, ev)
			p.mu.Unlock()
			p.events <- ev
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			p.wait(t)
		}
	})
	return p
}

// until reads events until match returns true, failing the test after
// timeout or when wavec ends first.
func (p *proc) until(t testing.TB, timeout time.Duration, what string, match func(progress.Event) bool) progress.Event {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case ev, ok := <-p.events:
			if !ok {
				t.Fatalf("wavec ended before %s; stderr:\n%s\nevents:\n%s", what, p.stderr.String(), p.dump())
			}
			if match(ev) {
				return ev
			}
		case <-deadline:
			t.Fatalf("no %s within %s; events:\n%s", what, timeout, p.dump())
		}
	}
}

// wait waits for the process to end and returns its exit code.
func (p *proc) wait(t testing.TB) int {
	t.Helper()
	go func() {
		for range p.events {
		}
	}()
	<-p.done
	_ = p.cmd.Wait()
	p.end = time.Now()
	return p.cmd.ProcessState.ExitCode()
}

// dump returns the events read so far, one JSON line each.
func (p *proc) dump() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var b strings.Builder
	for _, ev := range p.all {
		j, _ := json.Marshal(ev)
		b.Write(j)
		b.WriteByte('\n')
	}
	return b.String()
}

// saw reports whether any event read so far matches.
func (p *proc) saw(match func(progress.Event) bool) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.ContainsFunc(p.all, match)
}

// last returns the SyncDone event, or the zero Event.
func (p *proc) last() progress.Event {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := len(p.all) - 1; i >= 0; i-- {
		if p.all[i].Type == progress.SyncDone {
			return p.all[i]
		}
	}
	return progress.Event{}
}

// applied matches the Applied event of kind/name.
func applied(object string) func(progress.Event) bool {
	return func(ev progress.Event) bool { return ev.Type == progress.Applied && ev.Object == object }
}

// hookCreates counts, per "resource/name", the objects that the audit log
// shows created in namespace ns between from and to (a server-side apply
// that creates answers 201, like a create; dry runs do not count).
func hookCreates(t testing.TB, auditLog, ns string, from, to time.Time) map[string]int {
	t.Helper()
	f, err := os.Open(auditLog)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		var e struct {
			Stage     string
			Verb      string
			ObjectRef *struct {
				Resource, Namespace, Name, Subresource string
			}
			ResponseStatus *struct{ Code int }
			RequestURI     string
			Received       time.Time `json:"requestReceivedTimestamp"`
		}
		if json.Unmarshal(sc.Bytes(), &e) != nil || e.Stage != "ResponseComplete" || e.ObjectRef == nil || e.ResponseStatus == nil {
			continue
		}
		r := e.ObjectRef
		if r.Namespace != ns || r.Subresource != "" || e.ResponseStatus.Code != 201 || e.Received.Before(from) || e.Received.After(to) ||
			strings.Contains(e.RequestURI, "dryRun=") {
			continue
		}
		if e.Verb == "create" || e.Verb == "patch" {
			out[r.Resource+"/"+r.Name]++
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// lastStatusWrite returns when the audit log last shows the status of
// resource/name in namespace ns written before t, or the zero time.
func lastStatusWrite(tb testing.TB, auditLog, ns, resource, name string, before time.Time) time.Time {
	tb.Helper()
	data, err := os.ReadFile(auditLog)
	if err != nil {
		tb.Fatal(err)
	}
	var last time.Time
	for _, line := range bytes.Split(data, []byte("\n")) {
		var e struct {
			Stage     string
			ObjectRef *struct {
				Resource, Namespace, Name, Subresource string
			}
			Received time.Time `json:"requestReceivedTimestamp"`
		}
		if json.Unmarshal(line, &e) != nil || e.Stage != "ResponseComplete" || e.ObjectRef == nil {
			continue
		}
		r := e.ObjectRef
		if r.Namespace == ns && r.Resource == resource && r.Name == name && r.Subresource == "status" && e.Received.Before(before) && e.Received.After(last) {
			last = e.Received
		}
	}
	return last
}

// state describes what matters of a namespace for comparing the outcome of
// two syncs: every ConfigMap (data), Secret (keys), Deployment (replicas,
// images, available replicas), Service (ports) and Job (whether it
// completed, failed or is still running), by "Kind/name". Names of
// namespaces are replaced by NS.
func (k *kenv) state(ns string) map[string]string {
	k.t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	norm := func(s string) string { return strings.ReplaceAll(s, ns, "NS") }
	cms, err := k.cs.CoreV1().ConfigMaps(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		k.t.Fatal(err)
	}
	for _, c := range cms.Items {
		if c.Name == "kube-root-ca.crt" {
			continue
		}
		j, _ := json.Marshal(c.Data)
		out["ConfigMap/"+c.Name] = norm(string(j))
	}
	ss, err := k.cs.CoreV1().Secrets(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		k.t.Fatal(err)
	}
	for _, s := range ss.Items {
		var keys []string
		for key := range s.Data {
			keys = append(keys, key)
		}
		sort.Strings(keys)
		out["Secret/"+s.Name] = strings.Join(keys, ",")
	}
	ds, err := k.cs.AppsV1().Deployments(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		k.t.Fatal(err)
	}
	for _, d := range ds.Items {
		var images []string
		for _, c := range d.Spec.Template.Spec.Containers {
			images = append(images, c.Image)
		}
		out["Deployment/"+d.Name] = fmt.Sprintf("replicas=%d images=%v available=%d", *d.Spec.Replicas, images, d.Status.AvailableReplicas)
	}
	svcs, err := k.cs.CoreV1().Services(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		k.t.Fatal(err)
	}
	for _, s := range svcs.Items {
		var ports []string
		for _, p := range s.Spec.Ports {
			ports = append(ports, fmt.Sprintf("%s:%d->%s", p.Name, p.Port, p.TargetPort.String()))
		}
		out["Service/"+s.Name] = strings.Join(ports, ",")
	}
	jobs, err := k.cs.BatchV1().Jobs(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		k.t.Fatal(err)
	}
	for _, j := range jobs.Items {
		st := "running"
		for _, c := range j.Status.Conditions {
			if c.Status == corev1.ConditionTrue && (c.Type == "Complete" || c.Type == "Failed") {
				st = string(c.Type)
			}
		}
		if j.DeletionTimestamp != nil {
			st += ",terminating"
		}
		out["Job/"+j.Name] = st
	}
	return out
}

// diffState returns the differences between two states, one per line.
func diffState(want, got map[string]string) string {
	var keys []string
	for k := range want {
		keys = append(keys, k)
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	keys = slices.Compact(keys)
	var b strings.Builder
	for _, k := range keys {
		w, wok := want[k]
		g, gok := got[k]
		switch {
		case !gok:
			fmt.Fprintf(&b, "missing %s (%s)\n", k, w)
		case !wok:
			fmt.Fprintf(&b, "extra %s (%s)\n", k, g)
		case w != g:
			fmt.Fprintf(&b, "%s: %s, want %s\n", k, g, w)
		}
	}
	return b.String()
}

// signal sends sig to the process.
func (p *proc) signal(t testing.TB, sig syscall.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
}
