package emit

import (
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/wavec/wavec/compiler/ir"
)

// policyObject builds the object of an hpa, pdb, networkpolicy, role,
// clusterrole, rolebinding or clusterrolebinding; nil for other kinds.
func policyObject(p *ir.Pipeline, r *ir.Resource) runtime.Object {
	switch r.Kind {
	case ir.HPA:
		return hpa(p, r)
	case ir.PDB:
		b := r.PDB
		pdb := &policyv1.PodDisruptionBudget{TypeMeta: typeMeta("policy/v1", "PodDisruptionBudget"), ObjectMeta: meta(p, r),
			Spec: policyv1.PodDisruptionBudgetSpec{
				Selector:       &metav1.LabelSelector{MatchLabels: SelectorLabels(p, b.Selector)},
				MinAvailable:   intOrPercent(b.MinAvailable),
				MaxUnavailable: intOrPercent(b.MaxUnavailable),
			}}
		return pdb
	case ir.NetworkPolicy:
		return networkPolicy(p, r)
	case ir.Role:
		return &rbacv1.Role{TypeMeta: typeMeta("rbac.authorization.k8s.io/v1", "Role"), ObjectMeta: meta(p, r), Rules: rules(r.Role)}
	case ir.ClusterRole:
		return &rbacv1.ClusterRole{TypeMeta: typeMeta("rbac.authorization.k8s.io/v1", "ClusterRole"), ObjectMeta: meta(p, r), Rules: rules(r.Role)}
	case ir.RoleBinding:
		return &rbacv1.RoleBinding{TypeMeta: typeMeta("rbac.authorization.k8s.io/v1", "RoleBinding"), ObjectMeta: meta(p, r),
			RoleRef: roleRef(r.Binding), Subjects: subjects(p, r.Binding)}
	case ir.ClusterRoleBinding:
		return &rbacv1.ClusterRoleBinding{TypeMeta: typeMeta("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"), ObjectMeta: meta(p, r),
			RoleRef: roleRef(r.Binding), Subjects: subjects(p, r.Binding)}
	case ir.Ingress:
		return ingress(p, r)
	}
	return nil
}

func hpa(p *ir.Pipeline, r *ir.Resource) *autoscalingv2.HorizontalPodAutoscaler {
	h := r.HPA
	out := &autoscalingv2.HorizontalPodAutoscaler{TypeMeta: typeMeta("autoscaling/v2", "HorizontalPodAutoscaler"), ObjectMeta: meta(p, r),
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: h.Target.Kind.KubeKind(), Name: h.Target.Name},
			MinReplicas:    ptr.To(h.Min),
			MaxReplicas:    h.Max,
		}}
	for _, m := range []struct {
		name corev1.ResourceName
		pct  *int32
	}{{corev1.ResourceCPU, h.CPU}, {corev1.ResourceMemory, h.Memory}} {
		if m.pct == nil {
			continue
		}
		out.Spec.Metrics = append(out.Spec.Metrics, autoscalingv2.MetricSpec{
			Type: autoscalingv2.ResourceMetricSourceType,
			Resource: &autoscalingv2.ResourceMetricSource{Name: m.name, Target: autoscalingv2.MetricTarget{
				Type: autoscalingv2.UtilizationMetricType, AverageUtilization: ptr.To(*m.pct)}},
		})
	}
	return out
}

func intOrPercent(v *ir.IntOrPercent) *intstr.IntOrString {
	if v == nil {
		return nil
	}
	if v.Percent != "" {
		return ptr.To(intstr.FromString(v.Percent))
	}
	return ptr.To(intstr.FromInt32(v.Number))
}

