package plan

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wavec/wavec/runtime/manifest"
)

// peerExamples is the folder of upstream example manifests shared beside
// the repository (see its README); the tests skip when it is absent.
const peerExamples = "../../../shared/peer-examples"

func peer(t *testing.T, paths ...string) []manifest.Object {
	t.Helper()
	if _, err := os.Stat(peerExamples); err != nil {
		t.Skipf("peer examples not available: %v", err)
	}
	var full []string
	for _, p := range paths {
		full = append(full, filepath.Join(peerExamples, p))
	}
	objs, err := manifest.Load(full, nil)
	if err != nil {
		t.Fatalf("loading %v: %v", paths, err)
	}
	return objs
}

// TestPeerExamplesLoad loads and plans every plain YAML file of the peer
// examples. Kustomizations and Helm templates are not plain YAML and are
// left out; so are the kapp docs, which quote partial manifests.
func TestPeerExamplesLoad(t *testing.T) {
	if _, err := os.Stat(peerExamples); err != nil {
		t.Skipf("peer examples not available: %v", err)
	}
	var files []string
	err := filepath.WalkDir(peerExamples, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		switch {
		case d.IsDir() && name == "kapp-docs":
			return filepath.SkipDir
		case d.IsDir(), name == "kustomization.yaml", strings.HasSuffix(name, ".tpl.yaml"):
			return nil
		case strings.HasSuffix(name, ".yaml"), strings.HasSuffix(name, ".yml"):
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		objs, err := manifest.Load([]string{f}, nil)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if len(objs) == 0 {
			t.Errorf("%s: no objects", f)
		}
		ForSync(objs, Options{})
		ForDelete(objs, Options{})
	}
	// The kapp docs quote manifests without apiVersion: a clear error.
	_, err = manifest.Load([]string{filepath.Join(peerExamples, "kapp-docs")}, nil)
	if err == nil || !strings.Contains(err.Error(), "document has no apiVersion") {
		t.Errorf("kapp-docs: got %v, want an error about the missing apiVersion", err)
	}
	// A kustomize directory is recognised as such.
	_, err = manifest.Load([]string{filepath.Join(peerExamples, "argocd-example-apps/pre-post-sync")}, nil)
	if err == nil || !strings.Contains(err.Error(), "is a kustomize directory") {
		t.Errorf("pre-post-sync: got %v, want an error about kustomize", err)
	}
}

// TestPeerExamplesOrder checks orders derived by hand from docs/semantics.md for
// a few upstream examples.
func TestPeerExamplesOrder(t *testing.T) {
	tests := []struct {
		name  string
		paths []string
		opts  Options
		want  string
		warn  string // what the one expected warning says, if any
	}{
		{
			// A generateName PreSync Job; ReplicaSets and Services in waves
			// 0 and 2; Sync hooks in waves 1 and 3. The final step holds a
			// hook, so every step is waited for.
			name:  "argocd-example-apps/sync-waves",
			paths: []string{"argocd-example-apps/sync-waves"},
			want: "PreSync wave 0: Job upgrade-sql-schema*!\n" +
				"Sync wave 0: Service backend!, ReplicaSet backend!\n" +
				"Sync wave 1: Job maint-page-up!\n" +
				"Sync wave 2: Service frontend!, ReplicaSet frontend!\n" +
				"Sync wave 3: Job maint-page-down!\n",
		},
		{
			// Helm hooks: pre-install is PreSync, post-install PostSync, the
			// hook weight is the wave, also on the plain Service.
			name:  "argocd-example-apps/helm-hooks",
			paths: []string{"argocd-example-apps/helm-hooks"},
			want: "PreSync wave -2: Job upgrade-sql-schema*!\n" +
				"PreSync wave -1: Job maint-page-up!\n" +
				"Sync wave 0: ReplicaSet frontend!\n" +
				"Sync wave 2: Service frontend!\n" +
				"PostSync wave 0: Job maint-page-down!\n",
		},
		{
			// The two hooks of pre-post-sync without the kustomize base.
			name:  "argocd-example-apps/pre-post-sync hooks",
			paths: []string{"argocd-example-apps/pre-post-sync/pre-sync-job.yaml", "argocd-example-apps/pre-post-sync/post-sync-job.yaml"},
			want:  "PreSync wave 0: Job before!\nPostSync wave 0: Job after!\n",
		},
		{
			// ServiceAccount and Role in wave 0, RoleBinding in 1, Pod in 2.
			name:  "argo-cd-e2e/syncwaves-prune-order",
			paths: []string{"argo-cd-e2e/syncwaves-prune-order"},
			want: "Sync wave 0: ServiceAccount modify-pods-sa, Role modify-pods-role\n" +
				"Sync wave 1: RoleBinding modify-pods-rolebinding\n" +
				"Sync wave 2: Pod pod-with-finalizers\n",
		},
		{
			// A Sync hook Pod and a plain Pod in one step: only the hook is
			// waited for.
			name:  "argo-cd-e2e/hook",
			paths: []string{"argo-cd-e2e/hook"},
			want:  "Sync wave 0: Pod hook!, Pod pod\n",
		},
		{
			// A never-ready Deployment beside a Sync hook in a single step:
			// Argo CD does not wait for the Deployment.
			name:  "argo-cd-e2e/hook-and-deployment",
			paths: []string{"argo-cd-e2e/hook-and-deployment"},
			want:  "Sync wave 0: Deployment my-deployment, Job my-hook!\n",
		},
		{
			// Same-named PostSync hooks in two namespaces; the Namespace
			// already sorts before its only user.
			name:  "argo-cd-e2e/multi-namespace-hook",
			paths: []string{"argo-cd-e2e/multi-namespace-hook"},
			opts:  Options{Namespace: "test-multi-ns-hook-first"},
			want: "Sync wave 0: Namespace test-multi-ns-hook-second, Deployment nginx-deployment!\n" +
				"PostSync wave 0: Pod my-hook!, Pod test-multi-ns-hook-second/my-hook!\n",
		},
		{
			// A cluster-scoped PreSync hook without a health check, with a
			// namespace written on it that Argo CD drops.
			name:  "argo-cd-e2e/cluster-role-hook",
			paths: []string{"argo-cd-e2e/cluster-role-hook"},
			want:  "PreSync wave 0: ClusterRoleBinding my-cluster-role-binding\nSync wave 0: Pod my-pod\n",
			warn:  `cluster-role.yaml:4: document 1 (ClusterRoleBinding/my-cluster-role-binding): warning: ClusterRoleBinding is cluster-scoped; Argo CD drops the namespace "cert-manager" written on it`,
		},
		{
			name:  "argo-cd-e2e/sync-waves",
			paths: []string{"argo-cd-e2e/sync-waves"},
			want:  "Sync wave 1: ConfigMap cm-1\nSync wave 2: ConfigMap cm-2\n",
		},
		{
			// The user guide's hooks together: a PreSync migration in wave
			// -1, generateName hooks, SyncFail last.
			name:  "argo-cd-docs",
			paths: []string{"argo-cd-docs"},
			want: "PreSync wave -1: Job db-migrate!\n" +
				"PreSync wave 0: Job schema-migrate-*!\n" +
				"PostSync wave 0: Job app-slack-notification-*!, Job app-slack-notification-*!, Job integration-test-*!\n" +
				"SyncFail wave 0: Job app-slack-notification-fail-*!\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := ForSync(peer(t, tt.paths...), tt.opts)
			if got := steps(p); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
			switch {
			case tt.warn == "" && len(p.Warnings) > 0:
				t.Errorf("unexpected warnings:\n%s", warnings(p))
			case tt.warn != "" && (len(p.Warnings) != 1 || !strings.Contains(warnings(p), tt.warn)):
				t.Errorf("warnings:\n%s\nwant one saying %s", warnings(p), tt.warn)
			}
		})
	}
}

