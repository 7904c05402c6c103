// Package kubeschema describes the fields of every built-in Kubernetes kind:
// their names, types, enumerated values, whether they are required, and
// their documentation. The description is derived from the k8s.io/api Go
// types themselves (json tags, pointers, slices, maps, resource.Quantity,
// intstr.IntOrString, SwaggerDoc()), so a new Kubernetes release is a
// dependency update, not a code change; the enumerated values come from the
// `+enum` constants of k8s.io/api's source (enums_gen.go, kept in step by a
// test).
//
// The list of kinds is made the first time Builtin is called, and each Go
// type is described by reflection the first time it is asked for; later
// calls return the same immutable description, so reflection stays out of
// a build's hot path.
package kubeschema

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/version"

	"github.com/wavec/wavec/lang/diag"
)

// TypeKind is the shape of a value.
type TypeKind int

// The shapes of values.
const (
	// Object is a mapping with a fixed set of fields.
	Object TypeKind = iota + 1
	// Map is a mapping from string keys to values of one type.
	Map
	// List is a sequence of values of one type.
	List
	// String is text, possibly one of a fixed set of values (Enum).
	String
	// Integer is a whole number of Bits bits.
	Integer
	// Number is a decimal number.
	Number
	// Bool is true or false.
	Bool
	// Quantity is a Kubernetes quantity such as 500m or 1Gi.
	Quantity
	// IntOrString is a whole number or a string, such as a port's number or
	// name, or a percentage ("25%").
	IntOrString
	// Time is a timestamp in RFC 3339 form.
	Time
	// Duration is a Go duration such as "1h30m".
	Duration
	// Bytes is base64-encoded binary data.
	Bytes
	// Any is any value (embedded objects, free-form JSON).
	Any
)

// String names the shape as the documentation and diagnostics do.
func (k TypeKind) String() string {
	switch k {
	case Object:
		return "object"
	case Map:
		return "map"
	case List:
		return "list"
	case String:
		return "string"
	case Integer:
		return "integer"
	case Number:
		return "number"
	case Bool:
		return "boolean"
	case Quantity:
		return "quantity"
	case IntOrString:
		return "integer or string"
	case Time:
		return "time"
	case Duration:
		return "duration"
	case Bytes:
		return "base64 bytes"
	case Any:
		return "any value"
	}
	return "unknown"
}

// Type describes the values a field takes.
type Type struct {
	// Kind is the value's shape.
	Kind TypeKind
	// Name is the API reference's name of an object type ("PodSpec"),
	// empty for other shapes. Types of different groups may share a name.
	Name string
	// Doc is the type's documentation.
	Doc string
	// Fields are an Object's fields, sorted by name.
	Fields []*Field
	// Elem is the type of a List's items or a Map's values.
	Elem *Type
	// Enum lists the values a String (or a List's items) may take, sorted;
	// nil when any string is allowed.
	Enum []string
	// Bits is the size of an Integer: 32 or 64.
	Bits int

	byName map[string]*Field
	id     string // Go package path and type name, for enums and tests
}

// Field is one field of an Object.
type Field struct {
	// Name is the field as the API spells it ("nodeSelector").
	Name string
	// Type is the field's type.
	Type *Type
	// Doc is the field's documentation.
	Doc string
	// Required reports whether the API requires the field: it is always
	// serialised (no omitempty) and its source does not mark it +optional,
	// the rule of Kubernetes' OpenAPI generator.
	Required bool
}

// Field returns t's field called name, or nil.
func (t *Type) Field(name string) *Field {
	if t == nil || t.byName == nil {
		return nil
	}
	return t.byName[name]
}

// FieldNames returns the names of t's fields in order.
func (t *Type) FieldNames() []string {
	out := make([]string, len(t.Fields))
	for i, f := range t.Fields {
		out[i] = f.Name
	}
	return out
}

