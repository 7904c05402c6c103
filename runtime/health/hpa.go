package health

import (
	"encoding/json"
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// hpaConditionsAnnotation is where autoscaling/v1, which has no conditions
// in its status, carries the conditions of the autoscaling/v2 object as
// JSON.
const hpaConditionsAnnotation = "autoscaling.alpha.kubernetes.io/conditions"

// hpaCondition is the part of a HorizontalPodAutoscaler condition the
// check reads.
type hpaCondition struct {
	Type    string `json:"type"`
	Status  string `json:"status"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

// hpaDegraded lists the condition types and reasons by which the HPA
// controller says it cannot scale the target: the target (or its scale
// subresource) cannot be read or written, a resource metric cannot be
// read, or the target's selector is invalid.
var hpaDegraded = []struct{ Type, Reason string }{
	{"AbleToScale", "FailedGetScale"},
	{"AbleToScale", "FailedUpdateScale"},
	{"ScalingActive", "FailedGetResourceMetric"},
	{"ScalingActive", "InvalidSelector"},
}

// horizontalPodAutoscaler judges an HPA by its conditions, in the order the
// controller wrote them: the first that is either a failure listed in
// hpaDegraded (Degraded) or a true AbleToScale or ScalingLimited condition
// (Healthy) decides, with that condition's reason and message. An HPA with
// neither is Progressing: the controller has not looked at it yet.
//
// autoscaling/v2, v2beta2 and v2beta1 keep the conditions in
// status.conditions; autoscaling/v1 keeps them in the
// autoscaling.alpha.kubernetes.io/conditions annotation. A target that does
// not exist makes an HPA Degraded (AbleToScale is False with reason
// FailedGetScale), which is why an HPA must come after its target.
func horizontalPodAutoscaler(obj *unstructured.Unstructured) Result {
	conds, err := hpaConditions(obj)
	if err != nil {
		return Result{Status: Unknown, Message: "cannot read HorizontalPodAutoscaler: " + err.Error()}
	}
	for _, c := range conds {
		for _, d := range hpaDegraded {
			if c.Type == d.Type && c.Reason == d.Reason {
				return Result{Status: Degraded, Message: joinMessage(c.Reason, c.Message)}
			}
		}
		if (c.Type == "AbleToScale" || c.Type == "ScalingLimited") && c.Status == "True" {
			return Result{Status: Healthy, Message: joinMessage(c.Reason, c.Message)}
		}
	}
	return Result{Status: Progressing, Message: "HorizontalPodAutoscaler: waiting for the controller to autoscale"}
}

// hpaConditions reads the conditions of an HPA of any version Argo CD
// checks.
func hpaConditions(obj *unstructured.Unstructured) ([]hpaCondition, error) {
	switch v := obj.GroupVersionKind().Version; v {
	case "v1":
		ann, ok := obj.GetAnnotations()[hpaConditionsAnnotation]
		if !ok {
			return nil, nil
		}
		var conds []hpaCondition
		if err := json.Unmarshal([]byte(ann), &conds); err != nil {
			return nil, fmt.Errorf("annotation %s: %v", hpaConditionsAnnotation, err)
		}
		return conds, nil
	case "v2", "v2beta2", "v2beta1":
		raw, _, err := unstructured.NestedFieldNoCopy(obj.Object, "status", "conditions")
		if err != nil {
			return nil, err
		}
		if raw == nil {
			return nil, nil
		}
		list, ok := raw.([]any)
		if !ok {
			return nil, fmt.Errorf("status.conditions is a %T, not a list", raw)
		}
		conds := make([]hpaCondition, 0, len(list))
		for i, item := range list {
			m, ok := item.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("status.conditions[%d] is a %T, not an object", i, item)
			}
			var c hpaCondition
			for field, into := range map[string]*string{"type": &c.Type, "status": &c.Status, "reason": &c.Reason, "message": &c.Message} {
				if f, ok := m[field]; ok && f != nil {
					s, ok := f.(string)
					if !ok {
						return nil, fmt.Errorf("status.conditions[%d].%s is a %T, not a string", i, field, f)
					}
					*into = s
				}
			}
			conds = append(conds, c)
		}
		return conds, nil
	default:
		return nil, fmt.Errorf("no health check for HorizontalPodAutoscaler autoscaling/%s", v)
	}
}