// TestPeerExamplesDelete checks delete plans of two upstream examples.
func TestPeerExamplesDelete(t *testing.T) {
	// syncwaves-prune-order documents that deletion must run in reverse
	// wave order: pod, then rolebinding, then sa and role.
	p := ForDelete(peer(t, "argo-cd-e2e/syncwaves-prune-order"), Options{})
	want := "Delete wave 2: Pod pod-with-finalizers!\n" +
		"Delete wave 1: RoleBinding modify-pods-rolebinding!\n" +
		"Delete wave 0: Role modify-pods-role!, ServiceAccount modify-pods-sa!\n"
	if got := steps(p); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	// pre-delete-hook: the PreDelete Pod takes no part in a sync and runs
	// first when the application is deleted.
	objs := peer(t, "argo-cd-e2e/pre-delete-hook")
	if got, want := steps(ForSync(objs, Options{})), "Sync wave 0: ConfigMap guestbook-ui\n"; got != want {
		t.Errorf("sync: got\n%s\nwant\n%s", got, want)
	}
	want = "PreDelete: Pod hook!\nDelete wave 0: ConfigMap guestbook-ui!\n"
	if got := steps(ForDelete(objs, Options{})); got != want {
		t.Errorf("delete: got\n%s\nwant\n%s", got, want)
	}
	// post-delete-hook: a lone PostDelete hook; nothing to sync.
	objs = peer(t, "argo-cd-e2e/post-delete-hook")
	if got := steps(ForSync(objs, Options{})); got != "" {
		t.Errorf("sync: got\n%s\nwant nothing", got)
	}
	if got, want := steps(ForDelete(objs, Options{})), "PostDelete: Pod hook!\n"; got != want {
		t.Errorf("delete: got\n%s\nwant\n%s", got, want)
	}
}
