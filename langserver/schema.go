package langserver

import (
	"slices"
	"strings"

	"github.com/wavec/wavec/argocd"
	"github.com/wavec/wavec/compiler/check"
	"github.com/wavec/wavec/compiler/ir"
)

// What the language says about kinds and fields, for hover and completion.
// Which fields a kind accepts comes from the checker (check.Fields); the
// tables below describe them, and a test keeps them in step with the
// checker.

// kinds returns every built-in kind, in the order the checker declares
// them, and object.
func kinds() []ir.Kind {
	var out []ir.Kind
	for k := ir.ServiceAccount; k <= ir.Object; k++ {
		out = append(out, k)
	}
	return out
}

// phases returns every phase.
func phases() []argocd.Phase { return argocd.Phases }

// deletePolicies returns every hook delete policy.
func deletePolicies() []argocd.DeletePolicy {
	return []argocd.DeletePolicy{argocd.BeforeHookCreation, argocd.HookSucceeded, argocd.HookFailed}
}

// kindDoc describes each kind.
var kindDoc = map[ir.Kind]string{
	ir.ConfigMap:          "A ConfigMap: every field that is not a common field is a data entry, `KEY = \"value\"`.",
	ir.Secret:             "A Secret: fields are stringData entries like a configmap's; `type` sets the Secret type. `secret NAME external` names one that exists already.",
	ir.ServiceAccount:     "A ServiceAccount for workloads' `service_account`.",
	ir.Deployment:         "A Deployment. Its fields describe the main container; `container`, `init` and `sidecar NAME { ... }` add more, `spec { ... }` and `pod { ... }` set any other field.",
	ir.StatefulSet:        "A StatefulSet, like a deployment, with its governing `service` and `storage` claim templates.",
	ir.DaemonSet:          "A DaemonSet: a Pod on every node, like a deployment without `replicas`.",
	ir.ReplicaSet:         "A ReplicaSet: `replicas` Pods kept running, like a deployment without rollouts (a deployment manages its own ReplicaSets).",
	ir.Job:                "A Job; Pods never restart in place, `backoffLimit` is always set. Usually a hook.",
	ir.CronJob:            "A CronJob: a job's fields plus `schedule`, `concurrency`, `suspend`, `time_zone` and the history limits.",
	ir.Pod:                "A bare Pod, usually a hook: a job's container fields without `retries` or `timeout`; `pod { ... }` sets any field of its spec. It never restarts in place (`restartPolicy: Never`) unless `pod { restartPolicy = ... }` says otherwise.",
	ir.Service:            "A Service in front of a workload (`selector`, by default the workload of the same name).",
	ir.Ingress:            "An Ingress routing `host` and `path` to a `service`, or one `rule HOST { PATH = service NAME }` per host.",
	ir.PVC:                "A PersistentVolumeClaim of `size`.",
	ir.HPA:                "An autoscaling/v2 HorizontalPodAutoscaler scaling `target` between `min` and `max` replicas.",
	ir.PDB:                "A PodDisruptionBudget for the Pods of `selector`: `min_available` or `max_unavailable`.",
	ir.NetworkPolicy:      "A NetworkPolicy for the Pods of `selector`: which workloads they accept traffic `from` and connect `to`.",
	ir.Role:               "A Role: `rules` granting verbs on resources of the pipeline's namespace.",
	ir.ClusterRole:        "A ClusterRole: `rules` granting verbs on resources of every namespace; it has no namespace.",
	ir.RoleBinding:        "A RoleBinding granting a `role` or `clusterrole` to service accounts (`subjects`) in the pipeline's namespace.",
	ir.ClusterRoleBinding: "A ClusterRoleBinding granting a `clusterrole` to service accounts (`subjects`) in every namespace; it has no namespace.",
	ir.Object:             "Any Kubernetes objects as YAML: `object NAME from \"file.yaml\"` or `object NAME = \"\"\" ... \"\"\"`.",
}

// field describes one field: what it means and which Kubernetes field it
// sets.
type field struct {
	doc  string
	sets string
	// refs are the kinds a reference in its value may name; enum the
	// words it takes; value an example of the value.
	refs  []ir.Kind
	enum  []string
	value string
}

