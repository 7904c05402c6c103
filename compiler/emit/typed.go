package emit

import (
	"fmt"
	"path"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/utils/ptr"

	"github.com/wavec/wavec/compiler/ir"
)

// SelectorLabels returns the labels that select a workload's Pods: its name
// and the pipeline's. They never change for a workload, as Deployment and
// StatefulSet selectors are immutable.
func SelectorLabels(p *ir.Pipeline, r *ir.Resource) map[string]string {
	return map[string]string{NameLabel: r.Name, PartOfLabel: p.Name}
}

// podLabels returns the labels of a workload's Pods.
func podLabels(p *ir.Pipeline, r *ir.Resource) map[string]string {
	out := map[string]string{}
	for k, v := range p.Labels {
		out[k] = v
	}
	for k, v := range r.Labels {
		out[k] = v
	}
	out[NameLabel] = r.Name
	out[PartOfLabel] = p.Name
	out[ManagedByLabel] = ManagedBy
	return out
}

func meta(p *ir.Pipeline, r *ir.Resource) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: r.Name, Namespace: p.Namespace}
}

func typeMeta(apiVersion, kind string) metav1.TypeMeta {
	return metav1.TypeMeta{APIVersion: apiVersion, Kind: kind}
}

// typedObject builds the k8s.io/api object of a built-in kind.
func typedObject(p *ir.Pipeline, r *ir.Resource) runtime.Object {
	switch r.Kind {
	case ir.ConfigMap:
		return &corev1.ConfigMap{TypeMeta: typeMeta("v1", "ConfigMap"), ObjectMeta: meta(p, r), Data: r.ConfigMap.Data}
	case ir.Secret:
		s := &corev1.Secret{TypeMeta: typeMeta("v1", "Secret"), ObjectMeta: meta(p, r), StringData: r.Secret.Data}
		if r.Secret.Type != "" {
			s.Type = corev1.SecretType(r.Secret.Type)
		} else {
			s.Type = corev1.SecretTypeOpaque
		}
		return s
	case ir.ServiceAccount:
		return &corev1.ServiceAccount{TypeMeta: typeMeta("v1", "ServiceAccount"), ObjectMeta: meta(p, r),
			AutomountServiceAccountToken: r.ServiceAccount.Automount}
	case ir.PVC:
		pv := &corev1.PersistentVolumeClaim{TypeMeta: typeMeta("v1", "PersistentVolumeClaim"), ObjectMeta: meta(p, r),
			Spec: corev1.PersistentVolumeClaimSpec{
				AccessModes: []corev1.PersistentVolumeAccessMode{corev1.PersistentVolumeAccessMode(r.PVC.Access)},
				Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: r.PVC.Size}},
			}}
		if r.PVC.StorageClass != "" {
			pv.Spec.StorageClassName = ptr.To(r.PVC.StorageClass)
		}
		return pv
	case ir.Service:
		return service(p, r)
	case ir.Ingress:
		return ingress(p, r)
	case ir.Deployment:
		w := r.Workload
		return &appsv1.Deployment{TypeMeta: typeMeta("apps/v1", "Deployment"), ObjectMeta: meta(p, r),
			Spec: appsv1.DeploymentSpec{
				Replicas: ptr.To(w.Replicas),
				Selector: &metav1.LabelSelector{MatchLabels: SelectorLabels(p, r)},
				Template: podTemplate(p, r, corev1.RestartPolicyAlways),
			}}
	case ir.StatefulSet:
		return statefulSet(p, r)
	case ir.Job:
		return &batchv1.Job{TypeMeta: typeMeta("batch/v1", "Job"), ObjectMeta: meta(p, r), Spec: jobSpec(p, r)}
	case ir.CronJob:
		w := r.Workload
		cj := &batchv1.CronJob{TypeMeta: typeMeta("batch/v1", "CronJob"), ObjectMeta: meta(p, r),
			Spec: batchv1.CronJobSpec{
				Schedule:          w.Schedule,
				ConcurrencyPolicy: batchv1.ConcurrencyPolicy(w.Concurrency),
				JobTemplate: batchv1.JobTemplateSpec{
					ObjectMeta: metav1.ObjectMeta{Labels: podLabels(p, r)},
					Spec:       jobSpec(p, r),
				},
			}}
		if w.Suspend {
			cj.Spec.Suspend = ptr.To(true)
		}
		return cj
	}
	panic(fmt.Sprintf("emit: no typed object for kind %s", r.Kind))
}

