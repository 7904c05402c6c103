// Package gen writes one benchmark release three ways: as a .wave pipeline,
// as a Helm chart and as Argo CD-annotated YAML with a kustomization.yaml.
// The three inputs describe the same objects, in the same sync waves and with
// the same hooks, so that wavec and the tools people would use instead can be
// timed on equal work.
//
// A release of size N has N objects: three hooks (a PreSync ConfigMap in wave
// -1, a PreSync migration Job in wave 0 and a PostSync smoke-test Job) and
// N-3 plain resources. The plain resources are applications of three objects
// each (a ConfigMap, a Deployment reading it and a Service in front of the
// Deployment), spread evenly over the release's waves, plus one to two shared
// ConfigMaps in wave 0 that make the count exact.
package gen

import (
	"fmt"
	"sort"
	"strings"
)

// Size is one benchmark size: how many objects, over how many sync waves.
type Size struct {
	Resources int
	Waves     int
}

func (s Size) String() string { return fmt.Sprintf("%d/%d", s.Resources, s.Waves) }

// Sizes are the sizes the benchmarks run: 100 objects in one wave, 1,000 in
// ten and 5,000 in fifty.
var Sizes = []Size{{100, 1}, {1000, 10}, {5000, 50}}

// Options select what to generate.
type Options struct {
	Size
	// Namespace is where every object goes.
	Namespace string
	// Image is the application image of the Deployments and the migration.
	Image string
}

// Defaults for Options fields left empty.
const (
	DefaultNamespace = "bench"
	DefaultImage     = "ghcr.io/acme/shop:1.4.2"
	// Pipeline is the pipeline's name, the chart's name and the
	// app.kubernetes.io/part-of label of every object.
	Pipeline = "shop"
	// SmokeImage is the image of the PostSync smoke test.
	SmokeImage = "curlimages/curl:8.11.0"
	// hooks is the number of hook objects in every release.
	hooks = 3
	// MinResources is the smallest size that holds the hooks and one
	// application.
	MinResources = hooks + 3
)

func (o Options) withDefaults() Options {
	if o.Namespace == "" {
		o.Namespace = DefaultNamespace
	}
	if o.Image == "" {
		o.Image = DefaultImage
	}
	return o
}

func (o Options) validate() error {
	if o.Resources < MinResources {
		return fmt.Errorf("gen: %d resources: need at least %d", o.Resources, MinResources)
	}
	if o.Waves < 1 {
		return fmt.Errorf("gen: %d waves: need at least 1", o.Waves)
	}
	if apps := (o.Resources - hooks) / 3; o.Waves > apps {
		return fmt.Errorf("gen: %d waves for %d applications: every wave needs one", o.Waves, apps)
	}
	return nil
}

// Phases of Argo CD that the release uses; "Sync" is the phase of plain
// resources.
const (
	PreSync  = "PreSync"
	Sync     = "Sync"
	PostSync = "PostSync"
)

// Delete policies, in Argo CD's words.
const (
	BeforeHookCreation = "BeforeHookCreation"
	HookSucceeded      = "HookSucceeded"
)

// Object is what the equivalence check compares: identity, phase, wave and
// delete policy of one object, the way Argo CD reads them.
type Object struct {
	Kind, Namespace, Name string
	// Phase is Sync for plain resources, else the hook's phase.
	Phase string
	Wave  int
	// DeletePolicy is the comma-joined, sorted delete policy of a hook,
	// empty for plain resources.
	DeletePolicy string
}

func (o Object) String() string {
	s := fmt.Sprintf("%s %s/%s %s wave %d", o.Kind, o.Namespace, o.Name, o.Phase, o.Wave)
	if o.DeletePolicy != "" {
		s += " delete " + o.DeletePolicy
	}
	return s
}

// Step is one (phase, wave) step of the sync and its objects in the order
// they are written.
type Step struct {
	Phase   string
	Wave    int
	Objects []*object
}