var workloadKinds = []ir.Kind{ir.Deployment, ir.StatefulSet, ir.DaemonSet, ir.ReplicaSet, ir.Job, ir.CronJob}

// scaledKinds are the kinds an hpa scales and a pdb protects.
var scaledKinds = []ir.Kind{ir.Deployment, ir.StatefulSet, ir.ReplicaSet}

// commonFieldDocs are the fields of every kind and of workloads.
var commonFieldDocs = map[string]field{
	"labels":            {doc: "Extra labels, a map of strings (a workload's label its Pods too). `\"app.kubernetes.io/name\"` among them replaces the declaration's name as that label's value, and wavec selects a workload's Pods by it.", sets: "metadata.labels", value: `{ "app.kubernetes.io/tier" = "web" }`},
	"annotations":       {doc: "Extra annotations, a map of strings.", sets: "metadata.annotations", value: `{ "example.com/owner" = "team" }`},
	"prune":             {doc: "`false` keeps the object when it leaves the pipeline.", sets: "argocd.argoproj.io/sync-options: Prune=false", enum: []string{"true", "false"}},
	"generate_name":     {doc: "A hook's metadata.generateName: the object has no name, and Argo CD names it at each sync; nothing may refer to it.", sets: "metadata.generateName", value: `"migrate-"`},
	"prune_last":        {doc: "Prune it after everything else is healthy.", sets: "argocd.argoproj.io/sync-options: PruneLast=true", enum: []string{"true", "false"}},
	"server_side_apply": {doc: "Apply it with server-side apply, or (`false`) not even when the Application does.", sets: "argocd.argoproj.io/sync-options: ServerSideApply=true|false", enum: []string{"true", "false"}},
	"replace":           {doc: "`true` replaces it (`kubectl replace`/`create`) instead of applying: for objects too large for the last-applied annotation or with immutable fields.", sets: "argocd.argoproj.io/sync-options: Replace=true", enum: []string{"true", "false"}},
	"skip_dry_run":      {doc: "`true` skips the dry run while its CRD is not yet known to the cluster.", sets: "argocd.argoproj.io/sync-options: SkipDryRunOnMissingResource=true", enum: []string{"true", "false"}},
	"delete":            {doc: "`false` keeps it when the Application is deleted.", sets: "argocd.argoproj.io/sync-options: Delete=false", enum: []string{"true", "false"}},
	"image":             {doc: "The container image (required).", sets: "spec.template.spec.containers[0].image", value: `"ghcr.io/acme/app:1.0.0"`},
	"command":           {doc: "The entrypoint, a list of strings.", sets: "containers[0].command", value: `["/app"]`},
	"args":              {doc: "The entrypoint's arguments, a list of strings.", sets: "containers[0].args", value: `["--port", "8000"]`},
	"run":               {doc: "A shell command: `command = [\"/bin/sh\", \"-c\"]`, `args = [run]`; not with command or args.", sets: "containers[0].command and args", value: `"echo hello"`},
	"env":               {doc: "Environment variables: `NAME = \"value\"`, or `NAME = secret s -> \"key\"` / `configmap c -> \"key\"` for one key.", sets: "containers[0].env", refs: []ir.Kind{ir.ConfigMap, ir.Secret}},
	"env_from":          {doc: "Every key of ConfigMaps and Secrets as variables: `[configmap c, secret s]`.", sets: "containers[0].envFrom", refs: []ir.Kind{ir.ConfigMap, ir.Secret}},
	"port":              {doc: "One container port named http.", sets: "containers[0].ports", value: "8000"},
	"ports":             {doc: "Named container ports: `{ http = 8000, metrics = 9090 }`.", sets: "containers[0].ports"},
	"cpu":               {doc: "CPU request, a quantity.", sets: "containers[0].resources.requests.cpu", value: "500m"},
	"memory":            {doc: "Memory request, and the limit unless `memory_limit` is given; a quantity.", sets: "containers[0].resources.requests.memory and limits.memory", value: "256Mi"},
	"memory_limit":      {doc: "Memory limit, a quantity at least `memory`.", sets: "containers[0].resources.limits.memory", value: "512Mi"},
	"cpu_limit":         {doc: "CPU limit, a quantity at least `cpu`.", sets: "containers[0].resources.limits.cpu", value: "1"},
	"ready":             {doc: "Readiness probe: `http \"/health\" on 8000`, `tcp on 5432`, `grpc on 9000` or `exec [...]`, optionally with timings `{ period = 5s; failures = 3 }`.", sets: "containers[0].readinessProbe", enum: []string{"http", "tcp", "grpc", "exec"}},
	"live":              {doc: "Liveness probe, written like `ready`.", sets: "containers[0].livenessProbe", enum: []string{"http", "tcp", "grpc", "exec"}},
	"startup":           {doc: "Startup probe, written like `ready`.", sets: "containers[0].startupProbe", enum: []string{"http", "tcp", "grpc", "exec"}},
	"mount":             {doc: "Volumes by mount path: `{ \"/etc/app\" = configmap c, \"/data\" = pvc d, \"/tmp\" = volume scratch }`; ConfigMaps and Secrets read-only.", sets: "spec.template.spec.volumes and containers[0].volumeMounts", refs: []ir.Kind{ir.ConfigMap, ir.Secret, ir.PVC}},
	"service_account":   {doc: "The Pods' service account: `serviceaccount NAME`.", sets: "spec.template.spec.serviceAccountName", refs: []ir.Kind{ir.ServiceAccount}},
	"user":              {doc: "The user the container runs as (not 0 while restricted).", sets: "containers[0].securityContext.runAsUser", value: "1000"},
	"restricted":        {doc: "`false` opts this workload out of the Pod Security restricted settings.", sets: "securityContext (runAsNonRoot, allowPrivilegeEscalation, capabilities, seccompProfile)", enum: []string{"true", "false"}},
	"pull_secrets":      {doc: "Secrets to pull images with: `[secret ghcr-pull]`, of type `kubernetes.io/dockerconfigjson`.", sets: "spec.template.spec.imagePullSecrets", refs: []ir.Kind{ir.Secret}},
	"container_name":    {doc: "The main container's name, when it is not named like the workload.", sets: "containers[0].name", value: "\"app\""},
	"grace_period":      {doc: "How long Pods get to stop, a duration rounded up to whole seconds.", sets: "spec.template.spec.terminationGracePeriodSeconds", value: "30s"},
	"container":         {doc: "Another container of the Pod, started beside the main one: `container NAME { image = ... }` with the container fields.", sets: "spec.template.spec.containers"},
	"init":              {doc: "An init container, run to completion before the others start, in the order written: `init NAME { ... }` (no probes).", sets: "spec.template.spec.initContainers"},
	"sidecar":           {doc: "A restartable init container, started before the main containers and kept running beside them: `sidecar NAME { ... }`.", sets: "spec.template.spec.initContainers (restartPolicy: Always)"},
	"volume":            {doc: "One of the workload's own volumes: `volume NAME = emptydir`, `volume NAME { size = 1Gi; memory = true }` or `volume NAME = [configmap c, secret s]`; mounted with `mount = { PATH = volume NAME }`.", sets: "spec.template.spec.volumes", refs: []ir.Kind{ir.ConfigMap, ir.Secret}},
}

