package conformance_test

import (
	"fmt"
	"strings"

	"sigs.k8s.io/yaml"
)

// bytesSource draws choices from fuzz input; when the input runs out every
// choice is the first.
type bytesSource struct {
	data []byte
}

func (s *bytesSource) pick(n int) int {
	if len(s.data) == 0 || n <= 1 {
		return 0
	}
	b := s.data[0]
	s.data = s.data[1:]
	return int(b) % n
}

func (s *bytesSource) oneOf(values ...string) string { return values[s.pick(len(values))] }

// genKind is a kind the generator makes objects of.
type genKind struct {
	apiVersion string
	kind       string
	cluster    bool
}

// genKinds covers Argo CD's kind order (every kind it lists), kinds it
// does not list (sorted after all of them), and custom resources of the
// two CustomResourceDefinitions the generator can make.
var genKinds = []genKind{
	{"v1", "Namespace", true},
	{"networking.k8s.io/v1", "NetworkPolicy", false},
	{"v1", "ResourceQuota", false},
	{"v1", "LimitRange", false},
	{"policy/v1beta1", "PodSecurityPolicy", true},
	{"policy/v1", "PodDisruptionBudget", false},
	{"v1", "ServiceAccount", false},
	{"v1", "Secret", false},
	{"v1", "SecretList", false},
	{"v1", "ConfigMap", false},
	{"storage.k8s.io/v1", "StorageClass", true},
	{"v1", "PersistentVolume", true},
	{"v1", "PersistentVolumeClaim", false},
	{"apiextensions.k8s.io/v1", "CustomResourceDefinition", true},
	{"rbac.authorization.k8s.io/v1", "ClusterRole", true},
	{"rbac.authorization.k8s.io/v1", "ClusterRoleList", true},
	{"rbac.authorization.k8s.io/v1", "ClusterRoleBinding", true},
	{"rbac.authorization.k8s.io/v1", "ClusterRoleBindingList", true},
	{"rbac.authorization.k8s.io/v1", "Role", false},
	{"rbac.authorization.k8s.io/v1", "RoleList", false},
	{"rbac.authorization.k8s.io/v1", "RoleBinding", false},
	{"rbac.authorization.k8s.io/v1", "RoleBindingList", false},
	{"v1", "Service", false},
	{"apps/v1", "DaemonSet", false},
	{"v1", "Pod", false},
	{"v1", "ReplicationController", false},
	{"apps/v1", "ReplicaSet", false},
	{"apps/v1", "Deployment", false},
	{"autoscaling/v2", "HorizontalPodAutoscaler", false},
	{"apps/v1", "StatefulSet", false},
	{"batch/v1", "Job", false},
	{"batch/v1", "CronJob", false},
	{"networking.k8s.io/v1", "IngressClass", true},
	{"networking.k8s.io/v1", "Ingress", false},
	{"apiregistration.k8s.io/v1", "APIService", true},
	{"scheduling.k8s.io/v1", "PriorityClass", true},
	{"coordination.k8s.io/v1", "Lease", false},
	{"example.com/v1", "Foo", false},
	{"acme.io/v1", "Widget", false},
	{"extensions/v1beta1", "Deployment", false},
}

// The names the generator uses. No generateName is a prefix of another
// or of a name: Argo CD appends the revision to a generateName, so such
// pairs sort by revision, which `wavec plan -f` does not know.
var (
	genNames         = []string{"a", "b", "app", "db", "web"}
	genGenerateNames = []string{"migrate-", "smoke-", "notify-"}
	genNamespaces    = []string{"", "", "conformance", "other", "team-a"}
)

