package emit_test

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/wavec/wavec/compiler"
	"github.com/wavec/wavec/compiler/emit"
)

func sameAsConverter(t *testing.T, what string, obj runtime.Object) {
	t.Helper()
	want, werr := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	got, err := emit.ToUnstructured(obj)
	if (err != nil) != (werr != nil) {
		t.Fatalf("%s: error %v, the converter's %v", what, err, werr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: converted differently\ngot:  %#v\nwant: %#v", what, got, want)
	}
}

// TestToUnstructuredSameAsConverter holds the emitter's conversion of typed
// objects to apimachinery's runtime.DefaultUnstructuredConverter, on the
// typed object of every built-in resource of the examples and of the
// pipeline of every kind, and on values at the edges (nil and empty
// fields, custom JSON forms, byte slices, unsigned numbers).
func TestToUnstructuredSameAsConverter(t *testing.T) {
	dirs, _ := filepath.Glob("../../examples/*")
	dirs = append(dirs, "../testdata/allkinds")
	n := 0
	for _, dir := range dirs {
		res, diags := compiler.Compile([]string{dir}, nil)
		if diags.HasErrors() {
			t.Fatalf("%s: %v", dir, diags.Err())
		}
		for _, r := range res.Pipeline.Resources {
			if r.Object != nil || r.External {
				continue
			}
			sameAsConverter(t, dir+": "+r.Ref(), emit.TypedObject(res.Pipeline, r))
			n++
		}
	}
	if n < 20 {
		t.Fatalf("only %d typed objects compared", n)
	}
	if _, err := os.Stat("../testdata/allkinds"); err != nil {
		t.Fatal(err)
	}
	q := resource.MustParse("1500m")
	edge := []runtime.Object{
		&corev1.ConfigMap{},
		&corev1.ConfigMap{Data: map[string]string{}, BinaryData: map[string][]byte{"b": {0, 1, 2, 255}, "nil": nil}},
		&corev1.Secret{Data: map[string][]byte{"x": []byte("secret")}, Immutable: ptr.To(false)},
		// Maps of several entries: each value converted on its own.
		&corev1.ConfigMap{Data: map[string]string{"a": "1", "b": "", "c": "three"}, BinaryData: map[string][]byte{"x": {1}, "y": {2, 3}, "z": {}}},
		&corev1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Resources: corev1.ResourceRequirements{
			Limits: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("2"), corev1.ResourceMemory: resource.MustParse("64Mi"), "example.com/gpu": resource.MustParse("1")}}}},
			NodeSelector: map[string]string{"disk": "ssd", "zone": "a"}}},
		&corev1.Service{Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromString("http")}, {TargetPort: intstr.FromInt32(8080)}}}},
		// IntOrString: JSON would replace the invalid UTF-8, and a Type
		// that is neither is an error.
		&corev1.Service{Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{TargetPort: intstr.FromString("bad\xffname")}, {TargetPort: intstr.FromString("")}, {TargetPort: intstr.FromInt32(-1)}}}},
		&corev1.Service{Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{TargetPort: intstr.IntOrString{Type: 7}}}}},
		&policyv1.PodDisruptionBudget{Spec: policyv1.PodDisruptionBudgetSpec{MinAvailable: ptr.To(intstr.FromString("50%")), MaxUnavailable: ptr.To(intstr.FromInt32(0))}},
		&policyv1.PodDisruptionBudget{Spec: policyv1.PodDisruptionBudgetSpec{MinAvailable: &intstr.IntOrString{Type: 9}}},
		&appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Name: "d", CreationTimestamp: metav1.Now(), Labels: map[string]string{"a": "b"}},
			Spec: appsv1.DeploymentSpec{Replicas: ptr.To[int32](0), Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
				Containers: []corev1.Container{{Name: "c", Resources: corev1.ResourceRequirements{
					Limits: corev1.ResourceList{corev1.ResourceCPU: q}, Requests: corev1.ResourceList{}}}},
				Volumes:                       []corev1.Volume{{Name: "v", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}},
				TerminationGracePeriodSeconds: ptr.To[int64](30),
			}}},
		},
		&batchv1.CronJob{Spec: batchv1.CronJobSpec{Schedule: "* * * * *", Suspend: ptr.To(true),
			JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{ActiveDeadlineSeconds: ptr.To[int64](60)}}}},
	}
	for _, obj := range edge {
		sameAsConverter(t, reflect.TypeOf(obj).String(), obj)
	}
}

// BenchmarkToUnstructured converts the typed objects of the pipeline of
// every kind, with the emitter's conversion (fast) and apimachinery's
// (converter).
func BenchmarkToUnstructured(b *testing.B) {
	res, diags := compiler.Compile([]string{"../testdata/allkinds"}, nil)
	if diags.HasErrors() {
		b.Fatal(diags.Err())
	}
	var objs []runtime.Object
	for _, r := range res.Pipeline.Resources {
		if r.Object == nil && !r.External {
			objs = append(objs, emit.TypedObject(res.Pipeline, r))
		}
	}
	for _, c := range []struct {
		name string
		conv func(runtime.Object) (map[string]any, error)
	}{{"fast", emit.ToUnstructured}, {"converter", func(o runtime.Object) (map[string]any, error) {
		return runtime.DefaultUnstructuredConverter.ToUnstructured(o)
	}}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				for _, o := range objs {
					if _, err := c.conv(o); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