// kindFieldDocs are the fields one kind has of its own.
var kindFieldDocs = map[ir.Kind]map[string]field{
	ir.Secret: {
		"type": {doc: "The Secret type (default Opaque).", sets: "type", enum: []string{`"Opaque"`, `"kubernetes.io/tls"`, `"kubernetes.io/dockerconfigjson"`, `"kubernetes.io/dockercfg"`, `"kubernetes.io/basic-auth"`, `"kubernetes.io/ssh-auth"`}},
	},
	ir.ServiceAccount: {
		"automount": {doc: "`false` turns off token automounting.", sets: "automountServiceAccountToken", enum: []string{"true", "false"}},
	},
	ir.Deployment: {
		"replicas": {doc: "Number of Pods (default 1).", sets: "spec.replicas", value: "3"},
		"selector": {doc: "Labels of its own that select its Pods, instead of wavec's: `{ app = \"web\" }`. Its Pods get them; services, pdbs and networkpolicies naming it select by them.", sets: "spec.selector.matchLabels", value: `{ app = "web" }`},
	},
	ir.DaemonSet: {
		"selector": {doc: "Labels of its own that select its Pods, instead of wavec's: `{ app = \"web\" }`. Its Pods get them; services, pdbs and networkpolicies naming it select by them.", sets: "spec.selector.matchLabels", value: `{ app = "web" }`},
	},
	ir.ReplicaSet: {
		"replicas": {doc: "Number of Pods (default 1).", sets: "spec.replicas", value: "3"},
		"selector": {doc: "Labels of its own that select its Pods, instead of wavec's: `{ app = \"web\" }`. Its Pods get them; services, pdbs and networkpolicies naming it select by them.", sets: "spec.selector.matchLabels", value: `{ app = "web" }`},
	},
	ir.StatefulSet: {
		"replicas":      {doc: "Number of Pods (default 1).", sets: "spec.replicas", value: "3"},
		"service":       {doc: "The governing Service: `service NAME` (default the Service of the same name).", sets: "spec.serviceName", refs: []ir.Kind{ir.Service}},
		"storage":       {doc: "One ReadWriteOnce claim template per mount path: `{ \"/var/lib/data\" = 10Gi }`.", sets: "spec.volumeClaimTemplates"},
		"storage_class": {doc: "The storage class of the `storage` claim templates.", sets: "spec.volumeClaimTemplates[*].spec.storageClassName", value: `"standard"`},
		"selector":      {doc: "Labels of its own that select its Pods, instead of wavec's: `{ app = \"web\" }`. Its Pods get them; services, pdbs and networkpolicies naming it select by them.", sets: "spec.selector.matchLabels", value: `{ app = "web" }`},
	},
	ir.Job: {
		"retries": {doc: "How often a failed Pod is retried (default 0).", sets: "spec.backoffLimit", value: "2"},
		"timeout": {doc: "How long the Job may run, a duration.", sets: "spec.activeDeadlineSeconds", value: "10m"},
	},
	ir.CronJob: {
		"retries":        {doc: "How often a failed Pod is retried (default 0).", sets: "spec.jobTemplate.spec.backoffLimit", value: "2"},
		"timeout":        {doc: "How long each Job may run, a duration.", sets: "spec.jobTemplate.spec.activeDeadlineSeconds", value: "10m"},
		"schedule":       {doc: "A cron expression (required).", sets: "spec.schedule", value: `"*/15 * * * *"`},
		"concurrency":    {doc: "What to do when a run is still going.", sets: "spec.concurrencyPolicy", enum: []string{"Allow", "Forbid", "Replace"}},
		"suspend":        {doc: "Stop scheduling runs.", sets: "spec.suspend", enum: []string{"true", "false"}},
		"time_zone":      {doc: "The time zone of `schedule`, an IANA name.", sets: "spec.timeZone", value: `"Europe/Berlin"`},
		"keep_succeeded": {doc: "How many successful Jobs the history keeps.", sets: "spec.successfulJobsHistoryLimit", value: "3"},
		"keep_failed":    {doc: "How many failed Jobs the history keeps.", sets: "spec.failedJobsHistoryLimit", value: "1"},
	},
	ir.Service: {
		"port":      {doc: "One port named http: `80` or `80 -> 8000` (the target port, a number or a container port's name).", sets: "spec.ports", value: "80 -> 8000"},
		"ports":     {doc: "Named ports: `{ http = 80 -> 8000, metrics = 9090 }`.", sets: "spec.ports"},
		"port_name": {doc: "The name of `port`'s one port instead of http; `\"\"` leaves it unnamed.", sets: "spec.ports[0].name", value: `"redis"`},
		"selector":  {doc: "The deployment, statefulset, daemonset or replicaset whose Pods it serves (default: the workload of the same name).", sets: "spec.selector", refs: []ir.Kind{ir.Deployment, ir.StatefulSet, ir.DaemonSet, ir.ReplicaSet}},
		"type":      {doc: "The Service type (default ClusterIP); `None` is a headless Service.", sets: "spec.type (clusterIP: None for None)", enum: []string{"ClusterIP", "NodePort", "LoadBalancer", "None"}},
	},
	ir.Ingress: {
		"host":      {doc: "The host name routed.", sets: "spec.rules[0].host", value: `"app.example.com"`},
		"path":      {doc: "The path routed (default \"/\").", sets: "spec.rules[0].http.paths[0].path", value: `"/"`},
		"service":   {doc: "The Service traffic goes to (required).", sets: "spec.rules[0].http.paths[0].backend.service.name", refs: []ir.Kind{ir.Service}},
		"port":      {doc: "The Service port (default its first).", sets: "backend.service.port.number", value: "80"},
		"class":     {doc: "The ingress class.", sets: "spec.ingressClassName", value: `"nginx"`},
		"path_type": {doc: "The pathType of every path (default Prefix).", sets: "spec.rules[].http.paths[].pathType", enum: []string{"Prefix", "Exact", "ImplementationSpecific"}},
		"tls":       {doc: "The certificate: `secret NAME`, or a list of them, each optionally with its hosts (`secret s -> [\"a.example.com\"]`).", sets: "spec.tls", refs: []ir.Kind{ir.Secret}},
		"rule":      {doc: "One host's paths: `rule HOST { \"/\" = service web; \"/api\" = service api -> http }` (`rule any` for every host); not with the short fields.", sets: "spec.rules"},
	},
	ir.PVC: {
		"size":          {doc: "The requested size, a quantity (required).", sets: "spec.resources.requests.storage", value: "10Gi"},
		"access":        {doc: "The access mode (default ReadWriteOnce).", sets: "spec.accessModes", enum: []string{"ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"}},
		"storage_class": {doc: "The storage class.", sets: "spec.storageClassName", value: `"standard"`},
	},
	ir.HPA: {
		"target": {doc: "The deployment, statefulset or replicaset it scales (default: the one of the same name).", sets: "spec.scaleTargetRef", refs: scaledKinds},
		"min":    {doc: "The fewest replicas (default 1).", sets: "spec.minReplicas", value: "2"},
		"max":    {doc: "The most replicas (required).", sets: "spec.maxReplicas", value: "10"},
		"cpu":    {doc: "Target average CPU utilization, in percent of the requests.", sets: "spec.metrics (Resource cpu, Utilization)", value: "70"},
		"memory": {doc: "Target average memory utilization, in percent of the requests.", sets: "spec.metrics (Resource memory, Utilization)", value: "80"},
	},
	ir.PDB: {
		"selector":        {doc: "The deployment, statefulset or replicaset whose Pods it protects (default: the one of the same name).", sets: "spec.selector", refs: scaledKinds},
		"min_available":   {doc: "Pods that must stay available, a count or a percentage; not with max_unavailable.", sets: "spec.minAvailable", value: "1"},
		"max_unavailable": {doc: "Pods that may be unavailable, a count or a percentage; not with min_available.", sets: "spec.maxUnavailable", value: `"25%"`},
	},
	ir.NetworkPolicy: {
		"selector": {doc: "The workload whose Pods the policy applies to (default: the workload of the same name).", sets: "spec.podSelector", refs: workloadKinds},
		"from":     {doc: "The workloads whose Pods may connect (`[]`: none); without it incoming traffic is not restricted.", sets: "spec.ingress[0].from", refs: workloadKinds},
		"to":       {doc: "The workloads the Pods may connect to; without it outgoing traffic is not restricted.", sets: "spec.egress", refs: workloadKinds},
		"ports":    {doc: "The ports `from` may connect on: numbers or names of the selected workload's ports (default every port).", sets: "spec.ingress[0].ports", value: "[http]"},
		"dns":      {doc: "`true` also lets the Pods look up names (port 53).", sets: "spec.egress (port 53)", enum: []string{"true", "false"}},
	},
	ir.Role: {
		"rules": {doc: "What it grants: `[{ resources = [\"configmaps\"], verbs = [\"get\"] }]`, with optional `groups` (default the core group) and `names`.", sets: "rules"},
	},
	ir.ClusterRole: {
		"rules": {doc: "What it grants: `[{ resources = [\"configmaps\"], verbs = [\"get\"] }]`, with optional `groups` (default the core group) and `names`.", sets: "rules"},
	},
	ir.RoleBinding: {
		"role":     {doc: "The role it grants: `role NAME` or `clusterrole NAME`.", sets: "roleRef", refs: []ir.Kind{ir.Role, ir.ClusterRole}},
		"subjects": {doc: "The service accounts it grants the role to: `[serviceaccount api]`.", sets: "subjects", refs: []ir.Kind{ir.ServiceAccount}},
	},
	ir.ClusterRoleBinding: {
		"role":     {doc: "The cluster role it grants: `clusterrole NAME`.", sets: "roleRef", refs: []ir.Kind{ir.ClusterRole}},
		"subjects": {doc: "The service accounts it grants the role to: `[serviceaccount api]`.", sets: "subjects", refs: []ir.Kind{ir.ServiceAccount}},
	},
}