// Suggest returns the field of t that name is most likely a misspelling
// of, or "".
func (t *Type) Suggest(name string) string {
	if t == nil || t.Kind != Object {
		return ""
	}
	return diag.Suggest(name, t.FieldNames())
}

// Describe names the type for diagnostics, e.g. "list of strings", "map
// of quantities", "object"; never by the name of a Go type.
func (t *Type) Describe() string {
	switch t.Kind {
	case List:
		return "list of " + t.Elem.plural()
	case Map:
		return "map of " + t.Elem.plural()
	}
	return t.Kind.String()
}

func (t *Type) plural() string {
	switch t.Kind {
	case List, Map:
		return t.Describe() + "s"
	case Quantity:
		return "quantities"
	case IntOrString:
		return "integers or strings"
	case Bytes, Any:
		return t.Kind.String()
	}
	return t.Kind.String() + "s"
}

// Lookup returns the type at a dotted path of field names below t, such as
// "template.spec.containers.image": a list's or map's items are looked
// through, so "containers.image" is the image of every container. It
// returns the path's longest known prefix and false when a field does not
// exist.
func (t *Type) Lookup(path string) (*Type, string, bool) {
	cur := t
	done := ""
	if path == "" {
		return t, "", true
	}
	for _, name := range strings.Split(path, ".") {
		for cur.Kind == List || cur.Kind == Map {
			cur = cur.Elem
		}
		f := cur.Field(name)
		if f == nil {
			return cur, done, false
		}
		if done != "" {
			done += "."
		}
		done += name
		cur = f.Type
	}
	return cur, done, true
}

// Kind is one built-in kind in one API version.
type Kind struct {
	// GroupVersionKind names it.
	schema.GroupVersionKind
	// Preferred reports whether this is the version of the kind that
	// new objects should use (see Schema.Preferred).
	Preferred bool

	goType reflect.Type
	s      *Schema
}

// Type returns the object's type, with apiVersion, kind and metadata among
// its fields. It is described on first use.
func (k *Kind) Type() *Type {
	k.s.mu.Lock()
	defer k.s.mu.Unlock()
	return k.s.b.typeOf(k.goType)
}

// APIVersion returns the kind's apiVersion ("apps/v1", "v1").
func (k *Kind) APIVersion() string { return k.GroupVersion().String() }

// Schema is the description of every built-in kind.
type Schema struct {
	kinds    []*Kind
	byGVK    map[schema.GroupVersionKind]*Kind
	byName   map[string][]*Kind
	versions map[string][]string // group -> versions, most preferred first

	mu sync.Mutex // guards b
	b  *builder

	releaseOnce        sync.Once
	relMajor, relMinor int
}

func (s *Schema) release() (int, int) {
	s.releaseOnce.Do(func() { s.relMajor, s.relMinor = s.Release() })
	return s.relMajor, s.relMinor
}

var (
	builtinOnce sync.Once
	builtin     *Schema
)

// Builtin returns the schema of every kind that client-go's typed
// clientset knows (the kinds of every built-in API group). The kinds are
// registered and listed on first use, and each type is described the
// first time it is asked for, so a build pays only for the kinds it uses
// and a command that describes none pays nothing. It is safe for
// concurrent use.
func Builtin() *Schema {
	builtinOnce.Do(func() { builtin = build(builtinScheme()) })
	return builtin
}

// Kinds returns every kind in every version, sorted by group, version and
// kind.
func (s *Schema) Kinds() []*Kind { return s.kinds }

// Lookup returns the kind of an apiVersion and kind, or nil.
func (s *Schema) Lookup(gvk schema.GroupVersionKind) *Kind { return s.byGVK[gvk] }

// ByName returns every version of the kinds called name, the preferred
// ones first.
func (s *Schema) ByName(name string) []*Kind { return s.byName[name] }

// Preferred returns the preferred version of the kind called name: its
// most stable version in any group that Kubernetes has not removed; among
// equally stable ones the core group's, else the first group's in
// alphabetical order.
func (s *Schema) Preferred(name string) *Kind {
	for _, k := range s.byName[name] {
		if k.Preferred {
			return k
		}
	}
	return nil
}

