package conformance_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/klog/v2"

	"github.com/wavec/wavec/conformance/engine"
)

// wavecBin is the wavec command built from the repository this module is
// part of (see TestMain).
var wavecBin string

func TestMain(m *testing.M) {
	quietKlog()
	dir, err := os.MkdirTemp("", "wavec-conformance-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	wavecBin = filepath.Join(dir, "wavec")
	build := exec.Command("go", "build", "-o", wavecBin, "./cmd/wavec")
	build.Dir = ".."
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building wavec:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// The revision and start time of every sync the tests compare: Argo CD
// names hooks that have a generateName from both.
const (
	revision  = "abcdef0123456789"
	startUnix = 1700000000
)

func engineOptions(namespace string, createNamespace bool) engine.Options {
	return engine.Options{
		Namespace:       namespace,
		CreateNamespace: createNamespace,
		Revision:        revision,
		StartedAt:       time.Unix(startUnix, 0),
	}
}

// wavec runs the wavec command and returns its standard output, failing
// the test when it exits non-zero.
func wavec(t testing.TB, args ...string) []byte {
	t.Helper()
	out, err := runWavec(args...)
	if err != nil {
		t.Fatalf("wavec %s: %v", strings.Join(args, " "), err)
	}
	return out
}

func runWavec(args ...string) ([]byte, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(wavecBin, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.Bytes(), fmt.Errorf("%v\n%s", err, stderr.String())
	}
	return stdout.Bytes(), nil
}

// jsonPlan is the part of `wavec plan -o json` compared here.
type jsonPlan struct {
	Steps []struct {
		Phase  string `json:"phase"`
		Wave   int    `json:"wave"`
		Action string `json:"action"`
		Tasks  []struct {
			APIVersion   string `json:"apiVersion"`
			Kind         string `json:"kind"`
			Namespace    string `json:"namespace"`
			Name         string `json:"name"`
			GenerateName string `json:"generateName"`
			Hook         bool   `json:"hook"`
		} `json:"tasks"`
	} `json:"steps"`
}

// planTasks reads `wavec plan -o json` output as engine tasks: namespaces
// as the engine sets them for destination namespace ns, and hooks named
// by generateName given the name Argo CD gives them (Argo CD names no
// other object: one with only a generateName has the name "").
func planTasks(t testing.TB, out []byte, ns string) []engine.Task {
	t.Helper()
	var p jsonPlan
	if err := json.Unmarshal(out, &p); err != nil {
		t.Fatalf("reading wavec plan -o json: %v\n%s", err, out)
	}
	var tasks []engine.Task
	for _, s := range p.Steps {
		for _, j := range s.Tasks {
			gv, err := schema.ParseGroupVersion(j.APIVersion)
			if err != nil {
				t.Fatalf("task %s/%s: %v", j.Kind, j.Name, err)
			}
			task := engine.Task{Phase: s.Phase, Wave: s.Wave, Hook: j.Hook, Group: gv.Group, Kind: j.Kind, Namespace: j.Namespace, Name: j.Name}
			switch {
			case engine.ClusterScoped(schema.GroupKind{Group: gv.Group, Kind: j.Kind}):
				task.Namespace = ""
			case task.Namespace == "":
				task.Namespace = ns
			}
			if task.Name == "" && j.Hook {
				task.Name = j.GenerateName + strings.ToLower(fmt.Sprintf("%s-%s-%d", revision[:7], s.Phase, startUnix))
			}
			tasks = append(tasks, task)
		}
	}
	return tasks
}

// quietKlog drops what client-go logs through klog: the engine's cluster
// cache logs every watch it ends when the test closes it.
func quietKlog() {
	fs := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(fs)
	_ = fs.Set("logtostderr", "false")
	_ = fs.Set("alsologtostderr", "false")
	_ = fs.Set("stderrthreshold", "FATAL")
	klog.SetOutput(io.Discard)
}