// jobSpec is the spec of a Job, or of a CronJob's Jobs: backoffLimit from
// retries (default 0, not Kubernetes' 6), activeDeadlineSeconds from the
// timeout, and Pods that never restart in place.
func jobSpec(p *ir.Pipeline, r *ir.Resource) batchv1.JobSpec {
	w := r.Workload
	retries := w.Retries
	if r.Placement.Retries != nil {
		retries = *r.Placement.Retries
	}
	spec := batchv1.JobSpec{BackoffLimit: ptr.To(retries), Template: podTemplate(p, r, corev1.RestartPolicyNever)}
	if t := jobDeadline(r); t != 0 {
		secs := int64((t + 999_999_999) / 1_000_000_000)
		spec.ActiveDeadlineSeconds = ptr.To(secs)
	}
	return spec
}

func statefulSet(p *ir.Pipeline, r *ir.Resource) *appsv1.StatefulSet {
	w := r.Workload
	s := &appsv1.StatefulSet{TypeMeta: typeMeta("apps/v1", "StatefulSet"), ObjectMeta: meta(p, r),
		Spec: appsv1.StatefulSetSpec{
			Replicas: ptr.To(w.Replicas),
			Selector: &metav1.LabelSelector{MatchLabels: SelectorLabels(p, r)},
			Template: podTemplate(p, r, corev1.RestartPolicyAlways),
		}}
	if w.GoverningService != nil {
		s.Spec.ServiceName = w.GoverningService.Name
	}
	names := storageNames(w.Storage)
	for i, st := range w.Storage {
		s.Spec.VolumeClaimTemplates = append(s.Spec.VolumeClaimTemplates, corev1.PersistentVolumeClaim{
			ObjectMeta: metav1.ObjectMeta{Name: names[i]},
			Spec: corev1.PersistentVolumeClaimSpec{
				AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
				Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: st.Size}},
			},
		})
		c := &s.Spec.Template.Spec.Containers[0]
		c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: names[i], MountPath: st.Path})
	}
	return s
}

// storageNames names volume claim templates after the last element of their
// path ("/var/lib/data" is "data"), or storage-N where that is not a valid,
// unique name.
func storageNames(st []ir.Storage) []string {
	out := make([]string, len(st))
	used := map[string]bool{}
	for i, s := range st {
		n := strings.ToLower(path.Base(s.Path))
		if len(validation.IsDNS1123Label(n)) > 0 || used[n] || len(n) > 40 {
			n = fmt.Sprintf("storage-%d", i)
		}
		used[n] = true
		out[i] = n
	}
	return out
}

// podTemplate builds the Pod template of a workload: one container named
// like the workload.
func podTemplate(p *ir.Pipeline, r *ir.Resource, restart corev1.RestartPolicy) corev1.PodTemplateSpec {
	w := r.Workload
	c := corev1.Container{Name: r.Name, Image: w.Image, Command: w.Command, Args: w.Args}
	for _, e := range w.Env {
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
	for _, f := range w.EnvFrom {
		ref := corev1.LocalObjectReference{Name: f.Name}
		if f.Kind == ir.Secret {
			c.EnvFrom = append(c.EnvFrom, corev1.EnvFromSource{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: ref}})
		} else {
			c.EnvFrom = append(c.EnvFrom, corev1.EnvFromSource{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: ref}})
		}
	}
	for _, pt := range w.Ports {
		c.Ports = append(c.Ports, corev1.ContainerPort{Name: pt.Name, ContainerPort: pt.Port})
	}
	if w.CPU != nil || w.Memory != nil {
		c.Resources.Requests = corev1.ResourceList{}
	}
	if w.CPU != nil {
		c.Resources.Requests[corev1.ResourceCPU] = *w.CPU
	}
	if w.Memory != nil || w.CPULimit != nil {
		c.Resources.Limits = corev1.ResourceList{}
	}
	if w.Memory != nil {
		c.Resources.Requests[corev1.ResourceMemory] = *w.Memory
		c.Resources.Limits[corev1.ResourceMemory] = *w.Memory
	}
	if w.CPULimit != nil {
		c.Resources.Limits[corev1.ResourceCPU] = *w.CPULimit
	}
	c.ReadinessProbe = probe(w.Ready, w.Ports)
	c.LivenessProbe = probe(w.Live, w.Ports)
	c.StartupProbe = probe(w.Startup, w.Ports)

	spec := corev1.PodSpec{Containers: nil}
	if restart != corev1.RestartPolicyAlways {
		spec.RestartPolicy = restart
	}
	names := volumeNames(w.Mounts)
	for i, m := range w.Mounts {
		vol := corev1.Volume{Name: names[i]}
		vm := corev1.VolumeMount{Name: names[i], MountPath: m.Path}
		switch m.From.Kind {
		case ir.ConfigMap:
			vol.ConfigMap = &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: m.From.Name}}
			vm.ReadOnly = true
		case ir.Secret:
			vol.Secret = &corev1.SecretVolumeSource{SecretName: m.From.Name}
			vm.ReadOnly = true
		case ir.PVC:
			vol.PersistentVolumeClaim = &corev1.PersistentVolumeClaimVolumeSource{ClaimName: m.From.Name}
		}
		spec.Volumes = append(spec.Volumes, vol)
		c.VolumeMounts = append(c.VolumeMounts, vm)
	}
	if w.ServiceAccount != nil {
		spec.ServiceAccountName = w.ServiceAccount.Name
	}
	if w.Restricted {
		spec.SecurityContext = &corev1.PodSecurityContext{
			RunAsNonRoot:   ptr.To(true),
			SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		}
		c.SecurityContext = &corev1.SecurityContext{
			AllowPrivilegeEscalation: ptr.To(false),
			Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
			RunAsNonRoot:             ptr.To(true),
			SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		}
	}
	if w.User != nil {
		if c.SecurityContext == nil {
			c.SecurityContext = &corev1.SecurityContext{}
		}
		c.SecurityContext.RunAsUser = w.User
	}
	spec.Containers = []corev1.Container{c}
	return corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: podLabels(p, r)}, Spec: spec}
}

