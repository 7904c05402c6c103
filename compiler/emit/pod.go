package emit

import (
	"fmt"
	"k8s.io/utils/ptr"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/wavec/wavec/compiler/ir"
)

// podTemplate builds the Pod template of a workload: its main container
// named like the workload, its further containers, init containers and
// sidecars, and the volumes they mount.
func podTemplate(p *ir.Pipeline, r *ir.Resource, restart corev1.RestartPolicy) corev1.PodTemplateSpec {
	w := r.Workload
	spec := corev1.PodSpec{}
	if restart != corev1.RestartPolicyAlways {
		spec.RestartPolicy = restart
	}
	vols := newVolumeSet(w)
	spec.Containers = append(spec.Containers, container(w, &w.Container, vols))
	for _, ct := range w.Containers {
		spec.Containers = append(spec.Containers, container(w, ct, vols))
	}
	for _, ct := range w.Init {
		c := container(w, ct, vols)
		if ct.Sidecar {
			c.RestartPolicy = ptr.To(corev1.ContainerRestartPolicyAlways)
		}
		spec.InitContainers = append(spec.InitContainers, c)
	}
	spec.Volumes = vols.volumes()
	if w.ServiceAccount != nil {
		spec.ServiceAccountName = w.ServiceAccount.Name
	}
	for _, s := range w.PullSecrets {
		spec.ImagePullSecrets = append(spec.ImagePullSecrets, corev1.LocalObjectReference{Name: s.Name})
	}
	spec.TerminationGracePeriodSeconds = w.GracePeriod
	if w.Restricted {
		spec.SecurityContext = &corev1.PodSecurityContext{
			RunAsNonRoot:   ptr.To(true),
			SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		}
	}
	return corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: podLabels(p, r)}, Spec: spec}
}

// container builds one container of workload w.
func container(w *ir.WorkloadSpec, ct *ir.Container, vols *volumeSet) corev1.Container {
	c := corev1.Container{Name: ct.Name, Image: ct.Image, Command: ct.Command, Args: ct.Args}
	for _, e := range ct.Env {
		v := corev1.EnvVar{Name: e.Name, Value: e.Value}
		switch {
		case e.From != nil && e.From.Kind == ir.Secret:
			v.ValueFrom = &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
				LocalObjectReference: corev1.LocalObjectReference{Name: e.From.Name}, Key: e.Key}}
		case e.From != nil:
			v.ValueFrom = &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{
				LocalObjectReference: corev1.LocalObjectReference{Name: e.From.Name}, Key: e.Key}}
		}
		c.Env = append(c.Env, v)
	}
	for _, f := range ct.EnvFrom {
		ref := corev1.LocalObjectReference{Name: f.Name}
		if f.Kind == ir.Secret {
			c.EnvFrom = append(c.EnvFrom, corev1.EnvFromSource{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: ref}})
		} else {
			c.EnvFrom = append(c.EnvFrom, corev1.EnvFromSource{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: ref}})
		}
	}
	for _, pt := range ct.Ports {
		c.Ports = append(c.Ports, corev1.ContainerPort{Name: pt.Name, ContainerPort: pt.Port})
	}
	if ct.CPU != nil || ct.Memory != nil {
		c.Resources.Requests = corev1.ResourceList{}
	}
	if ct.CPU != nil {
		c.Resources.Requests[corev1.ResourceCPU] = *ct.CPU
	}
	if ct.Memory != nil {
		c.Resources.Requests[corev1.ResourceMemory] = *ct.Memory
	}
	if ct.MemoryLimits() != nil || ct.CPULimit != nil {
		c.Resources.Limits = corev1.ResourceList{}
	}
	if m := ct.MemoryLimits(); m != nil {
		c.Resources.Limits[corev1.ResourceMemory] = *m
	}
	if ct.CPULimit != nil {
		c.Resources.Limits[corev1.ResourceCPU] = *ct.CPULimit
	}
	c.ReadinessProbe = probe(ct.Ready, ct.Ports)
	c.LivenessProbe = probe(ct.Live, ct.Ports)
	c.StartupProbe = probe(ct.Startup, ct.Ports)
	for _, m := range ct.Mounts {
		c.VolumeMounts = append(c.VolumeMounts, vols.mount(m))
	}
	if w.Restricted {
		c.SecurityContext = &corev1.SecurityContext{
			AllowPrivilegeEscalation: ptr.To(false),
			Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
			RunAsNonRoot:             ptr.To(true),
			SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		}
	}
	if ct.User != nil {
		if c.SecurityContext == nil {
			c.SecurityContext = &corev1.SecurityContext{}
		}
		c.SecurityContext.RunAsUser = ct.User
	}
	return c
}

// volumeSet collects the volumes a workload's containers mount: one per
// ConfigMap, Secret or PVC, named after it ("configmap-agent-config", or
// volume-N where that is not a valid, unique name), and the workload's own
// volumes by their names.
type volumeSet struct {
	w     *ir.WorkloadSpec
	names map[*ir.Resource]string
	used  map[string]bool
	refs  []corev1.Volume
}

