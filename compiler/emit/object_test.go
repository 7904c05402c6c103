package emit_test

import (
	"path/filepath"
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/wavec/wavec/compiler"
	"github.com/wavec/wavec/compiler/emit"
)

// shapes is a typed object with the shapes Normalize treats differently:
// lists of lists (which it leaves alone), maps in lists, custom JSON
// forms that become maps and lists, empty and null values at every level,
// and an emptyDir.
type shapes struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              shapesSpec `json:"spec"`
	Status            shapesSpec `json:"status"`
}

type shapesSpec struct {
	Nested   [][]shapesItem           `json:"nested"`
	Items    []shapesItem             `json:"items"`
	Ptrs     []*shapesItem            `json:"ptrs"`
	Raw      *runtime.RawExtension    `json:"raw,omitempty"`
	Raws     []runtime.RawExtension   `json:"raws"`
	RawLists [][]runtime.RawExtension `json:"rawLists"`
	EmptyDir *shapesItem              `json:"emptyDir"`
	Empty    *shapesItem              `json:"empty"`
	Maps     map[string]shapesItem    `json:"maps"`
	Any      map[string]any           `json:"any"`
	Volume   corev1.Volume            `json:"volume"`
}

type shapesItem struct {
	Name string            `json:"name"`
	Ptr  *string           `json:"ptr"`
	Meta map[string]string `json:"meta"`
	Sub  *shapesItem       `json:"sub"`
}

func (s *shapes) DeepCopyObject() runtime.Object { c := *s; return &c }

// TestToObjectSameAsConverter holds the emitter's one-pass conversion
// (toObject) to apimachinery's converter followed by deleting the skipped
// field and Normalize, on every typed object of the examples and of the
// pipeline of every kind, and on objects of every shape Normalize treats
// differently.
func TestToObjectSameAsConverter(t *testing.T) {
	var objs []runtime.Object
	dirs, _ := filepath.Glob("../../examples/*")
	for _, dir := range append(dirs, "../testdata/allkinds") {
		res, diags := compiler.Compile([]string{dir}, nil)
		if diags.HasErrors() {
			t.Fatalf("%s: %v", dir, diags.Err())
		}
		for _, r := range res.Pipeline.Resources {
			if r.Object == nil && !r.External {
				objs = append(objs, emit.TypedObject(res.Pipeline, r))
			}
		}
	}
	if len(objs) < 20 {
		t.Fatalf("only %d typed objects", len(objs))
	}
	raw := func(s string) runtime.RawExtension { return runtime.RawExtension{Raw: []byte(s)} }
	rawJSON := `{"a":null,"b":{},"emptyDir":{},"c":[{"d":null,"e":{}},[{"f":null}],null,{}],"g":{"h":{"i":null}}}`
	item := func(name string) shapesItem {
		return shapesItem{Name: name, Meta: map[string]string{}, Sub: &shapesItem{Meta: map[string]string{"k": "v"}}}
	}
	spec := shapesSpec{
		Nested:   [][]shapesItem{{item("n1"), {}}, nil, {}},
		Items:    []shapesItem{item("i1"), {}},
		Ptrs:     []*shapesItem{nil, {Sub: &shapesItem{}}},
		Raw:      &runtime.RawExtension{Raw: []byte(rawJSON)},
		Raws:     []runtime.RawExtension{raw(rawJSON), raw(`[{"a":null},[{"b":null}]]`), raw(`null`), raw(`"s"`)},
		RawLists: [][]runtime.RawExtension{{raw(rawJSON)}},
		EmptyDir: &shapesItem{},
		Empty:    &shapesItem{},
		Maps:     map[string]shapesItem{"x": {}, "emptyDir": {}, "y": item("y")},
		Any:      map[string]any{"nil": nil, "empty": map[string]any{}, "list": []any{map[string]any{"z": nil}, []any{map[string]any{"w": nil}}}},
		Volume:   corev1.Volume{Name: "v", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
	}
	objs = append(objs,
		&shapes{Spec: spec, Status: spec},
		&shapes{ObjectMeta: metav1.ObjectMeta{Name: "x", CreationTimestamp: metav1.Now()}},
		&shapes{},
		&corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodRunning}},
	)
	for _, obj := range objs {
		for _, skip := range []string{"status", "", "spec"} {
			want, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
			if err != nil {
				t.Fatal(err)
			}
			delete(want, skip)
			emit.Normalize(want)
			got, err := emit.ToObject(obj, skip)
			if err != nil {
				t.Fatalf("%T: %v", obj, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%T without %q: converted differently\ngot:  %#v\nwant: %#v", obj, skip, got, want)
			}
		}
	}
}
