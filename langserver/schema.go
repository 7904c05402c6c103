package langserver

import (
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
	ir.ConfigMap:      "A ConfigMap: every field that is not a common field is a data entry, `KEY = \"value\"`.",
	ir.Secret:         "A Secret: fields are stringData entries like a configmap's; `type` sets the Secret type. `secret NAME external` names one that exists already.",
	ir.ServiceAccount: "A ServiceAccount for workloads' `service_account`.",
	ir.Deployment:     "A Deployment with one container.",
	ir.StatefulSet:    "A StatefulSet with one container, its governing `service` and `storage` claim templates.",
	ir.Job:            "A Job with one container; Pods never restart in place, `backoffLimit` is always set. Usually a hook.",
	ir.CronJob:        "A CronJob: a job's fields plus `schedule`, `concurrency` and `suspend`.",
	ir.Service:        "A Service in front of a workload (`selector`, by default the workload of the same name).",
	ir.Ingress:        "An Ingress routing `host` and `path` to a `service`.",
	ir.PVC:            "A PersistentVolumeClaim of `size`.",
	ir.Object:         "Any Kubernetes objects as YAML: `object NAME from \"file.yaml\"` or `object NAME = \"\"\" ... \"\"\"`.",
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

var workloadKinds = []ir.Kind{ir.Deployment, ir.StatefulSet, ir.Job, ir.CronJob}

// commonFieldDocs are the fields of every kind and of workloads.
var commonFieldDocs = map[string]field{
	"labels":          {doc: "Extra labels, a map of strings.", sets: "metadata.labels", value: `{ "app.kubernetes.io/tier" = "web" }`},
	"annotations":     {doc: "Extra annotations, a map of strings.", sets: "metadata.annotations", value: `{ "example.com/owner" = "team" }`},
	"prune":           {doc: "`false` keeps the object when it leaves the pipeline.", sets: "argocd.argoproj.io/sync-options: Prune=false", enum: []string{"true", "false"}},
	"prune_last":      {doc: "Prune it after everything else is healthy.", sets: "argocd.argoproj.io/sync-options: PruneLast=true", enum: []string{"true", "false"}},
	"image":           {doc: "The container image (required).", sets: "spec.template.spec.containers[0].image", value: `"ghcr.io/acme/app:1.0.0"`},
	"command":         {doc: "The entrypoint, a list of strings.", sets: "containers[0].command", value: `["/app"]`},
	"args":            {doc: "The entrypoint's arguments, a list of strings.", sets: "containers[0].args", value: `["--port", "8000"]`},
	"run":             {doc: "A shell command: `command = [\"/bin/sh\", \"-c\"]`, `args = [run]`; not with command or args.", sets: "containers[0].command and args", value: `"echo hello"`},
	"env":             {doc: "Environment variables: `NAME = \"value\"`, or `NAME = secret s -> \"key\"` / `configmap c -> \"key\"` for one key.", sets: "containers[0].env", refs: []ir.Kind{ir.ConfigMap, ir.Secret}},
	"env_from":        {doc: "Every key of ConfigMaps and Secrets as variables: `[configmap c, secret s]`.", sets: "containers[0].envFrom", refs: []ir.Kind{ir.ConfigMap, ir.Secret}},
	"port":            {doc: "One container port named http.", sets: "containers[0].ports", value: "8000"},
	"ports":           {doc: "Named container ports: `{ http = 8000, metrics = 9090 }`.", sets: "containers[0].ports"},
	"cpu":             {doc: "CPU request, a quantity.", sets: "containers[0].resources.requests.cpu", value: "500m"},
	"memory":          {doc: "Memory request and limit, a quantity.", sets: "containers[0].resources.requests.memory and limits.memory", value: "256Mi"},
	"cpu_limit":       {doc: "CPU limit, a quantity.", sets: "containers[0].resources.limits.cpu", value: "1"},
	"ready":           {doc: "Readiness probe: `http \"/health\" on 8000`, `tcp on 5432`, `grpc on 9000` or `exec [...]`.", sets: "containers[0].readinessProbe", enum: []string{"http", "tcp", "grpc", "exec"}},
	"live":            {doc: "Liveness probe, written like `ready`.", sets: "containers[0].livenessProbe", enum: []string{"http", "tcp", "grpc", "exec"}},
	"startup":         {doc: "Startup probe, written like `ready`.", sets: "containers[0].startupProbe", enum: []string{"http", "tcp", "grpc", "exec"}},
	"mount":           {doc: "Volumes by mount path: `{ \"/etc/app\" = configmap c, \"/data\" = pvc d }`; ConfigMaps and Secrets read-only.", sets: "spec.template.spec.volumes and containers[0].volumeMounts", refs: []ir.Kind{ir.ConfigMap, ir.Secret, ir.PVC}},
	"service_account": {doc: "The Pods' service account: `serviceaccount NAME`.", sets: "spec.template.spec.serviceAccountName", refs: []ir.Kind{ir.ServiceAccount}},
	"user":            {doc: "The user the container runs as (not 0 while restricted).", sets: "containers[0].securityContext.runAsUser", value: "1000"},
	"restricted":      {doc: "`false` opts this workload out of the Pod Security restricted settings.", sets: "securityContext (runAsNonRoot, allowPrivilegeEscalation, capabilities, seccompProfile)", enum: []string{"true", "false"}},
}

// kindFieldDocs are the fields one kind has of its own.
var kindFieldDocs = map[ir.Kind]map[string]field{
	ir.Secret: {
		"type": {doc: "The Secret type (default Opaque).", sets: "type", enum: []string{`"Opaque"`, `"kubernetes.io/tls"`, `"kubernetes.io/dockerconfigjson"`, `"kubernetes.io/basic-auth"`, `"kubernetes.io/ssh-auth"`}},
	},
	ir.ServiceAccount: {
		"automount": {doc: "`false` turns off token automounting.", sets: "automountServiceAccountToken", enum: []string{"true", "false"}},
	},
	ir.Deployment: {
		"replicas": {doc: "Number of Pods (default 1).", sets: "spec.replicas", value: "3"},
	},
	ir.StatefulSet: {
		"replicas": {doc: "Number of Pods (default 1).", sets: "spec.replicas", value: "3"},
		"service":  {doc: "The governing Service: `service NAME`.", sets: "spec.serviceName", refs: []ir.Kind{ir.Service}},
		"storage":  {doc: "One ReadWriteOnce claim template per mount path: `{ \"/var/lib/data\" = 10Gi }`.", sets: "spec.volumeClaimTemplates"},
	},
	ir.Job: {
		"retries": {doc: "How often a failed Pod is retried (default 0).", sets: "spec.backoffLimit", value: "2"},
		"timeout": {doc: "How long the Job may run, a duration.", sets: "spec.activeDeadlineSeconds", value: "10m"},
	},
	ir.CronJob: {
		"retries":     {doc: "How often a failed Pod is retried (default 0).", sets: "spec.jobTemplate.spec.backoffLimit", value: "2"},
		"timeout":     {doc: "How long each Job may run, a duration.", sets: "spec.jobTemplate.spec.activeDeadlineSeconds", value: "10m"},
		"schedule":    {doc: "A cron expression (required).", sets: "spec.schedule", value: `"*/15 * * * *"`},
		"concurrency": {doc: "What to do when a run is still going.", sets: "spec.concurrencyPolicy", enum: []string{"Allow", "Forbid", "Replace"}},
		"suspend":     {doc: "Stop scheduling runs.", sets: "spec.suspend", enum: []string{"true", "false"}},
	},
	ir.Service: {
		"port":     {doc: "One port named http: `80` or `80 -> 8000` (the target port, a number or a container port's name).", sets: "spec.ports", value: "80 -> 8000"},
		"ports":    {doc: "Named ports: `{ http = 80 -> 8000, metrics = 9090 }`.", sets: "spec.ports"},
		"selector": {doc: "The workload whose Pods it serves (default: the workload of the same name).", sets: "spec.selector", refs: workloadKinds},
		"type":     {doc: "The Service type (default ClusterIP).", sets: "spec.type", enum: []string{"ClusterIP", "NodePort", "LoadBalancer"}},
	},
	ir.Ingress: {
		"host":    {doc: "The host name routed.", sets: "spec.rules[0].host", value: `"app.example.com"`},
		"path":    {doc: "The path routed (default \"/\").", sets: "spec.rules[0].http.paths[0].path", value: `"/"`},
		"service": {doc: "The Service traffic goes to (required).", sets: "spec.rules[0].http.paths[0].backend.service.name", refs: []ir.Kind{ir.Service}},
		"port":    {doc: "The Service port (default its first).", sets: "backend.service.port.number", value: "80"},
		"class":   {doc: "The ingress class.", sets: "spec.ingressClassName", value: `"nginx"`},
		"tls":     {doc: "The certificate: `secret NAME`.", sets: "spec.tls[0].secretName", refs: []ir.Kind{ir.Secret}},
	},
	ir.PVC: {
		"size":          {doc: "The requested size, a quantity (required).", sets: "spec.resources.requests.storage", value: "10Gi"},
		"access":        {doc: "The access mode (default ReadWriteOnce).", sets: "spec.accessModes", enum: []string{"ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"}},
		"storage_class": {doc: "The storage class.", sets: "spec.storageClassName", value: `"standard"`},
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
	return f, ok
}

// probeWords are the probe keywords.
var probeWords = []string{"http", "tcp", "grpc", "exec"}
