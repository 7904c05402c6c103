package importer

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/restmapper"
	"sigs.k8s.io/yaml"

	"github.com/wavec/wavec/bench/gen"
	"github.com/wavec/wavec/compiler"
	"github.com/wavec/wavec/runtime/manifest"
	"github.com/wavec/wavec/testcluster"
)

// dryRunner applies objects to the test cluster in a server-side dry run.
type dryRunner struct {
	dyn    dynamic.Interface
	mapper meta.RESTMapper
	ns     string
}

// apply server-side applies u (in the runner's namespace when it is
// namespaced) in a dry run and returns what the API server answers: the
// object as it would be stored, or the error; served is false when the
// server does not serve the kind (a custom resource of a CRD the input
// declares itself).
func (r *dryRunner) apply(ctx context.Context, u *unstructured.Unstructured) (out *unstructured.Unstructured, served bool, err error) {
	u = u.DeepCopy()
	gvk := u.GroupVersionKind()
	mapping, err := r.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return nil, false, nil
	}
	var ri dynamic.ResourceInterface = r.dyn.Resource(mapping.Resource)
	if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
		u.SetNamespace(r.ns)
		ri = r.dyn.Resource(mapping.Resource).Namespace(r.ns)
	} else {
		u.SetNamespace("")
	}
	if u.GetName() == "" {
		// A hook named by generateName: the API server names it on
		// create; apply needs a name.
		out, err = ri.Create(ctx, u, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}, FieldManager: "wavec-import-test"})
		return out, true, err
	}
	body, err := yaml.Marshal(u.Object)
	if err != nil {
		return nil, true, err
	}
	force := true
	out, err = ri.Patch(ctx, u.GetName(), types.ApplyYAMLPatchType, body, metav1.PatchOptions{DryRun: []string{metav1.DryRunAll}, FieldManager: "wavec-import-test", Force: &force})
	return out, true, err
}

// serverFields removes what the API server sets for each object anew: its
// identity, times and managed fields, and a generated name.
func serverFields(u *unstructured.Unstructured) map[string]any {
	c := u.DeepCopy().Object
	md := nested(c, "metadata")
	// The object's UID, also where the server copies it (a Job's
	// selector and Pod template labels).
	// So is a generated name, and the suffix the ServiceAccount admission
	// plugin gives the token volume of a Pod.
	uid, _ := md["uid"].(string)
	generated := ""
	if md["generateName"] != nil {
		generated, _ = md["name"].(string)
	}
	c = replaceStrings(c, func(s string) string {
		switch {
		case s == uid && uid != "":
			return "UID"
		case s == generated && generated != "":
			return "GENERATED"
		}
		return tokenVolume.ReplaceAllString(s, "kube-api-access-*")
	}).(map[string]any)
	md = nested(c, "metadata")
	for _, k := range []string{"uid", "resourceVersion", "creationTimestamp", "managedFields", "generation", "selfLink"} {
		delete(md, k)
	}
	// The API server gives a Job without labels its Pod template's labels
	// (batch/v1 defaulting); a built Job always has wavec's labels, so
	// the copied ones are not compared.
	if c["kind"] == "Job" {
		labels, _ := md["labels"].(map[string]any)
		tl, _ := nested(nested(nested(c, "spec"), "template"), "metadata")["labels"].(map[string]any)
		for k, v := range labels {
			if tl[k] == v && (k == "controller-uid" || k == "job-name" || strings.HasPrefix(k, "batch.kubernetes.io/")) {
				delete(labels, k)
			}
		}
		if len(labels) == 0 {
			delete(md, "labels")
		}
	}
	return c
}

// generatedName matches a name the API server generated from a
// generateName, in an error message.
var generatedName = regexp.MustCompile(`"([a-z0-9.-]*-)[a-z0-9]{5}"`)