// networkPolicy builds a NetworkPolicy: ingress from the Pods of `from` on
// `ports`, egress to the Pods of `to` and, with `dns`, to port 53 anywhere.
func networkPolicy(p *ir.Pipeline, r *ir.Resource) *networkingv1.NetworkPolicy {
	n := r.NetworkPolicy
	np := &networkingv1.NetworkPolicy{TypeMeta: typeMeta("networking.k8s.io/v1", "NetworkPolicy"), ObjectMeta: meta(p, r),
		Spec: networkingv1.NetworkPolicySpec{PodSelector: metav1.LabelSelector{MatchLabels: SelectorLabels(p, n.Selector)}}}
	peers := func(rs []*ir.Resource) []networkingv1.NetworkPolicyPeer {
		var out []networkingv1.NetworkPolicyPeer
		for _, t := range rs {
			out = append(out, networkingv1.NetworkPolicyPeer{PodSelector: &metav1.LabelSelector{MatchLabels: SelectorLabels(p, t)}})
		}
		return out
	}
	if n.Ingress {
		np.Spec.PolicyTypes = append(np.Spec.PolicyTypes, networkingv1.PolicyTypeIngress)
		if len(n.From) > 0 {
			rule := networkingv1.NetworkPolicyIngressRule{From: peers(n.From)}
			for _, pt := range n.Ports {
				rule.Ports = append(rule.Ports, networkingv1.NetworkPolicyPort{Protocol: ptr.To(corev1.ProtocolTCP), Port: ptr.To(portValue(pt))})
			}
			np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{rule}
		}
	}
	if n.Egress {
		np.Spec.PolicyTypes = append(np.Spec.PolicyTypes, networkingv1.PolicyTypeEgress)
		if len(n.To) > 0 {
			np.Spec.Egress = append(np.Spec.Egress, networkingv1.NetworkPolicyEgressRule{To: peers(n.To)})
		}
		if n.DNS {
			dns := intstr.FromInt32(53)
			np.Spec.Egress = append(np.Spec.Egress, networkingv1.NetworkPolicyEgressRule{Ports: []networkingv1.NetworkPolicyPort{
				{Protocol: ptr.To(corev1.ProtocolUDP), Port: &dns}, {Protocol: ptr.To(corev1.ProtocolTCP), Port: &dns}}})
		}
	}
	return np
}

func rules(s *ir.RoleSpec) []rbacv1.PolicyRule {
	out := []rbacv1.PolicyRule{}
	for _, r := range s.Rules {
		out = append(out, rbacv1.PolicyRule{APIGroups: r.Groups, Resources: r.Resources, ResourceNames: r.Names, Verbs: r.Verbs})
	}
	return out
}

func roleRef(b *ir.BindingSpec) rbacv1.RoleRef {
	return rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: b.Role.Kind.KubeKind(), Name: b.Role.Name}
}

func subjects(p *ir.Pipeline, b *ir.BindingSpec) []rbacv1.Subject {
	var out []rbacv1.Subject
	for _, s := range b.Subjects {
		out = append(out, rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: s.Name, Namespace: p.Namespace})
	}
	return out
}

// ingress builds an Ingress: a rule per host with its paths (of type
// Prefix unless path_type says otherwise), and the TLS entries.
func ingress(p *ir.Pipeline, r *ir.Resource) *networkingv1.Ingress {
	in := r.Ingress
	ing := &networkingv1.Ingress{TypeMeta: typeMeta("networking.k8s.io/v1", "Ingress"), ObjectMeta: meta(p, r)}
	pathType := networkingv1.PathTypePrefix
	if in.PathType != "" {
		pathType = networkingv1.PathType(in.PathType)
	}
	for _, rule := range in.Rules {
		http := &networkingv1.HTTPIngressRuleValue{}
		for _, path := range rule.Paths {
			backend := networkingv1.IngressServiceBackend{}
			if path.Service != nil {
				backend.Name = path.Service.Name
			}
			if path.Port.Name != "" {
				backend.Port.Name = path.Port.Name
			} else {
				backend.Port.Number = path.Port.Number
			}
			http.Paths = append(http.Paths, networkingv1.HTTPIngressPath{
				Path:     path.Path,
				PathType: ptr.To(pathType),
				Backend:  networkingv1.IngressBackend{Service: &backend},
			})
		}
		ing.Spec.Rules = append(ing.Spec.Rules, networkingv1.IngressRule{Host: rule.Host,
			IngressRuleValue: networkingv1.IngressRuleValue{HTTP: http}})
	}
	if in.Class != "" {
		ing.Spec.IngressClassName = ptr.To(in.Class)
	}
	for _, t := range in.TLS {
		ing.Spec.TLS = append(ing.Spec.TLS, networkingv1.IngressTLS{SecretName: t.Secret.Name, Hosts: t.Hosts})
	}
	return ing
}