func newVolumeSet(w *ir.WorkloadSpec) *volumeSet {
	vs := &volumeSet{w: w, names: map[*ir.Resource]string{}, used: map[string]bool{}}
	for _, v := range w.Volumes {
		vs.used[v.Name] = true
	}
	// Name the volumes in the order of the containers and their mounts, so
	// that names do not depend on which container mounts first.
	for _, ct := range w.AllContainers() {
		for _, m := range ct.Mounts {
			if m.From != nil {
				vs.name(m.From)
			}
		}
	}
	return vs
}

// name returns the volume name of a mounted ConfigMap, Secret or PVC,
// adding its volume on first use.
func (vs *volumeSet) name(t *ir.Resource) string {
	if n, ok := vs.names[t]; ok {
		return n
	}
	n := t.Kind.String() + "-" + t.Name
	if len(validation.IsDNS1123Label(n)) > 0 || vs.used[n] {
		n = fmt.Sprintf("volume-%d", len(vs.refs))
		for vs.used[n] {
			n += "-x"
		}
	}
	vs.used[n] = true
	vs.names[t] = n
	vol := corev1.Volume{Name: n}
	switch t.Kind {
	case ir.ConfigMap:
		vol.ConfigMap = &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: t.Name}}
	case ir.Secret:
		vol.Secret = &corev1.SecretVolumeSource{SecretName: t.Name}
	case ir.PVC:
		vol.PersistentVolumeClaim = &corev1.PersistentVolumeClaimVolumeSource{ClaimName: t.Name}
	}
	vs.refs = append(vs.refs, vol)
	return n
}

// mount returns the volume mount of m. ConfigMaps and Secrets are mounted
// read-only; a single key is mounted as the file at the path (subPath).
func (vs *volumeSet) mount(m ir.Mount) corev1.VolumeMount {
	if m.From == nil {
		return corev1.VolumeMount{Name: m.Volume, MountPath: m.Path}
	}
	vm := corev1.VolumeMount{Name: vs.name(m.From), MountPath: m.Path, SubPath: m.Key}
	if m.From.Kind == ir.ConfigMap || m.From.Kind == ir.Secret {
		vm.ReadOnly = true
	}
	return vm
}

// volumes returns the Pod's volumes: the mounted objects in order of first
// mount, then the workload's own volumes by name.
func (vs *volumeSet) volumes() []corev1.Volume {
	out := append([]corev1.Volume(nil), vs.refs...)
	for _, v := range vs.w.Volumes {
		vol := corev1.Volume{Name: v.Name}
		if len(v.Projected) > 0 {
			src := &corev1.ProjectedVolumeSource{}
			for _, t := range v.Projected {
				ref := corev1.LocalObjectReference{Name: t.Name}
				if t.Kind == ir.Secret {
					src.Sources = append(src.Sources, corev1.VolumeProjection{Secret: &corev1.SecretProjection{LocalObjectReference: ref}})
				} else {
					src.Sources = append(src.Sources, corev1.VolumeProjection{ConfigMap: &corev1.ConfigMapProjection{LocalObjectReference: ref}})
				}
			}
			vol.Projected = src
		} else {
			vol.EmptyDir = &corev1.EmptyDirVolumeSource{SizeLimit: v.SizeLimit}
			if v.Memory {
				vol.EmptyDir.Medium = corev1.StorageMediumMemory
			}
		}
		out = append(out, vol)
	}
	return out
}

// probe builds a probe with its timings.
func probe(pr *ir.Probe, ports []ir.Port) *corev1.Probe {
	if pr == nil {
		return nil
	}
	out := &corev1.Probe{}
	switch pr.Type {
	case ir.HTTPProbe:
		out.HTTPGet = &corev1.HTTPGetAction{Path: pr.Path, Port: portValue(pr.Port)}
	case ir.TCPProbe:
		out.TCPSocket = &corev1.TCPSocketAction{Port: portValue(pr.Port)}
	case ir.GRPCProbe:
		n := pr.Port.Number
		for _, p := range ports {
			if pr.Port.Name != "" && p.Name == pr.Port.Name {
				n = p.Port
			}
		}
		out.GRPC = &corev1.GRPCAction{Port: n}
	case ir.ExecProbe:
		out.Exec = &corev1.ExecAction{Command: pr.Command}
	}
	t := pr.Timing
	out.InitialDelaySeconds = seconds(t.Delay)
	out.PeriodSeconds = seconds(t.Period)
	out.TimeoutSeconds = seconds(t.Timeout)
	out.FailureThreshold = t.Failures
	out.SuccessThreshold = t.Successes
	return out
}

// seconds returns d in whole seconds; the checker allows nothing else.
func seconds(d time.Duration) int32 { return int32(d / time.Second) }