// sameOnServer checks the first contract on the test cluster: each input
// object and the object the import builds, server-side applied in a dry
// run, give the same object (after removing wavec's labels and the
// ordering annotations, as Equal does), or the same error. It returns how
// many objects were compared.
func sameOnServer(t *testing.T, r *dryRunner, label string, objs []manifest.Object) int {
	t.Helper()
	res, problems := Import(objs, Options{})
	if res == nil {
		if !hasErrors(problems) {
			t.Errorf("%s: no pipeline and no error", label)
		}
		return 0
	}
	built, diags := compiler.CompileSource("import.wave", res.Source, nil)
	if diags.HasErrors() {
		t.Fatalf("%s: the import does not compile: %v", label, diags)
	}
	got, err := manifest.LoadReader(bytes.NewReader(built.YAML()), "built")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	compared := 0
	for _, w := range objs {
		var g *manifest.Object
		for i := range got {
			x := got[i]
			if x.GetKind() == w.GetKind() && x.GetName() == w.GetName() && x.GetGenerateName() == w.GetGenerateName() && Equal(cleanObject(w.Unstructured), x.Object, res.Namespace) {
				g = &got[i]
				break
			}
		}
		if g == nil {
			t.Errorf("%s: %s is not built", label, w.Ref())
			continue
		}
		a, served, errA := r.apply(ctx, w.Unstructured)
		if !served {
			continue
		}
		b, _, errB := r.apply(ctx, g.Unstructured)
		switch {
		case errA != nil || errB != nil:
			ea := generatedName.ReplaceAllString(fmt.Sprint(errA), `"$1*"`)
			eb := generatedName.ReplaceAllString(fmt.Sprint(errB), `"$1*"`)
			if ea != eb {
				t.Errorf("%s: %s: the API server answers the input with %v and the import's build with %v", label, w.Ref(), errA, errB)
			}
		case !Equal(serverFields(a), serverFields(b), r.ns):
			ya, _ := yaml.Marshal(comparable(serverFields(a)))
			yb, _ := yaml.Marshal(comparable(serverFields(b)))
			t.Errorf("%s: %s: the API server stores other objects:\ninput:\n%s\nimport's build:\n%s", label, w.Ref(), ya, yb)
		}
		compared++
	}
	return compared
}

// TestServerDryRun checks the first contract on the test cluster: the
// input and the build of its import, both applied server-side in a dry
// run, give the same objects. Inputs: the examples' built output, the
// benchmark generator's release, every peer example file that imports and
// the rendered public applications. Skipped without a cluster (failed when
// it is required).
func TestServerDryRun(t *testing.T) {
	cfg := testcluster.Config(t)
	ns := testcluster.Namespace(t)
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := &dryRunner{dyn: dyn, mapper: restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc)), ns: ns}

	total := 0
	t.Run("examples", func(t *testing.T) {
		dirs, err := filepath.Glob("../examples/*")
		if err != nil || len(dirs) == 0 {
			t.Fatalf("no examples: %v", err)
		}
		for _, dir := range dirs {
			res, diags := compiler.Compile([]string{dir}, nil)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			total += sameOnServer(t, r, dir, load(t, res.YAML(), dir))
		}
	})
	t.Run("bench", func(t *testing.T) {
		dir := t.TempDir()
		if err := gen.WriteKustomize(dir, gen.Options{Size: gen.Size{Resources: 100, Waves: 10}}); err != nil {
			t.Fatal(err)
		}
		files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
		var paths []string
		for _, f := range files {
			if filepath.Base(f) != "kustomization.yaml" {
				paths = append(paths, f)
			}
		}
		objs, err := manifest.Load(paths, nil)
		if err != nil {
			t.Fatal(err)
		}
		total += sameOnServer(t, r, "bench", objs)
	})
	t.Run("peer-examples", func(t *testing.T) {
		if _, err := os.Stat(peerRoot); err != nil {
			t.Skip("no peer examples beside the repository")
		}
		filepath.WalkDir(peerRoot, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
				if objs, err := manifest.Load([]string{p}, nil); err == nil && len(objs) > 0 {
					total += sameOnServer(t, r, p, objs)
				}
			}
			return nil
		})
	})
	for _, app := range renderedApps {
		t.Run(app.name, func(t *testing.T) {
			out := app.render(t)
			total += sameOnServer(t, r, app.name, load(t, out, app.name+".yaml"))
		})
	}
	t.Logf("%d objects compared on the API server", total)
	if total < 100 {
		t.Errorf("only %d objects compared", total)
	}
}

// replaceStrings returns v with every string s replaced by f(s).
func replaceStrings(v any, f func(string) string) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = replaceStrings(e, f)
		}
	case []any:
		for i, e := range x {
			x[i] = replaceStrings(e, f)
		}
	case string:
		return f(x)
	}
	return v
}

// tokenVolume is the name of the service account token volume that
// admission adds to a Pod, with its random suffix.
var tokenVolume = regexp.MustCompile(`^kube-api-access-[a-z0-9]{5}$`)