// The annotation values the generator uses: valid, invalid, and written
// in ways that are easy to get wrong.
var (
	genWaves     = []string{"0", "1", "2", "-1", "-2", "3", "10", "+1", "01", "-0", "x", "1.5", " 2", "", "9999999999999999999"}
	genHooks     = []string{"PreSync", "Sync", "PostSync", "SyncFail", "Skip", "PreDelete", "PostDelete", "PreSync,PostSync", "Sync,SyncFail", " PreSync , Sync ", "Skip,PreSync", "Presync", "", "PostDelete,PostSync", "PreSync,PreSync"}
	genHelmHooks = []string{"pre-install", "pre-upgrade", "post-install", "post-upgrade", "pre-install,post-install", "test", "crd-install", "pre-delete", "post-rollback", "pre-install,test", "pre-instal"}
	genPolicies  = []string{"HookSucceeded", "HookFailed", "BeforeHookCreation", "HookSucceeded,HookFailed", "hook-succeeded", "Bogus"}
	genHelmPols  = []string{"hook-succeeded", "before-hook-creation", "hook-failed", "HookSucceeded"}
	genOptions   = []string{"PruneLast=true", "Prune=false", "Replace=true", "ServerSideApply=true", "Validate=false", "SkipDryRunOnMissingResource=true", "CreateNamespace=true"}
)

// generate returns a YAML stream of annotated manifests drawn from data.
func generate(data []byte) string {
	s := &bytesSource{data: data}
	n := 1 + s.pick(12)
	var docs []string
	for range n {
		docs = append(docs, genObject(s))
	}
	return strings.Join(docs, "---\n")
}

func genObject(s *bytesSource) string {
	k := genKinds[s.pick(len(genKinds))]
	meta := map[string]any{}
	obj := map[string]any{"apiVersion": k.apiVersion, "kind": k.kind, "metadata": meta}
	switch k.kind {
	case "Namespace":
		meta["name"] = s.oneOf("conformance", "other", "team-a")
	case "CustomResourceDefinition":
		if s.pick(2) == 0 {
			meta["name"] = "foos.example.com"
			obj["spec"] = map[string]any{"group": "example.com", "names": map[string]any{"kind": "Foo", "plural": "foos"}}
		} else {
			meta["name"] = "widgets.acme.io"
			obj["spec"] = map[string]any{"group": "acme.io", "names": map[string]any{"kind": "Widget", "plural": "widgets"}}
		}
	default:
		meta["name"] = genNames[s.pick(len(genNames))]
	}
	// Namespaced kinds get a namespace or not; cluster-scoped ones
	// seldom, as people write them.
	if ns := genNamespaces[s.pick(len(genNamespaces))]; ns != "" && (!k.cluster || s.pick(4) == 0) {
		meta["namespace"] = ns
	}
	ann := map[string]string{}
	if s.pick(2) == 0 {
		ann["argocd.argoproj.io/sync-wave"] = genWaves[s.pick(len(genWaves))]
	}
	switch s.pick(4) {
	case 1:
		ann["argocd.argoproj.io/hook"] = genHooks[s.pick(len(genHooks))]
	case 2:
		ann["helm.sh/hook"] = genHelmHooks[s.pick(len(genHelmHooks))]
		if s.pick(2) == 0 {
			ann["helm.sh/hook-weight"] = genWaves[s.pick(len(genWaves))]
		}
	case 3:
		ann["argocd.argoproj.io/hook"] = genHooks[s.pick(len(genHooks))]
		ann["helm.sh/hook"] = genHelmHooks[s.pick(len(genHelmHooks))]
	}
	if s.pick(4) == 0 {
		// Helm's weight is read on plain resources too.
		ann["helm.sh/hook-weight"] = genWaves[s.pick(len(genWaves))]
	}
	if _, hook := ann["argocd.argoproj.io/hook"]; hook || ann["helm.sh/hook"] != "" {
		if s.pick(3) == 0 && k.kind != "Namespace" && k.kind != "CustomResourceDefinition" {
			delete(meta, "name")
			meta["generateName"] = genGenerateNames[s.pick(len(genGenerateNames))]
		}
		if s.pick(2) == 0 {
			ann["argocd.argoproj.io/hook-delete-policy"] = genPolicies[s.pick(len(genPolicies))]
		}
		if s.pick(3) == 0 {
			ann["helm.sh/hook-delete-policy"] = genHelmPols[s.pick(len(genHelmPols))]
		}
	}
	if s.pick(5) == 0 {
		ann["argocd.argoproj.io/sync-options"] = genOptions[s.pick(len(genOptions))]
	}
	if len(ann) > 0 {
		meta["annotations"] = ann
	}
	out, err := yaml.Marshal(obj)
	if err != nil {
		panic(fmt.Sprintf("generator: %v", err))
	}
	return string(out)
}