// HasGroup reports whether group is a built-in API group ("" is the core
// group).
func (s *Schema) HasGroup(group string) bool { return len(s.versions[group]) > 0 }

// Groups returns the built-in API groups, sorted.
func (s *Schema) Groups() []string {
	out := make([]string, 0, len(s.versions))
	for g := range s.versions {
		out = append(out, g)
	}
	sort.Strings(out)
	return out
}

// HasGroupVersion reports whether gv is a version a built-in group serves.
func (s *Schema) HasGroupVersion(gv schema.GroupVersion) bool {
	for _, v := range s.versions[gv.Group] {
		if v == gv.Version {
			return true
		}
	}
	return false
}

// KindNames returns the names of every kind, sorted; with a group version,
// only the kinds of that version.
func (s *Schema) KindNames(gv *schema.GroupVersion) []string {
	seen := map[string]bool{}
	var out []string
	for _, k := range s.kinds {
		if gv != nil && k.GroupVersion() != *gv {
			continue
		}
		if !seen[k.Kind] {
			seen[k.Kind] = true
			out = append(out, k.Kind)
		}
	}
	sort.Strings(out)
	return out
}

// TypeOf returns the description of the Go type of a k8s.io/api value,
// such as corev1.PodSpec{}; it is built once per type.
func (s *Schema) TypeOf(v any) *Type {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.typeOf(reflect.TypeOf(v))
}