// volumeNames names the volumes of mounts after what they mount
// ("configmap-agent-config"), or volume-N where that is not a valid, unique
// name.
func volumeNames(ms []ir.Mount) []string {
	out := make([]string, len(ms))
	used := map[string]bool{}
	for i, m := range ms {
		n := m.From.Kind.String() + "-" + m.From.Name
		if len(validation.IsDNS1123Label(n)) > 0 || used[n] {
			n = fmt.Sprintf("volume-%d", i)
		}
		used[n] = true
		out[i] = n
	}
	return out
}

func portValue(ref ir.PortRef) intstr.IntOrString {
	if ref.Name != "" {
		return intstr.FromString(ref.Name)
	}
	return intstr.FromInt32(ref.Number)
}

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
	return out
}

func service(p *ir.Pipeline, r *ir.Resource) *corev1.Service {
	s := r.Service
	svc := &corev1.Service{TypeMeta: typeMeta("v1", "Service"), ObjectMeta: meta(p, r),
		Spec: corev1.ServiceSpec{Type: corev1.ServiceType(s.Type)}}
	if s.Selector != nil {
		svc.Spec.Selector = SelectorLabels(p, s.Selector)
	}
	for _, pt := range s.Ports {
		target := pt.Target
		if target.IsZero() {
			target = ir.PortRef{Number: pt.Port}
		}
		svc.Spec.Ports = append(svc.Spec.Ports, corev1.ServicePort{Name: pt.Name, Port: pt.Port, TargetPort: portValue(target)})
	}
	return svc
}

func ingress(p *ir.Pipeline, r *ir.Resource) *networkingv1.Ingress {
	in := r.Ingress
	backend := networkingv1.IngressServiceBackend{}
	if in.Service != nil {
		backend.Name = in.Service.Name
	}
	if in.Port.Name != "" {
		backend.Port.Name = in.Port.Name
	} else {
		backend.Port.Number = in.Port.Number
	}
	ing := &networkingv1.Ingress{TypeMeta: typeMeta("networking.k8s.io/v1", "Ingress"), ObjectMeta: meta(p, r),
		Spec: networkingv1.IngressSpec{Rules: []networkingv1.IngressRule{{
			Host: in.Host,
			IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{{
				Path:     in.Path,
				PathType: ptr.To(networkingv1.PathTypePrefix),
				Backend:  networkingv1.IngressBackend{Service: &backend},
			}}}},
		}}}}
	if in.Class != "" {
		ing.Spec.IngressClassName = ptr.To(in.Class)
	}
	if in.TLS != nil {
		tls := networkingv1.IngressTLS{SecretName: in.TLS.Name}
		if in.Host != "" {
			tls.Hosts = []string{in.Host}
		}
		ing.Spec.TLS = []networkingv1.IngressTLS{tls}
	}
	return ing
}
