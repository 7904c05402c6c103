package plan

import (
	"fmt"
	"github.com/wavec/wavec/argocd"
	"strings"
	"testing"

	"github.com/wavec/wavec/runtime/manifest"
)

// obj builds one object from a compact description:
//
//	"apiVersion Kind [namespace/]name key=value..."
//
// where a name starting with "~" is a generateName, "%20" in a value is a
// space, and the keys hook,
// wave, delete, options, helm, weight, helmdelete and helmkeep stand for
// the Argo CD and Helm annotations (any other key is an annotation as is).
// Extra YAML for the body may follow a "|" (e.g. "| spec: {group: x}").
func obj(t *testing.T, desc string) manifest.Object {
	t.Helper()
	head, body, _ := strings.Cut(desc, "|")
	f := strings.Fields(head)
	if len(f) < 3 {
		t.Fatalf("bad description %q", desc)
	}
	var y strings.Builder
	fmt.Fprintf(&y, "apiVersion: %s\nkind: %s\nmetadata:\n", f[0], f[1])
	name := f[2]
	if ns, n, ok := strings.Cut(name, "/"); ok {
		fmt.Fprintf(&y, "  namespace: %s\n", ns)
		name = n
	}
	if g, ok := strings.CutPrefix(name, "~"); ok {
		fmt.Fprintf(&y, "  generateName: %s\n", g)
	} else {
		fmt.Fprintf(&y, "  name: %s\n", name)
	}
	keys := map[string]string{
		"hook":       argocd.AnnotationHook,
		"wave":       argocd.AnnotationSyncWave,
		"delete":     argocd.AnnotationDeletePolicy,
		"options":    argocd.AnnotationSyncOptions,
		"helm":       argocd.AnnotationHelmHook,
		"weight":     argocd.AnnotationHelmWeight,
		"helmdelete": argocd.AnnotationHelmDelete,
		"helmkeep":   argocd.AnnotationHelmResource,
	}
	if len(f) > 3 {
		y.WriteString("  annotations:\n")
		for _, kv := range f[3:] {
			k, v, _ := strings.Cut(kv, "=")
			v = strings.ReplaceAll(v, "%20", " ")
			if long, ok := keys[k]; ok {
				k = long
			}
			fmt.Fprintf(&y, "    %s: %q\n", k, v)
		}
	}
	y.WriteString(strings.TrimSpace(body) + "\n")
	objs, err := manifest.LoadReader(strings.NewReader(y.String()), "test.yaml")
	if err != nil {
		t.Fatalf("%s: %v\n%s", desc, err, y.String())
	}
	return objs[0]
}

func objs(t *testing.T, descs ...string) []manifest.Object {
	t.Helper()
	var out []manifest.Object
	for _, d := range descs {
		out = append(out, obj(t, d))
	}
	return out
}