func build(sc *runtime.Scheme) *Schema {
	s := &Schema{
		byGVK:    map[schema.GroupVersionKind]*Kind{},
		byName:   map[string][]*Kind{},
		versions: map[string][]string{},
		b:        &builder{types: map[reflect.Type]*Type{}},
	}
	objectMeta := reflect.TypeOf(metav1.ObjectMeta{})
	for gvk, t := range sc.AllKnownTypes() {
		if gvk.Version == runtime.APIVersionInternal || strings.HasSuffix(gvk.Kind, "List") || t.Kind() != reflect.Struct {
			continue
		}
		if f, ok := t.FieldByName("ObjectMeta"); !ok || f.Type != objectMeta {
			continue // options and events of the API machinery, not objects
		}
		k := &Kind{GroupVersionKind: gvk, goType: t, s: s}
		s.kinds = append(s.kinds, k)
		s.byGVK[gvk] = k
	}
	for _, k := range s.kinds {
		if !contains(s.versions[k.Group], k.Version) {
			s.versions[k.Group] = append(s.versions[k.Group], k.Version)
		}
	}
	for g, vs := range s.versions {
		sort.Slice(vs, func(i, j int) bool { return version.CompareKubeAwareVersionStrings(vs[i], vs[j]) > 0 })
		s.versions[g] = vs
	}
	rank := func(k *Kind) int { // the version's place in its group
		for i, v := range s.versions[k.Group] {
			if v == k.Version {
				return i
			}
		}
		return len(s.versions[k.Group])
	}
	sort.Slice(s.kinds, func(i, j int) bool {
		a, b := s.kinds[i], s.kinds[j]
		if a.Group != b.Group {
			return a.Group < b.Group
		}
		if a.Version != b.Version {
			return rank(a) < rank(b)
		}
		return a.Kind < b.Kind
	})
	for _, k := range s.kinds {
		s.byName[k.Kind] = append(s.byName[k.Kind], k)
	}
	for _, ks := range s.byName {
		// The most stable version first (v1 before v1beta1, v2 before v1);
		// among equals the core group, then by group name. The first is
		// the preferred one.
		sort.SliceStable(ks, func(i, j int) bool {
			if c := version.CompareKubeAwareVersionStrings(ks[i].Version, ks[j].Version); c != 0 {
				return c > 0
			}
			return ks[i].Group < ks[j].Group
		})
		pref := ks[0]
		for _, k := range ks {
			if _, removed := k.Removed(); !removed {
				pref = k
				break
			}
		}
		pref.Preferred = true
	}
	return s
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// builder turns Go types into Types, once per Go type.
type builder struct {
	types map[reflect.Type]*Type
}

var (
	quantityType    = reflect.TypeOf(resource.Quantity{})
	intOrStringType = reflect.TypeOf(intstr.IntOrString{})
	timeType        = reflect.TypeOf(metav1.Time{})
	microTimeType   = reflect.TypeOf(metav1.MicroTime{})
	durationType    = reflect.TypeOf(metav1.Duration{})
	rawType         = reflect.TypeOf(runtime.RawExtension{})
	jsonMarshaler   = reflect.TypeOf((*json.Marshaler)(nil)).Elem()
)

type swaggerDoc interface{ SwaggerDoc() map[string]string }

func (b *builder) typeOf(t reflect.Type) *Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if d, ok := b.types[t]; ok {
		return d
	}
	d := &Type{id: t.PkgPath() + "." + t.Name()}
	b.types[t] = d
	switch t {
	case quantityType:
		d.Kind = Quantity
		return d
	case intOrStringType:
		d.Kind = IntOrString
		return d
	case timeType, microTimeType:
		d.Kind = Time
		return d
	case durationType:
		d.Kind = Duration
		return d
	case rawType:
		d.Kind = Any
		return d
	}
	switch t.Kind() {
	case reflect.String:
		d.Kind = String
		d.Enum = enums[d.id]
	case reflect.Bool:
		d.Kind = Bool
	case reflect.Int, reflect.Int64, reflect.Uint64, reflect.Uint, reflect.Uint32:
		d.Kind, d.Bits = Integer, 64
	case reflect.Int32, reflect.Int16, reflect.Int8, reflect.Uint16, reflect.Uint8:
		d.Kind, d.Bits = Integer, 32
	case reflect.Float32, reflect.Float64:
		d.Kind = Number
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			d.Kind = Bytes
			return d
		}
		d.Kind = List
		d.Elem = b.typeOf(t.Elem())
	case reflect.Map:
		d.Kind = Map
		d.Elem = b.typeOf(t.Elem())
	case reflect.Struct:
		if t.Implements(jsonMarshaler) || reflect.PointerTo(t).Implements(jsonMarshaler) {
			d.Kind = Any // serialised in a form of its own, e.g. FieldsV1
			return d
		}
		d.Kind = Object
		d.Name = t.Name()
		d.byName = map[string]*Field{}
		b.fields(t, d)
		sort.Slice(d.Fields, func(i, j int) bool { return d.Fields[i].Name < d.Fields[j].Name })
		if sd, ok := reflect.New(t).Elem().Interface().(swaggerDoc); ok {
			d.Doc = sd.SwaggerDoc()[""]
		}
	case reflect.Interface:
		d.Kind = Any
	default:
		d.Kind = Any
	}
	return d
}

// fields adds the fields of struct t to d, flattening inline structs.
func (b *builder) fields(t reflect.Type, d *Type) {
	var docs map[string]string
	if sd, ok := reflect.New(t).Elem().Interface().(swaggerDoc); ok {
		docs = sd.SwaggerDoc()
	}
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		inline := strings.Contains(","+opts+",", ",inline,") || (sf.Anonymous && name == "")
		if inline {
			ft := sf.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				b.fields(ft, d)
			}
			continue
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		ft := b.typeOf(sf.Type)
		f := &Field{Name: name, Type: ft, Doc: docs[name]}
		omit := strings.Contains(","+opts+",", ",omitempty,") || strings.Contains(","+opts+",", ",omitzero,")
		f.Required = !omit && !optional[t.PkgPath()+"."+t.Name()+"."+name]
		if _, dup := d.byName[name]; dup {
			continue
		}
		d.byName[name] = f
		d.Fields = append(d.Fields, f)
	}
}
