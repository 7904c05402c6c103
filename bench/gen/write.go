package gen

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Contents of the generated objects, shared by all three writers.
const (
	logLevel    = "info"
	features    = "search,export"
	migrateRun  = "shop migrate --to latest"
	appPort     = 8080
	servicePort = 80
	appCPU      = "50m"
	appMemory   = "64Mi"
	smokeRun    = "curl -fsS http://app-0000/healthz"
	migrateTime = 300 // seconds: the migration's timeout
	migrateTry  = 1   // the migration's retries (backoffLimit)
)

func databaseURL(ns string) string { return "postgres://db." + ns + ".svc:5432/shop" }

func upstream(ns string) string { return "http://app-0000." + ns + ".svc" }

// WriteWave writes the release as a .wave pipeline into dir: pipeline.wave
// with the header, parameters and hooks, and one file per sync wave.
func WriteWave(dir string, o Options) error {
	r, err := build(o)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Benchmark release: %d objects in %d sync waves, with PreSync and PostSync hooks.\n", r.opts.Resources, r.opts.Waves)
	fmt.Fprintf(&b, "pipeline %s in %s\n\n", Pipeline, r.opts.Namespace)
	fmt.Fprintf(&b, "param image = %q\nparam replicas = 1\nparam log_level = %q\n\n", r.opts.Image, logLevel)
	fmt.Fprintf(&b, "configmap migrate-config {\n  DATABASE_URL = \"postgres://db.${namespace}.svc:5432/shop\"\n}\n\n")
	fmt.Fprintf(&b, "job migrate {\n  image    = image\n  user     = 10001\n  run      = %q\n  env_from = [configmap migrate-config]\n}\n\n", migrateRun)
	fmt.Fprintf(&b, "job smoke {\n  image = %q\n  user  = 10001\n  run   = %q\n}\n\n", SmokeImage, smokeRun)
	for _, name := range r.shared {
		fmt.Fprintf(&b, "configmap %s {\n  LOG_LEVEL = log_level\n}\n\n", name)
	}
	fmt.Fprintf(&b, "presync wave -1 < configmap migrate-config >\n")
	fmt.Fprintf(&b, "presync migrate delete before-create timeout %dm retries %d\n", migrateTime/60, migrateTry)
	fmt.Fprintf(&b, "postsync smoke delete before-create, on-success\n")
	if err := os.WriteFile(filepath.Join(dir, "pipeline.wave"), b.Bytes(), 0o644); err != nil {
		return err
	}
	for _, s := range r.steps {
		if s.Phase != Sync {
			continue
		}
		b.Reset()
		var members []string
		for _, ob := range s.Objects {
			if ob.app == "" || ob.kind != "ConfigMap" {
				continue
			}
			app := ob.app
			fmt.Fprintf(&b, "configmap %s-config {\n  LOG_LEVEL     = log_level\n  UPSTREAM      = \"http://app-0000.${namespace}.svc\"\n  FEATURE_FLAGS = %q\n}\n", app, features)
			fmt.Fprintf(&b, "deployment %s {\n  image    = image\n  user     = 10001\n  replicas = replicas\n  port     = %d\n  env_from = [configmap %s-config]\n  ready    = http \"/healthz\" on %d\n  cpu      = %s\n  memory   = %s\n}\n", app, appPort, app, appPort, appCPU, appMemory)
			fmt.Fprintf(&b, "service %s { port = %d -> %d }\n\n", app, servicePort, appPort)
			members = append(members, "configmap "+app+"-config", "deployment "+app, "service "+app)
		}
		if len(members) > 0 {
			fmt.Fprintf(&b, "wave %d <\n  %s\n>\n", s.Wave, strings.Join(members, ",\n  "))
		}
		name := fmt.Sprintf("wave-%03d.wave", s.Wave)
		if err := os.WriteFile(filepath.Join(dir, name), b.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// dialect says how the Helm chart and the plain YAML differ: the chart takes
// the image, replicas and namespace from Helm's values and release, and
// writes hooks as Helm hooks.
type dialect struct {
	helm bool
}

func (d dialect) image(o Options) string {
	if d.helm {
		return "{{ .Values.image | quote }}"
	}
	return fmt.Sprintf("%q", o.Image)
}

func (d dialect) replicas() string {
	if d.helm {
		return "{{ .Values.replicas }}"
	}
	return "1"
}

func (d dialect) logLevel() string {
	if d.helm {
		return "{{ .Values.logLevel | quote }}"
	}
	return fmt.Sprintf("%q", logLevel)
}

// metadata writes an object's metadata at indentation 0.
func (d dialect) metadata(b *bytes.Buffer, ob *object, o Options) {
	fmt.Fprintf(b, "metadata:\n  name: %s\n", ob.name)
	if d.helm {
		fmt.Fprintf(b, "  namespace: {{ .Release.Namespace }}\n")
	}
	fmt.Fprintf(b, "  labels:\n    app.kubernetes.io/name: %s\n", labelName(ob))
	d.commonLabels(b, 4)
	var ann []string
	switch {
	case ob.phase == Sync:
		if ob.wave != 0 {
			ann = append(ann, fmt.Sprintf("argocd.argoproj.io/sync-wave: %q", fmt.Sprint(ob.wave)))
		}
	case d.helm:
		hook := "pre-install,pre-upgrade"
		if ob.phase == PostSync {
			hook = "post-install,post-upgrade"
		}
		policy := "before-hook-creation"
		if ob.deletePolicy != "" {
			policy = strings.NewReplacer(BeforeHookCreation, "before-hook-creation", HookSucceeded, "hook-succeeded").Replace(ob.deletePolicy)
		}
		ann = append(ann,
			"helm.sh/hook: "+hook,
			fmt.Sprintf("helm.sh/hook-weight: %q", fmt.Sprint(ob.wave)),
			"helm.sh/hook-delete-policy: "+policy)
	default:
		ann = append(ann, "argocd.argoproj.io/hook: "+ob.phase)
		if ob.wave != 0 {
			ann = append(ann, fmt.Sprintf("argocd.argoproj.io/sync-wave: %q", fmt.Sprint(ob.wave)))
		}
		policy := ob.deletePolicy
		if policy == "" {
			policy = BeforeHookCreation
		}
		ann = append(ann, "argocd.argoproj.io/hook-delete-policy: "+policy)
	}
	if len(ann) > 0 {
		fmt.Fprintf(b, "  annotations:\n    %s\n", strings.Join(ann, "\n    "))
	}
}

func labelName(ob *object) string {
	if ob.app != "" {
		return ob.app
	}
	return ob.name
}

func (d dialect) commonLabels(b *bytes.Buffer, indent int) {
	if d.helm {
		fmt.Fprintf(b, "    {{- include \"shop.labels\" . | nindent %d }}\n", indent)
		return
	}
	pad := strings.Repeat(" ", indent)
	fmt.Fprintf(b, "%sapp.kubernetes.io/part-of: %s\n%sapp.kubernetes.io/managed-by: kustomize\n", pad, Pipeline, pad)
}

const restricted = `          securityContext:
            allowPrivilegeEscalation: false
            capabilities:
              drop: ["ALL"]
            runAsNonRoot: true
            runAsUser: 10001
            seccompProfile:
              type: RuntimeDefault
`

// object writes one YAML document.
func (d dialect) object(b *bytes.Buffer, ob *object, o Options) {
	b.WriteString("---\n")
	switch ob.kind {
	case "ConfigMap":
		b.WriteString("apiVersion: v1\nkind: ConfigMap\n")
		d.metadata(b, ob, o)
		b.WriteString("data:\n")
		switch {
		case ob.name == "migrate-config":
			if d.helm {
				fmt.Fprintf(b, "  DATABASE_URL: \"postgres://db.{{ .Release.Namespace }}.svc:5432/shop\"\n")
			} else {
				fmt.Fprintf(b, "  DATABASE_URL: %q\n", databaseURL(o.Namespace))
			}
		case ob.app == "":
			fmt.Fprintf(b, "  LOG_LEVEL: %s\n", d.logLevel())
		default:
			fmt.Fprintf(b, "  FEATURE_FLAGS: %q\n  LOG_LEVEL: %s\n", features, d.logLevel())
			if d.helm {
				fmt.Fprintf(b, "  UPSTREAM: \"http://app-0000.{{ .Release.Namespace }}.svc\"\n")
			} else {
				fmt.Fprintf(b, "  UPSTREAM: %q\n", upstream(o.Namespace))
			}
		}
	case "Deployment":
		b.WriteString("apiVersion: apps/v1\nkind: Deployment\n")
		d.metadata(b, ob, o)
		fmt.Fprintf(b, "spec:\n  replicas: %s\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: %s\n      app.kubernetes.io/part-of: %s\n", d.replicas(), ob.app, Pipeline)
		fmt.Fprintf(b, "  template:\n    metadata:\n      labels:\n        app.kubernetes.io/name: %s\n", ob.app)
		if d.helm {
			b.WriteString("        {{- include \"shop.labels\" . | nindent 8 }}\n")
		} else {
			d.commonLabels(b, 8)
		}
		fmt.Fprintf(b, "    spec:\n      containers:\n        - name: %s\n          image: %s\n", ob.app, d.image(o))
		fmt.Fprintf(b, "          ports:\n            - name: http\n              containerPort: %d\n", appPort)
		fmt.Fprintf(b, "          envFrom:\n            - configMapRef:\n                name: %s-config\n", ob.app)
		fmt.Fprintf(b, "          readinessProbe:\n            httpGet:\n              path: /healthz\n              port: %d\n", appPort)
		fmt.Fprintf(b, "          resources:\n            requests:\n              cpu: %s\n              memory: %s\n            limits:\n              memory: %s\n", appCPU, appMemory, appMemory)
		b.WriteString(restricted)
	case "Service":
		b.WriteString("apiVersion: v1\nkind: Service\n")
		d.metadata(b, ob, o)
		fmt.Fprintf(b, "spec:\n  type: ClusterIP\n  selector:\n    app.kubernetes.io/name: %s\n    app.kubernetes.io/part-of: %s\n", ob.app, Pipeline)
		fmt.Fprintf(b, "  ports:\n    - name: http\n      port: %d\n      targetPort: %d\n", servicePort, appPort)
	case "Job":
		b.WriteString("apiVersion: batch/v1\nkind: Job\n")
		d.metadata(b, ob, o)
		b.WriteString("spec:\n")
		image, run := d.image(o), migrateRun
		if ob.name == "smoke" {
			image, run = fmt.Sprintf("%q", SmokeImage), smokeRun
			b.WriteString("  backoffLimit: 0\n")
		} else {
			fmt.Fprintf(b, "  backoffLimit: %d\n  activeDeadlineSeconds: %d\n", migrateTry, migrateTime)
		}
		fmt.Fprintf(b, "  template:\n    metadata:\n      labels:\n        app.kubernetes.io/name: %s\n", ob.name)
		if d.helm {
			b.WriteString("        {{- include \"shop.labels\" . | nindent 8 }}\n")
		} else {
			d.commonLabels(b, 8)
		}
		fmt.Fprintf(b, "    spec:\n      restartPolicy: Never\n      containers:\n        - name: %s\n          image: %s\n", ob.name, image)
		fmt.Fprintf(b, "          command: [\"/bin/sh\", \"-c\"]\n          args: [%q]\n", run)
		if ob.name == "migrate" {
			b.WriteString("          envFrom:\n            - configMapRef:\n                name: migrate-config\n")
		}
		b.WriteString(restricted)
	default:
		panic("gen: unknown kind " + ob.kind)
	}
}

// writeSteps writes one YAML file per step into dir and returns their names.
func (d dialect) writeSteps(dir string, r *release) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var names []string
	var b bytes.Buffer
	for i, s := range r.steps {
		b.Reset()
		for _, ob := range s.Objects {
			d.object(&b, ob, r.opts)
		}
		name := s.FileName(i) + ".yaml"
		if err := os.WriteFile(filepath.Join(dir, name), b.Bytes(), 0o644); err != nil {
			return nil, err
		}
		names = append(names, name)
	}
	return names, nil
}

// WriteHelm writes the release as a Helm chart into dir. Plain resources
// carry Argo CD sync-wave annotations, as charts deployed by Argo CD do (Helm
// itself orders them only by kind); hooks are Helm hooks with weights, which
// Argo CD reads as PreSync and PostSync hooks in those waves.
func WriteHelm(dir string, o Options) error {
	r, err := build(o)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	chart := fmt.Sprintf("apiVersion: v2\nname: %s\ndescription: Benchmark release with %d objects in %d sync waves\ntype: application\nversion: 0.1.0\nappVersion: \"1.4.2\"\n", Pipeline, r.opts.Resources, r.opts.Waves)
	values := fmt.Sprintf("image: %q\nreplicas: 1\nlogLevel: %q\n", r.opts.Image, logLevel)
	helpers := "{{/* Labels every object of the chart carries. */}}\n" +
		"{{- define \"shop.labels\" -}}\n" +
		"app.kubernetes.io/part-of: {{ .Chart.Name }}\n" +
		"app.kubernetes.io/managed-by: {{ .Release.Service }}\n" +
		"{{- end }}\n"
	for name, text := range map[string]string{"Chart.yaml": chart, "values.yaml": values} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			return err
		}
	}
	tdir := filepath.Join(dir, "templates")
	if _, err := (dialect{helm: true}).writeSteps(tdir, r); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(tdir, "_helpers.tpl"), []byte(helpers), 0o644)
}

// WriteKustomize writes the release as Argo CD-annotated YAML into dir, one
// file per sync step (lexical order is sync order), and a kustomization.yaml
// that lists them and sets the namespace.
func WriteKustomize(dir string, o Options) error {
	r, err := build(o)
	if err != nil {
		return err
	}
	names, err := (dialect{}).writeSteps(dir, r)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: %s\nresources:\n", r.opts.Namespace)
	for _, n := range names {
		fmt.Fprintf(&b, "  - %s\n", n)
	}
	return os.WriteFile(filepath.Join(dir, "kustomization.yaml"), b.Bytes(), 0o644)
}

// WriteAll writes the three inputs into dir/wave, dir/helm and dir/kustomize.
func WriteAll(dir string, o Options) error {
	if err := WriteWave(filepath.Join(dir, "wave"), o); err != nil {
		return err
	}
	if err := WriteHelm(filepath.Join(dir, "helm"), o); err != nil {
		return err
	}
	return WriteKustomize(filepath.Join(dir, "kustomize"), o)
}