// steps renders a plan compactly, one line per step:
//
//	Phase wave: Kind name, Kind ns/name!
//
// where "!" marks a task the sync waits for and "*" a generateName.
func steps(p *Plan) string {
	var b strings.Builder
	for _, s := range p.Steps {
		b.WriteString(s.Name() + ":")
		for i, t := range s.Tasks {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(" " + t.Kind() + " " + taskLabel(t))
			if t.Gated {
				b.WriteString("!")
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

func warnings(p *Plan) string {
	var b strings.Builder
	for _, w := range p.Warnings {
		b.WriteString(w.String() + "\n")
	}
	return b.String()
}

type planCase struct {
	name string
	in   []string
	opts Options
	want string // steps(plan)
	// warn is the warnings, one per line, when the case checks them.
	warn string
}

func runCases(t *testing.T, cases []planCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			p := ForSync(objs(t, tt.in...), tt.opts)
			if got := steps(p); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
			if tt.warn != "" || len(p.Warnings) > 0 {
				if got := warnings(p); got != tt.warn {
					t.Errorf("warnings: got\n%s\nwant\n%s", got, tt.warn)
				}
			}
		})
	}
}

// TestOrderPhases covers rule 1: PreSync < Sync < PostSync < SyncFail, and
// one task per phase for a hook with several phases.
func TestOrderPhases(t *testing.T) {
	runCases(t, []planCase{
		{
			name: "phases in order whatever the input order",
			in: []string{
				"batch/v1 Job notify hook=SyncFail",
				"batch/v1 Job smoke hook=PostSync",
				"v1 ConfigMap config",
				"batch/v1 Job migrate hook=PreSync",
				"batch/v1 Job during hook=Sync",
			},
			want: "PreSync wave 0: Job migrate!\n" +
				"Sync wave 0: ConfigMap config, Job during!\n" +
				"PostSync wave 0: Job smoke!\n" +
				"SyncFail wave 0: Job notify!\n",
		},
		{
			name: "a hook with two phases is one task in each",
			in: []string{
				"v1 Pod check hook=PreSync,PostSync",
				"v1 ConfigMap config",
			},
			want: "PreSync wave 0: Pod check!\n" +
				"Sync wave 0: ConfigMap config\n" +
				"PostSync wave 0: Pod check!\n",
		},
		{
			name: "hook types listed in any order, repeated or spaced",
			in:   []string{"v1 Pod check hook=PostSync,%20PreSync,PostSync", "v1 ConfigMap c"},
			want: "PreSync wave 0: Pod check!\nSync wave 0: ConfigMap c\nPostSync wave 0: Pod check!\n",
		},
	})
}

// TestOrderWaves covers rule 2: waves ascend within a phase, and hooks take
// part in waves.
func TestOrderWaves(t *testing.T) {
	runCases(t, []planCase{
		{
			name: "waves ascend, negative first, default 0",
			in: []string{
				"v1 ConfigMap c2 wave=2",
				"v1 ConfigMap c0",
				"v1 ConfigMap cm1 wave=-1",
				"v1 ConfigMap c10 wave=10",
			},
			want: "Sync wave -1: ConfigMap cm1\n" +
				"Sync wave 0: ConfigMap c0\n" +
				"Sync wave 2: ConfigMap c2\n" +
				"Sync wave 10: ConfigMap c10\n",
		},
		{
			name: "phase comes before wave",
			in: []string{
				"batch/v1 Job pre hook=PreSync wave=5",
				"v1 ConfigMap early wave=-5",
				"batch/v1 Job post hook=PostSync wave=-10",
			},
			want: "PreSync wave 5: Job pre!\n" +
				"Sync wave -5: ConfigMap early\n" +
				"PostSync wave -10: Job post!\n",
		},
		{
			name: "Sync hooks inside waves, as in argocd-example-apps/sync-waves",
			in: []string{
				"apps/v1 ReplicaSet backend",
				"batch/v1 Job page-up hook=Sync wave=1",
				"apps/v1 ReplicaSet frontend wave=2",
				"batch/v1 Job page-down hook=Sync wave=3",
			},
			want: "Sync wave 0: ReplicaSet backend!\n" +
				"Sync wave 1: Job page-up!\n" +
				"Sync wave 2: ReplicaSet frontend!\n" +
				"Sync wave 3: Job page-down!\n",
		},
		{
			name: "the wave annotation is parsed as an integer: +1 and 007",
			in:   []string{"v1 ConfigMap a wave=+1", "v1 ConfigMap b wave=007"},
			want: "Sync wave 1: ConfigMap a\nSync wave 7: ConfigMap b\n",
		},
	})
}

// TestOrderKinds covers rule 3: the kind list, group ignored, unlisted
// kinds last.
func TestOrderKinds(t *testing.T) {
	kindOrder := argocd.KindOrder()
	// Every listed kind, in reverse, with names that sort the other way.
	var in []string
	var want []string
	for i := len(kindOrder) - 1; i >= 0; i-- {
		in = append(in, fmt.Sprintf("v1 %s n%02d", kindOrder[i], len(kindOrder)-i))
	}
	for i, k := range kindOrder {
		want = append(want, fmt.Sprintf("%s n%02d", k, len(kindOrder)-i))
	}
	p := ForSync(objs(t, in...), Options{})
	var got []string
	for _, task := range p.Tasks() {
		got = append(got, task.Kind()+" "+task.Name())
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("kind order:\ngot  %v\nwant %v", got, want)
	}
	// The list literally as docs/semantics.md gives it.
	const listed = "Namespace, NetworkPolicy, ResourceQuota, LimitRange, PodSecurityPolicy, PodDisruptionBudget, " +
		"ServiceAccount, Secret, SecretList, ConfigMap, StorageClass, PersistentVolume, " +
		"PersistentVolumeClaim, CustomResourceDefinition, ClusterRole, ClusterRoleList, " +
		"ClusterRoleBinding, ClusterRoleBindingList, Role, RoleList, RoleBinding, RoleBindingList, " +
		"Service, DaemonSet, Pod, ReplicationController, ReplicaSet, Deployment, " +
		"HorizontalPodAutoscaler, StatefulSet, Job, CronJob, IngressClass, Ingress, APIService"
	if got := strings.Join(kindOrder, ", "); got != listed {
		t.Errorf("kindOrder differs from docs/semantics.md:\n%s\n%s", got, listed)
	}

	runCases(t, []planCase{
		{
			name: "the release of mission.md in one wave",
			in: []string{
				"networking.k8s.io/v1 Ingress agents/agent",
				"apps/v1 Deployment agents/agent",
				"v1 Service agents/agent",
				"v1 Secret agents/agent-db",
				"v1 ConfigMap agents/agent-config",
				"v1 ServiceAccount agents/agent",
				"rbac.authorization.k8s.io/v1 RoleBinding agents/agent",
				"rbac.authorization.k8s.io/v1 Role agents/agent",
				"v1 PersistentVolumeClaim agents/data",
				"batch/v1 CronJob agents/cleanup",
			},
			// Alone in one step: nothing is waited for.
			want: "Sync wave 0: ServiceAccount agents/agent, Secret agents/agent-db, ConfigMap agents/agent-config, " +
				"PersistentVolumeClaim agents/data, Role agents/agent, RoleBinding agents/agent, Service agents/agent, " +
				"Deployment agents/agent, CronJob agents/cleanup, Ingress agents/agent\n",
		},
		{
			name: "the group is ignored: a Knative Service sorts as a Service",
			in: []string{
				"apps/v1 Deployment web",
				"serving.knative.dev/v1 Service web",
				"v1 ConfigMap web",
			},
			want: "Sync wave 0: ConfigMap web, Service web, Deployment web\n",
		},
		{
			name: "unlisted kinds come last and sort by name only, not by kind",
			in: []string{
				"example.com/v1 Widget a",
				"apiregistration.k8s.io/v1 APIService z",
				"cert-manager.io/v1 Certificate c",
				"cert-manager.io/v1 Issuer b",
				"v1 Namespace zz",
			},
			want: "Sync wave 0: Namespace zz, APIService z, Widget a, Issuer b, Certificate c\n",
		},
	})
}

// TestOrderNames covers rule 4: name ascending, namespace not part of the
// key.
func TestOrderNames(t *testing.T) {
	runCases(t, []planCase{
		{
			name: "names ascend byte-wise",
			in: []string{
				"v1 ConfigMap b",
				"v1 ConfigMap a-2",
				"v1 ConfigMap a",
				"v1 ConfigMap B",
				"v1 ConfigMap a10",
			},
			want: "Sync wave 0: ConfigMap B, ConfigMap a, ConfigMap a-2, ConfigMap a10, ConfigMap b\n",
		},
		{
			name: "the namespace is not part of the key",
			in: []string{
				"v1 ConfigMap aaa/zeta",
				"v1 ConfigMap zzz/alpha",
			},
			want: "Sync wave 0: ConfigMap zzz/alpha, ConfigMap aaa/zeta\n",
		},
		{
			name: "same name in two namespaces: a tie Argo CD leaves open, broken by namespace",
			in: []string{
				"v1 Pod second/my-hook hook=PostSync delete=HookSucceeded",
				"v1 Pod first/my-hook hook=PostSync delete=HookSucceeded",
			},
			want: "PostSync wave 0: Pod first/my-hook!, Pod second/my-hook!\n",
		},
		{
			name: "a generateName hook sorts by its generateName",
			in: []string{
				"batch/v1 Job b-named hook=PreSync",
				"batch/v1 Job ~a-generated- hook=PreSync",
				"batch/v1 Job ~c-generated- hook=PreSync",
			},
			want: "PreSync wave 0: Job a-generated-*!, Job b-named!, Job c-generated-*!\n",
		},
	})
}

func TestOrderGenerateNameWithRevision(t *testing.T) {
	// With the revision known, a generated name is
	// <generateName><revision[:7]>-<phase>-<time>: "x-" + "0abcdef-presync-..."
	// sorts before "x-1", and "x-z" after it.
	in := []string{
		"batch/v1 Job x-1 hook=PreSync",
		"batch/v1 Job ~x- hook=PreSync",
		"batch/v1 Job x-z hook=PreSync",
	}
	p := ForSync(objs(t, in...), Options{Revision: "0abcdef1234"})
	if got, want := steps(p), "PreSync wave 0: Job x-*!, Job x-1!, Job x-z!\n"; got != want {
		t.Errorf("got %s want %s", got, want)
	}
	p = ForSync(objs(t, in...), Options{Revision: "fabcdef1234"})
	if got, want := steps(p), "PreSync wave 0: Job x-1!, Job x-*!, Job x-z!\n"; got != want {
		t.Errorf("got %s want %s", got, want)
	}
}

// TestAdjustNamespaces covers the first adjustment: a Namespace that sorts
// after the first task in it moves just before that task and takes its
// phase and wave.
func TestAdjustNamespaces(t *testing.T) {
	runCases(t, []planCase{
		{
			name: "a PreSync hook in the namespace pulls the Namespace into PreSync",
			in: []string{
				"v1 Namespace agents",
				"batch/v1 Job agents/migrate hook=PreSync wave=-1",
				"v1 ConfigMap agents/config",
			},
			want: "PreSync wave -1: Namespace agents, Job agents/migrate!\n" +
				"Sync wave 0: ConfigMap agents/config\n",
			warn: "test.yaml:1: document 1 (Namespace/agents): warning: Namespace/agents is declared in Sync wave 0 but Job/migrate needs it in PreSync wave -1; Argo CD moves it there\n",
		},
		{
			name: "the Namespace lands just before its first user, not at the top of the wave",
			in: []string{
				"v1 Namespace agents wave=2",
				"v1 ConfigMap other/config",
				"v1 Service agents/api",
			},
			want: "Sync wave 0: ConfigMap other/config, Namespace agents, Service agents/api\n",
			warn: "test.yaml:1: document 1 (Namespace/agents): warning: Namespace/agents is declared in Sync wave 2 but Service/api needs it in Sync wave 0; Argo CD moves it there\n",
		},
		{
			name: "a Namespace that already comes first stays",
			in: []string{
				"v1 ConfigMap agents/config wave=1",
				"v1 Namespace agents wave=-1",
			},
			want: "Sync wave -1: Namespace agents\nSync wave 1: ConfigMap agents/config\n",
		},
		{
			name: "objects without a namespace are in the destination namespace",
			in: []string{
				"v1 Namespace agents wave=1",
				"v1 ConfigMap config",
			},
			opts: Options{Namespace: "agents"},
			want: "Sync wave 0: Namespace agents, ConfigMap config\n",
			warn: "test.yaml:1: document 1 (Namespace/agents): warning: Namespace/agents is declared in Sync wave 1 but ConfigMap/config needs it in Sync wave 0; Argo CD moves it there\n",
		},
		{
			name: "without a destination they are in no namespace",
			in: []string{
				"v1 Namespace agents wave=1",
				"v1 ConfigMap config",
			},
			want: "Sync wave 0: ConfigMap config\nSync wave 1: Namespace agents\n",
		},
		{
			name: "a Namespace of another group is not a namespace",
			in: []string{
				"example.com/v1 Namespace agents wave=1",
				"v1 ConfigMap agents/config",
			},
			want: "Sync wave 0: ConfigMap agents/config\nSync wave 1: Namespace agents\n",
		},
		{
			name: "CreateNamespace adds a PreSync Namespace task",
			in: []string{
				"v1 ConfigMap config",
			},
			opts: Options{Namespace: "agents", CreateNamespace: true},
			want: "PreSync wave 0: Namespace agents\nSync wave 0: ConfigMap config\n",
		},
		{
			name: "CreateNamespace adds nothing when the Namespace is among the objects",
			in: []string{
				"v1 Namespace agents",
				"v1 ConfigMap config",
			},
			opts: Options{Namespace: "agents", CreateNamespace: true},
			want: "Sync wave 0: Namespace agents, ConfigMap config\n",
		},
	})
}

const crdBody = "| spec: {group: example.com, names: {kind: Widget, plural: widgets}, scope: Namespaced}"

// TestAdjustCRDs covers the second adjustment: a CRD that sorts after the
// first custom resource of its group and kind moves just before it and
// takes its phase and wave.
func TestAdjustCRDs(t *testing.T) {
	runCases(t, []planCase{
		{
			name: "a CRD in a later wave moves before its first custom resource",
			in: []string{
				"apiextensions.k8s.io/v1 CustomResourceDefinition widgets.example.com wave=3 " + crdBody,
				"example.com/v1 Widget w wave=1",
				"v1 ConfigMap c wave=1",
				"example.com/v1 Widget v wave=2",
			},
			want: "Sync wave 1: ConfigMap c, CustomResourceDefinition widgets.example.com, Widget w\n" +
				"Sync wave 2: Widget v\n",
			warn: "test.yaml:1: document 1 (CustomResourceDefinition/widgets.example.com): warning: CustomResourceDefinition/widgets.example.com is declared in Sync wave 3 but Widget/w needs it in Sync wave 1; Argo CD moves it there\n",
		},
		{
			name: "in the same wave the kind order already puts the CRD first",
			in: []string{
				"example.com/v1 Widget w",
				"apiextensions.k8s.io/v1 CustomResourceDefinition widgets.example.com " + crdBody,
			},
			want: "Sync wave 0: CustomResourceDefinition widgets.example.com, Widget w\n",
		},
		{
			name: "a custom resource of another group does not move the CRD",
			in: []string{
				"apiextensions.k8s.io/v1 CustomResourceDefinition widgets.example.com wave=1 " + crdBody,
				"other.io/v1 Widget w",
			},
			want: "Sync wave 0: Widget w\nSync wave 1: CustomResourceDefinition widgets.example.com\n",
		},
		{
			name: "a custom resource used as a PreSync hook pulls the CRD into PreSync",
			in: []string{
				"apiextensions.k8s.io/v1 CustomResourceDefinition widgets.example.com " + crdBody,
				"example.com/v1 Widget w hook=PreSync",
			},
			want: "PreSync wave 0: CustomResourceDefinition widgets.example.com, Widget w\n",
			warn: "test.yaml:1: document 1 (CustomResourceDefinition/widgets.example.com): warning: CustomResourceDefinition/widgets.example.com is declared in Sync wave 0 but Widget/w needs it in PreSync wave 0; Argo CD moves it there\n",
		},
	})
}

// TestSkipAndUnknownHooks: Skip objects get no task; unknown hook types
// are warned about and the object is neither applied nor tracked.
func TestSkipAndUnknownHooks(t *testing.T) {
	runCases(t, []planCase{
		{
			name: "Skip",
			in:   []string{"v1 ConfigMap skipped hook=Skip", "v1 ConfigMap kept"},
			want: "Sync wave 0: ConfigMap kept\n",
		},
		{
			name: "Skip with another type is not Skip",
			in:   []string{"batch/v1 Job j hook=Skip,PreSync", "v1 ConfigMap kept"},
			want: "PreSync wave 0: Job j!\nSync wave 0: ConfigMap kept\n",
			warn: "test.yaml:6: document 1 (Job/j): warning: hook type Skip has no effect together with other hook types\n",
		},
		{
			name: "unknown hook type",
			in:   []string{"batch/v1 Job j hook=PreSnyc", "v1 ConfigMap kept"},
			want: "Sync wave 0: ConfigMap kept\n",
			warn: "test.yaml:6: document 1 (Job/j): warning: unknown hook type \"PreSnyc\" in argocd.argoproj.io/hook; did you mean PreSync?\n" +
				"test.yaml:6: document 1 (Job/j): warning: it has no hook type Argo CD knows, so Argo CD neither applies nor tracks this object\n",
		},
		{
			name: "hook types are case-sensitive",
			in:   []string{"batch/v1 Job j hook=presync"},
			want: "",
			warn: "test.yaml:6: document 1 (Job/j): warning: unknown hook type \"presync\" in argocd.argoproj.io/hook; did you mean PreSync?\n" +
				"test.yaml:6: document 1 (Job/j): warning: it has no hook type Argo CD knows, so Argo CD neither applies nor tracks this object\n",
		},
		{
			name: "one unknown type beside a known one",
			in:   []string{"batch/v1 Job j hook=PreSync,Later"},
			want: "PreSync wave 0: Job j!\n",
			warn: "test.yaml:6: document 1 (Job/j): warning: unknown hook type \"Later\" in argocd.argoproj.io/hook\n",
		},
		{
			name: "an empty hook annotation",
			in:   []string{"batch/v1 Job j hook="},
			want: "",
			warn: "test.yaml:6: document 1 (Job/j): warning: argocd.argoproj.io/hook is empty, so Argo CD neither applies nor tracks this object\n",
		},
		{
			name: "PreDelete and PostDelete hooks take no part in a sync",
			in:   []string{"v1 Pod before hook=PreDelete", "v1 Pod after hook=PostDelete", "v1 ConfigMap c"},
			want: "Sync wave 0: ConfigMap c\n",
		},
	})
}

// TestInvalidWaves: a wave that is not an integer is warned about and
// treated as Argo CD treats it.
func TestInvalidWaves(t *testing.T) {
	runCases(t, []planCase{
		{
			name: "not an integer: 0",
			in:   []string{"v1 ConfigMap a wave=one", "v1 ConfigMap b wave=-1"},
			want: "Sync wave -1: ConfigMap b\nSync wave 0: ConfigMap a\n",
			warn: "test.yaml:6: document 1 (ConfigMap/a): warning: argocd.argoproj.io/sync-wave \"one\" is not an integer; Argo CD uses 0\n",
		},
		{
			name: "spaces and decimals are not integers either",
			in:   []string{"v1 ConfigMap a wave=%201", "v1 ConfigMap b wave=1.5"},
			want: "Sync wave 0: ConfigMap a, ConfigMap b\n",
			warn: "test.yaml:6: document 1 (ConfigMap/a): warning: argocd.argoproj.io/sync-wave \" 1\" is not an integer; Argo CD uses 0\n" +
				"test.yaml:6: document 1 (ConfigMap/b): warning: argocd.argoproj.io/sync-wave \"1.5\" is not an integer; Argo CD uses 0\n",
		},
		{
			name: "not an integer, with a Helm weight: the weight",
			in:   []string{"v1 ConfigMap a wave=x weight=3"},
			want: "Sync wave 3: ConfigMap a\n",
			warn: "test.yaml:6: document 1 (ConfigMap/a): warning: argocd.argoproj.io/sync-wave \"x\" is not an integer; Argo CD uses the helm.sh/hook-weight 3\n",
		},
	})
}

// TestHelm covers Argo CD's reading of Helm annotations.
func TestHelm(t *testing.T) {
	runCases(t, []planCase{
		{
			name: "hook-weight is the wave, on plain resources too",
			in:   []string{"v1 Service frontend weight=2", "apps/v1 ReplicaSet frontend"},
			want: "Sync wave 0: ReplicaSet frontend!\nSync wave 2: Service frontend\n",
		},
		{
			name: "an Argo CD wave wins over the weight",
			in:   []string{"v1 ConfigMap a wave=-1 weight=5"},
			want: "Sync wave -1: ConfigMap a\n",
		},
		{
			name: "pre-install and pre-upgrade are PreSync, post-install and post-upgrade PostSync",
			in: []string{
				"batch/v1 Job a helm=pre-install",
				"batch/v1 Job b helm=pre-upgrade",
				"batch/v1 Job c helm=post-install",
				"batch/v1 Job d helm=post-upgrade",
				"batch/v1 Job e helm=pre-install,pre-upgrade",
				"batch/v1 Job f helm=pre-install,post-install",
			},
			want: "PreSync wave 0: Job a!, Job b!, Job e!, Job f!\n" +
				"PostSync wave 0: Job c!, Job d!, Job f!\n",
		},
		{
			name: "test, pre-rollback and post-rollback hooks are dropped",
			in: []string{
				"v1 Pod t helm=test",
				"v1 Pod r helm=pre-rollback",
				"v1 Pod both helm=post-install,post-rollback",
			},
			want: "PostSync wave 0: Pod both!\n",
			warn: "test.yaml:6: document 1 (Pod/t): warning: Argo CD does not run Helm test hooks, so Argo CD neither applies nor tracks this object\n" +
				"test.yaml:6: document 1 (Pod/r): warning: Argo CD does not run Helm pre-rollback hooks, so Argo CD neither applies nor tracks this object\n" +
				"test.yaml:6: document 1 (Pod/both): warning: Argo CD does not run Helm post-rollback hooks; they are ignored\n",
		},
		{
			name: "an Argo CD hook annotation wins over Helm's",
			in:   []string{"batch/v1 Job j hook=PostSync helm=pre-install", "v1 ConfigMap c"},
			want: "Sync wave 0: ConfigMap c\nPostSync wave 0: Job j!\n",
		},
		{
			name: "crd-install alone is not a hook",
			in:   []string{"apiextensions.k8s.io/v1 CustomResourceDefinition widgets.example.com helm=crd-install " + crdBody},
			want: "Sync wave 0: CustomResourceDefinition widgets.example.com\n",
		},
		{
			name: "the helm-hooks example: weights order the PreSync hooks",
			in: []string{
				"batch/v1 Job ~upgrade-sql-schema helm=pre-install weight=-2",
				"batch/v1 Job maint-page-up helm=pre-install helmdelete=before-hook-creation weight=-1",
				"apps/v1 ReplicaSet frontend",
				"v1 Service frontend weight=2",
				"batch/v1 Job maint-page-down helm=post-install helmdelete=before-hook-creation",
			},
			want: "PreSync wave -2: Job upgrade-sql-schema*!\n" +
				"PreSync wave -1: Job maint-page-up!\n" +
				"Sync wave 0: ReplicaSet frontend!\n" +
				"Sync wave 2: Service frontend!\n" +
				"PostSync wave 0: Job maint-page-down!\n",
		},
	})
}

// TestDeletePolicies covers the default, the merge of Argo CD's and Helm's
// policies, and unknown values.
func TestDeletePolicies(t *testing.T) {
	tests := []struct {
		desc string
		want []argocd.DeletePolicy
		warn string
	}{
		{"batch/v1 Job j hook=PreSync", []argocd.DeletePolicy{argocd.BeforeHookCreation}, ""},
		{"batch/v1 Job j hook=PreSync delete=HookSucceeded", []argocd.DeletePolicy{argocd.HookSucceeded}, ""},
		{"batch/v1 Job j hook=PreSync delete=HookFailed,HookSucceeded", []argocd.DeletePolicy{argocd.HookSucceeded, argocd.HookFailed}, ""},
		{"batch/v1 Job j helm=pre-install helmdelete=hook-succeeded,hook-failed", []argocd.DeletePolicy{argocd.HookSucceeded, argocd.HookFailed}, ""},
		{"batch/v1 Job j hook=PreSync delete=HookSucceeded helmdelete=before-hook-creation", []argocd.DeletePolicy{argocd.BeforeHookCreation, argocd.HookSucceeded}, ""},
		{"batch/v1 Job j hook=PreSync delete=HookSucceded", []argocd.DeletePolicy{argocd.BeforeHookCreation},
			"unknown hook delete policy \"HookSucceded\" in argocd.argoproj.io/hook-delete-policy; did you mean HookSucceeded?"},
		{"batch/v1 Job j hook=PreSync delete=hook-succeeded", []argocd.DeletePolicy{argocd.BeforeHookCreation},
			"unknown hook delete policy \"hook-succeeded\" in argocd.argoproj.io/hook-delete-policy; did you mean HookSucceeded?"},
		{"v1 ConfigMap c delete=HookSucceeded", nil,
			"a hook delete policy has no effect on an object that is not a hook"},
	}
	for _, tt := range tests {
		a, warn := argocd.Decode(obj(t, tt.desc).GetAnnotations())
		if fmt.Sprint(a.DeletePolicies) != fmt.Sprint(tt.want) {
			t.Errorf("%s: policies %v, want %v", tt.desc, a.DeletePolicies, tt.want)
		}
		if got := joinWarnings(warn); got != tt.warn {
			t.Errorf("%s: warnings %q, want %q", tt.desc, got, tt.warn)
		}
	}
}

func TestSyncOptions(t *testing.T) {
	a, warn := argocd.Decode(obj(t, "v1 ConfigMap c options=Prune=false,PruneLast=true,Replace=true,Force=true,ServerSideApply=false,Validate=false,SkipDryRunOnMissingResource=true,Delete=confirm").GetAnnotations())
	want := argocd.SyncOptions{Prune: argocd.RemoveNever, Delete: argocd.RemoveConfirm, PruneLast: true, Replace: argocd.On, Force: true, ServerSideApply: argocd.Off, NoValidate: true, SkipDryRunOnMissingResource: true}
	if a.Options != want {
		t.Errorf("options %+v, want %+v", a.Options, want)
	}
	if len(warn) > 0 {
		t.Errorf("warnings: %q", warn)
	}
	if got := a.Options.String(); got != "Prune=false,Delete=confirm,PruneLast=true,Replace=true,Force=true,ServerSideApply=false,Validate=false,SkipDryRunOnMissingResource=true" {
		t.Errorf("String() = %s", got)
	}
	_, warn = argocd.Decode(obj(t, "v1 ConfigMap c options=Prune=no,CreateNamespace=true,ServerSideApply=True").GetAnnotations())
	wantWarn := "unknown sync option \"Prune=no\" in argocd.argoproj.io/sync-options; did you mean Prune=false?\n" +
		"sync option \"CreateNamespace=true\" only has an effect on an Application, not on a resource\n" +
		"unknown sync option \"ServerSideApply=True\" in argocd.argoproj.io/sync-options; did you mean ServerSideApply=true?"
	if got := joinWarnings(warn); got != wantWarn {
		t.Errorf("warnings:\n%s\nwant\n%s", got, wantWarn)
	}
}

// TestGating covers docs/semantics.md, "Execution": which tasks the sync waits
// for.
func TestGating(t *testing.T) {
	runCases(t, []planCase{
		{
			name: "a single step waits for nothing",
			in:   []string{"apps/v1 Deployment web", "v1 Service web", "batch/v1 Job once"},
			want: "Sync wave 0: Service web, Deployment web, Job once\n",
		},
		{
			name: "a single step with a hook waits for the hook only",
			in:   []string{"apps/v1 Deployment web", "batch/v1 Job check hook=Sync"},
			want: "Sync wave 0: Deployment web, Job check!\n",
		},
		{
			name: "several steps: resources with a health check are waited for, the final step is not",
			in: []string{
				"v1 ConfigMap config wave=-1",
				"apps/v1 Deployment web wave=-1",
				"v1 Service web",
			},
			want: "Sync wave -1: ConfigMap config, Deployment web!\nSync wave 0: Service web\n",
		},
		{
			name: "the final step is waited for when it holds a hook",
			in: []string{
				"apps/v1 Deployment web wave=-1",
				"apps/v1 StatefulSet db",
				"batch/v1 Job smoke hook=Sync",
			},
			want: "Sync wave -1: Deployment web!\nSync wave 0: StatefulSet db!, Job smoke!\n",
		},
		{
			name: "a hook without a health check completes at once, yet makes the final step wait",
			in: []string{
				"apps/v1 Deployment web wave=-1",
				"apps/v1 Deployment api",
				"v1 ConfigMap marker hook=Sync",
			},
			want: "Sync wave -1: Deployment web!\nSync wave 0: ConfigMap marker, Deployment api!\n",
		},
		{
			name: "a PostSync hook makes the Sync wave gated",
			in:   []string{"apps/v1 Deployment web", "batch/v1 Job smoke hook=PostSync"},
			want: "Sync wave 0: Deployment web!\nPostSync wave 0: Job smoke!\n",
		},
		{
			name: "a SyncFail hook alone makes the sync multi-step, but is not the final step",
			in:   []string{"apps/v1 Deployment web", "v1 Service web wave=1", "batch/v1 Job notify hook=SyncFail"},
			want: "Sync wave 0: Deployment web!\nSync wave 1: Service web\nSyncFail wave 0: Job notify!\n",
		},
		{
			name: "with a SyncFail hook even one Sync step waits for nothing at its end",
			in:   []string{"apps/v1 Deployment web", "batch/v1 Job notify hook=SyncFail"},
			want: "Sync wave 0: Deployment web\nSyncFail wave 0: Job notify!\n",
		},
		{
			name: "every kind with a health check, in a gated wave",
			in: []string{
				"apps/v1 Deployment d wave=-1", "apps/v1 StatefulSet s wave=-1", "apps/v1 DaemonSet ds wave=-1",
				"apps/v1 ReplicaSet rs wave=-1", "batch/v1 Job j wave=-1", "v1 Pod p wave=-1",
				"v1 PersistentVolumeClaim pvc wave=-1", "v1 Service svc wave=-1",
				"networking.k8s.io/v1 Ingress i wave=-1", "apiregistration.k8s.io/v1 APIService v1.x wave=-1",
				"v1 ConfigMap cm wave=-1", "v1 Secret sec wave=-1", "batch/v1 CronJob cj wave=-1",
				"autoscaling/v2 HorizontalPodAutoscaler hpa wave=-1", "example.com/v1 Widget w wave=-1",
				"v1 ConfigMap last",
			},
			want: "Sync wave -1: Secret sec, ConfigMap cm, PersistentVolumeClaim pvc!, Service svc!, DaemonSet ds!, Pod p!, " +
				"ReplicaSet rs!, Deployment d!, HorizontalPodAutoscaler hpa!, StatefulSet s!, Job j!, CronJob cj, Ingress i!, APIService v1.x!, Widget w\n" +
				"Sync wave 0: ConfigMap last\n",
		},
	})
}

func TestDuplicates(t *testing.T) {
	runCases(t, []planCase{
		{
			name: "Argo CD keeps the last definition",
			in: []string{
				"v1 ConfigMap config wave=1",
				"v1 ConfigMap config wave=2",
				"v1 ConfigMap other/config wave=3",
				"batch/v1 Job ~gen- hook=PreSync",
				"batch/v1 Job ~gen- hook=PreSync",
			},
			want: "PreSync wave 0: Job gen-*!, Job gen-*!\nSync wave 2: ConfigMap config\nSync wave 3: ConfigMap other/config\n",
			warn: "test.yaml:1: document 1 (ConfigMap/config): warning: ConfigMap/config is defined again at test.yaml:1: document 1; Argo CD keeps only the last definition and ignores this one\n",
		},
	})
}

func TestWarningSources(t *testing.T) {
	in := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n---\n" +
		"apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\n  annotations:\n    argocd.argoproj.io/hook: Presync\n"
	objs, err := manifest.LoadReader(strings.NewReader(in), "release.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p := ForSync(objs, Options{})
	if len(p.Warnings) == 0 {
		t.Fatal("no warnings")
	}
	w := p.Warnings[0]
	if w.Source.File != "release.yaml" || w.Source.Doc != 2 || w.Source.Line != 11 || w.Object != "Job/migrate" {
		t.Errorf("warning source %+v object %q", w.Source, w.Object)
	}
	if got, want := w.String(), `release.yaml:11: document 2 (Job/migrate): warning: unknown hook type "Presync" in argocd.argoproj.io/hook; did you mean PreSync?`; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestDeletePlan: PreDelete hooks, then the resources from the highest wave
// down (each wave in reverse apply order), then PostDelete hooks.
func TestDeletePlan(t *testing.T) {
	in := objs(t,
		"v1 Pod before hook=PreDelete",
		"v1 Pod after hook=PostDelete",
		"batch/v1 Job cleanup helm=pre-delete",
		"v1 ServiceAccount sa",
		"rbac.authorization.k8s.io/v1 Role role",
		"rbac.authorization.k8s.io/v1 RoleBinding binding wave=1",
		"v1 Pod pod wave=2",
		"v1 ConfigMap cm wave=2",
		"batch/v1 Job migrate hook=PreSync",
		"v1 ConfigMap skipped hook=Skip",
		"apiextensions.k8s.io/v1 CustomResourceDefinition widgets.example.com "+crdBody,
		"v1 Secret keep options=Delete=false",
		"v1 PersistentVolumeClaim data helmkeep=keep",
		"v1 ConfigMap ask options=Delete=confirm",
	)
	p := ForDelete(in, Options{})
	want := "PreDelete: Pod before!, Job cleanup!\n" +
		"Delete wave 2: Pod pod!, ConfigMap cm!\n" +
		"Delete wave 1: RoleBinding binding!\n" +
		"Delete wave 0: Role role!, ConfigMap ask!, ServiceAccount sa!\n" +
		"PostDelete: Pod after!\n"
	if got := steps(p); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	var kept []string
	for _, k := range p.Kept {
		kept = append(kept, k.Ref()+" ("+k.Note+")")
	}
	wantKept := "Secret/keep (sync option Delete=false), PersistentVolumeClaim/data (helm.sh/resource-policy: keep), " +
		"CustomResourceDefinition/widgets.example.com (Argo CD never deletes CustomResourceDefinitions with an application)"
	if got := strings.Join(kept, ", "); got != wantKept {
		t.Errorf("kept:\n%s\nwant\n%s", got, wantKept)
	}
}

func TestEnums(t *testing.T) {
	for _, name := range []string{"PreSync", "Sync", "PostSync", "SyncFail", "PreDelete", "PostDelete"} {
		p, ok := argocd.ParsePhase(name)
		if !ok || p.String() != name {
			t.Errorf("ParsePhase(%q) = %v, %v", name, p, ok)
		}
	}
	if argocd.PreSync >= argocd.Sync || argocd.Sync >= argocd.PostSync || argocd.PostSync >= argocd.SyncFail {
		t.Error("phases out of order")
	}
	if _, ok := argocd.ParsePhase("presync"); ok {
		t.Error("ParsePhase accepts the wrong case")
	}
	for _, d := range []argocd.DeletePolicy{argocd.BeforeHookCreation, argocd.HookSucceeded, argocd.HookFailed} {
		if got, ok := argocd.ParseDeletePolicy(d.String()); !ok || got != d {
			t.Errorf("ParseDeletePolicy(%s) = %v, %v", d, got, ok)
		}
	}
	for _, f := range []Format{Table, JSON, Mermaid} {
		if got, ok := ParseFormat(f.String()); !ok || got != f {
			t.Errorf("ParseFormat(%s) = %v, %v", f, got, ok)
		}
	}
}

// joinWarnings returns the warnings' messages, one a line.
func joinWarnings(ws []argocd.Warning) string {
	msgs := make([]string, len(ws))
	for i, w := range ws {
		msgs[i] = w.Message
	}
	return strings.Join(msgs, "\n")
}