// pipelineOptions are the header's options.
var pipelineOptions = map[string]field{
	"restricted": {doc: "Whether containers get the Pod Security restricted settings (default true).", sets: "securityContext of every workload", enum: []string{"true", "false"}},
	"timeout":    {doc: "How long `wavec run` waits for each step and hook (default 5m).", sets: "wavec.io/timeout", value: "5m"},
	"labels":     {doc: "Labels added to every object.", sets: "metadata.labels of every object", value: `{ team = "platform" }`},
}

// fieldOf returns the description of field name of kind k, and whether k
// accepts it.
func fieldOf(k ir.Kind, name string) (field, bool) {
	accepted := false
	for _, f := range check.Fields(k) {
		if f == name {
			accepted = true
		}
	}
	if !accepted {
		return field{}, false
	}
	if f, ok := kindFieldDocs[k][name]; ok {
		return f, true
	}
	f, ok := commonFieldDocs[name]
	if ok && k == ir.Pod {
		// A pod's spec is the Pod template's spec of the other workloads.
		f.sets = strings.ReplaceAll(f.sets, "spec.template.spec.", "spec.")
	}
	return f, ok
}

// probeWords are the probe keywords.
var probeWords = []string{"http", "tcp", "grpc", "exec"}

func isProbeWord(w string) bool { return slices.Contains(probeWords, w) }