// FileName is the base name (without extension) of the files that hold the
// step's objects in the Helm chart and the YAML tree: lexical order is sync
// order, which is what the kubectl loop relies on.
func (s Step) FileName(index int) string {
	return fmt.Sprintf("s%03d-%s-wave%d", index, strings.ToLower(s.Phase), s.Wave)
}

// object is one generated object; app is the application it belongs to.
type object struct {
	kind  string
	name  string
	app   string
	phase string
	wave  int
	// deletePolicy is Argo CD's policy of a hook, comma-joined and sorted
	// ("" for the default).
	deletePolicy string
}

// release is the model all three writers render.
type release struct {
	opts  Options
	steps []Step
	// apps are the applications in order; shared are the shared ConfigMaps.
	apps   []string
	shared []string
}

// AppName is the name of application i: its ConfigMap is AppName(i)+"-config".
func AppName(i int) string { return fmt.Sprintf("app-%04d", i) }

func build(o Options) (*release, error) {
	o = o.withDefaults()
	if err := o.validate(); err != nil {
		return nil, err
	}
	r := &release{opts: o}
	plain := o.Resources - hooks
	napps := plain / 3
	for i := range plain % 3 {
		r.shared = append(r.shared, fmt.Sprintf("shared-config-%d", i))
	}
	r.steps = append(r.steps,
		Step{Phase: PreSync, Wave: -1, Objects: []*object{{kind: "ConfigMap", name: "migrate-config", phase: PreSync, wave: -1}}},
		Step{Phase: PreSync, Wave: 0, Objects: []*object{{kind: "Job", name: "migrate", phase: PreSync}}},
	)
	syncSteps := make([]Step, o.Waves)
	for w := range syncSteps {
		syncSteps[w] = Step{Phase: Sync, Wave: w}
	}
	for _, name := range r.shared {
		syncSteps[0].Objects = append(syncSteps[0].Objects, &object{kind: "ConfigMap", name: name, phase: Sync})
	}
	for i := range napps {
		app := AppName(i)
		r.apps = append(r.apps, app)
		w := i * o.Waves / napps
		syncSteps[w].Objects = append(syncSteps[w].Objects,
			&object{kind: "ConfigMap", name: app + "-config", app: app, phase: Sync, wave: w},
			&object{kind: "Deployment", name: app, app: app, phase: Sync, wave: w},
			&object{kind: "Service", name: app, app: app, phase: Sync, wave: w},
		)
	}
	r.steps = append(r.steps, syncSteps...)
	r.steps = append(r.steps, Step{Phase: PostSync, Objects: []*object{{kind: "Job", name: "smoke", phase: PostSync, deletePolicy: BeforeHookCreation + "," + HookSucceeded}}})
	return r, nil
}

// Steps returns the release's sync steps in order.
func Steps(o Options) ([]Step, error) {
	r, err := build(o)
	if err != nil {
		return nil, err
	}
	return r.steps, nil
}

// Expected returns the objects every tool must produce for o, sorted.
func Expected(o Options) ([]Object, error) {
	r, err := build(o)
	if err != nil {
		return nil, err
	}
	var objs []Object
	for _, s := range r.steps {
		for _, ob := range s.Objects {
			obj := Object{Kind: ob.kind, Namespace: r.opts.Namespace, Name: ob.name, Phase: ob.phase, Wave: ob.wave}
			if ob.phase != Sync {
				obj.DeletePolicy = ob.deletePolicy
				if obj.DeletePolicy == "" {
					obj.DeletePolicy = BeforeHookCreation
				}
			}
			objs = append(objs, obj)
		}
	}
	SortObjects(objs)
	return objs, nil
}

// SortObjects sorts objects by kind, namespace and name.
func SortObjects(objs []Object) {
	sort.Slice(objs, func(i, j int) bool {
		a, b := objs[i], objs[j]
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		if a.Namespace != b.Namespace {
			return a.Namespace < b.Namespace
		}
		return a.Name < b.Name
	})
}
