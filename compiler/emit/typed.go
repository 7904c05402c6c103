package emit

import (
	"fmt"
	"path"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/utils/ptr"

	"github.com/wavec/wavec/compiler/ir"
)

// SelectorLabels returns the labels that select a workload's Pods: its own
// `selector` when it has one, else its name and the pipeline's. They never
// change for a workload, as Deployment and StatefulSet selectors are
// immutable.
func SelectorLabels(p *ir.Pipeline, r *ir.Resource) map[string]string {
	if r.Workload != nil && r.Workload.Selector != nil {
		out := make(map[string]string, len(r.Workload.Selector))
		for k, v := range r.Workload.Selector {
			out[k] = v
		}
		return out
	}
	return map[string]string{NameLabel: PodNameLabel(r), PartOfLabel: p.Name}
}

// ObjectNameLabel returns the value of app.kubernetes.io/name on a typed
// declaration's object: the one its `labels` give, else its name.
func ObjectNameLabel(r *ir.Resource) string {
	if v, ok := r.Labels[NameLabel]; ok {
		return v
	}
	return r.Name
}

// PodNameLabel returns the value of app.kubernetes.io/name on a
// workload's Pods: the one its own selector gives, else its object's.
func PodNameLabel(r *ir.Resource) string {
	if r.Workload != nil {
		if v, ok := r.Workload.Selector[NameLabel]; ok {
			return v
		}
	}
	return ObjectNameLabel(r)
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
	if r.Workload != nil {
		for k, v := range r.Workload.Selector {
			out[k] = v
		}
	}
	out[NameLabel] = PodNameLabel(r)
	out[PartOfLabel] = p.Name
	out[ManagedByLabel] = ManagedBy
	return out
}

func meta(p *ir.Pipeline, r *ir.Resource) metav1.ObjectMeta {
	m := metav1.ObjectMeta{Name: r.Name, Namespace: p.Namespace}
	if r.Kind.ClusterScoped() {
		m.Namespace = ""
	}
	if r.GenerateName != "" { // a hook Argo CD names at each sync
		m.Name, m.GenerateName = "", r.GenerateName
	}
	return m
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
	case ir.Deployment:
		w := r.Workload
		dep := &appsv1.Deployment{TypeMeta: typeMeta("apps/v1", "Deployment"), ObjectMeta: meta(p, r),
			Spec: appsv1.DeploymentSpec{
				Selector: &metav1.LabelSelector{MatchLabels: SelectorLabels(p, r)},
				Template: podTemplate(p, r, corev1.RestartPolicyAlways),
			}}
		if !w.Autoscaled {
			dep.Spec.Replicas = ptr.To(w.Replicas)
		}
		return dep
	case ir.DaemonSet:
		return &appsv1.DaemonSet{TypeMeta: typeMeta("apps/v1", "DaemonSet"), ObjectMeta: meta(p, r),
			Spec: appsv1.DaemonSetSpec{
				Selector: &metav1.LabelSelector{MatchLabels: SelectorLabels(p, r)},
				Template: podTemplate(p, r, corev1.RestartPolicyAlways),
			}}
	case ir.ReplicaSet:
		rs := &appsv1.ReplicaSet{TypeMeta: typeMeta("apps/v1", "ReplicaSet"), ObjectMeta: meta(p, r),
			Spec: appsv1.ReplicaSetSpec{
				Selector: &metav1.LabelSelector{MatchLabels: SelectorLabels(p, r)},
				Template: podTemplate(p, r, corev1.RestartPolicyAlways),
			}}
		if !r.Workload.Autoscaled {
			rs.Spec.Replicas = ptr.To(r.Workload.Replicas)
		}
		return rs
	case ir.StatefulSet:
		return statefulSet(p, r)
	case ir.Job:
		return &batchv1.Job{TypeMeta: typeMeta("batch/v1", "Job"), ObjectMeta: meta(p, r), Spec: jobSpec(p, r)}
	case ir.Pod:
		// A bare Pod is mostly a hook that runs to completion: it never
		// restarts in place unless its `pod { restartPolicy = ... }` says so.
		return &corev1.Pod{TypeMeta: typeMeta("v1", "Pod"), ObjectMeta: meta(p, r),
			Spec: podTemplate(p, r, corev1.RestartPolicyNever).Spec}
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
		if w.TimeZone != "" {
			cj.Spec.TimeZone = ptr.To(w.TimeZone)
		}
		cj.Spec.SuccessfulJobsHistoryLimit = w.KeepSucceeded
		cj.Spec.FailedJobsHistoryLimit = w.KeepFailed
		return cj
	}
	if obj := policyObject(p, r); obj != nil {
		return obj
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
			Selector: &metav1.LabelSelector{MatchLabels: SelectorLabels(p, r)},
			Template: podTemplate(p, r, corev1.RestartPolicyAlways),
		}}
	if !w.Autoscaled {
		s.Spec.Replicas = ptr.To(w.Replicas)
	}
	if w.GoverningService != nil {
		s.Spec.ServiceName = w.GoverningService.Name
	}
	names := storageNames(w.Storage)
	for i, st := range w.Storage {
		claim := corev1.PersistentVolumeClaim{
			ObjectMeta: metav1.ObjectMeta{Name: names[i]},
			Spec: corev1.PersistentVolumeClaimSpec{
				AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
				Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: st.Size}},
			},
		}
		if w.StorageClass != "" {
			claim.Spec.StorageClassName = ptr.To(w.StorageClass)
		}
		s.Spec.VolumeClaimTemplates = append(s.Spec.VolumeClaimTemplates, claim)
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

func portValue(ref ir.PortRef) intstr.IntOrString {
	if ref.Name != "" {
		return intstr.FromString(ref.Name)
	}
	return intstr.FromInt32(ref.Number)
}

func service(p *ir.Pipeline, r *ir.Resource) *corev1.Service {
	s := r.Service
	svc := &corev1.Service{TypeMeta: typeMeta("v1", "Service"), ObjectMeta: meta(p, r),
		Spec: corev1.ServiceSpec{Type: corev1.ServiceType(s.Type)}}
	if s.Headless {
		svc.Spec.ClusterIP = corev1.ClusterIPNone
	}
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