// containerFieldOf returns the description of field name of a `container`,
// `init` or `sidecar NAME { ... }` block, and whether such a block accepts
// it.
func containerFieldOf(name string) (field, bool) {
	if !slices.Contains(check.ContainerFields(), name) {
		return field{}, false
	}
	f, ok := commonFieldDocs[name]
	if ok {
		// The container's own field, not the main container's.
		f.sets = strings.ReplaceAll(f.sets, "spec.template.spec.containers[0].", "")
		f.sets = strings.ReplaceAll(f.sets, "containers[0].", "")
	}
	return f, ok
}

// lookupIn returns a lookup of the fields described in docs.
func lookupIn(docs map[string]field) func(string) (field, bool) {
	return func(name string) (field, bool) {
		f, ok := docs[name]
		return f, ok
	}
}

// probeTimingDocs are the fields of a probe's timing block.
var probeTimingDocs = map[string]field{
	"delay":     {doc: "How long after the container starts the first probe runs, a duration in whole seconds.", sets: "initialDelaySeconds", value: "10s"},
	"period":    {doc: "How often the probe runs, a duration in whole seconds.", sets: "periodSeconds", value: "5s"},
	"timeout":   {doc: "How long one probe may take, a duration in whole seconds.", sets: "timeoutSeconds", value: "2s"},
	"failures":  {doc: "Failures in a row after which the probe has failed.", sets: "failureThreshold", value: "3"},
	"successes": {doc: "Successes in a row after which a failed probe passes again.", sets: "successThreshold", value: "1"},
}

// volumeFieldDocs are the fields of a workload's `volume NAME { ... }`,
// an emptyDir.
var volumeFieldDocs = map[string]field{
	"size":   {doc: "The most the directory may hold, a quantity.", sets: "emptyDir.sizeLimit", value: "1Gi"},
	"memory": {doc: "`true` keeps the directory in memory.", sets: "emptyDir.medium: Memory", enum: []string{"true", "false"}},
}
