package emit

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"sync"
	"unicode/utf8"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/structured-merge-diff/v6/value"
)

// toUnstructured returns the map runtime.DefaultUnstructuredConverter's
// ToUnstructured returns for a typed object, faster: the conversion of
// each Go type is worked out once (field names, omitempty, custom
// converters) instead of for every value, and values go straight into
// the map. Types it does not handle the same way with certainty (tags
// other than omitempty and omitzero, unexported fields, arrays) fall
// back to the converter. TestToUnstructuredSameAsConverter holds the two
// to the same result.
func toUnstructured(obj runtime.Object) (map[string]any, error) {
	v := reflect.ValueOf(obj)
	if v.Kind() == reflect.Pointer && !v.IsNil() && v.Elem().Kind() == reflect.Struct {
		if st := structPlanFor(v.Elem().Type()); st != nil && !value.TypeReflectEntryOf(v.Elem().Type()).CanConvertToUnstructured() {
			m := make(map[string]any, st.count(v.Elem()))
			switch err := st.into(m, v.Elem()); {
			case err == nil:
				return m, nil
			case !errors.Is(err, errUnsupported):
				return nil, err
			}
		}
	}
	return runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
}

// errUnsupported makes toUnstructured fall back to the converter.
var errUnsupported = errors.New("unsupported type")

// convert turns one value into its unstructured form.
type convert func(v reflect.Value) (any, error)

var converters sync.Map // reflect.Type -> convert

// converterFor returns the conversion of values of type t.
func converterFor(t reflect.Type) convert {
	if c, ok := converters.Load(t); ok {
		return c.(convert)
	}
	// A recursive type reaches itself while its conversion is being
	// built: hand out one that waits for it.
	var wg sync.WaitGroup
	var real convert
	wg.Add(1)
	c, loaded := converters.LoadOrStore(t, convert(func(v reflect.Value) (any, error) {
		wg.Wait()
		return real(v)
	}))
	if loaded {
		return c.(convert)
	}
	real = newConverter(t)
	wg.Done()
	converters.Store(t, real)
	return real
}

// lazyConverter returns the conversion of type t, worked out when a value
// of it is first converted: most fields of the API types are never set.
func lazyConverter(t reflect.Type) convert {
	var once sync.Once
	var c convert
	return func(v reflect.Value) (any, error) {
		once.Do(func() { c = converterFor(t) })
		return c(v)
	}
}

func unsupported(reflect.Value) (any, error) { return nil, errUnsupported }

func newConverter(t reflect.Type) convert {
	switch t {
	case intOrStringType:
		return intOrString
	case reflect.PointerTo(intOrStringType):
		return func(v reflect.Value) (any, error) {
			if v.IsNil() {
				return nil, nil
			}
			return intOrString(v.Elem())
		}
	}
	if entry := value.TypeReflectEntryOf(t); entry.CanConvertToUnstructured() {
		// Quantity, IntOrString, Time, RawExtension and other types with
		// their own conversion or JSON form.
		return entry.ToUnstructured
	}
	switch t.Kind() {
	case reflect.String:
		return func(v reflect.Value) (any, error) { return v.String(), nil }
	case reflect.Bool:
		return func(v reflect.Value) (any, error) { return v.Bool(), nil }
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(v reflect.Value) (any, error) { return v.Int(), nil }
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return func(v reflect.Value) (any, error) { return uintValue(v.Uint()) }
	case reflect.Float32, reflect.Float64:
		return func(v reflect.Value) (any, error) { return v.Float(), nil }
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			return unsupported
		}
		if t == reflect.TypeFor[map[string]string]() {
			// Labels, selectors and data: no reflection per entry.
			return func(v reflect.Value) (any, error) {
				if v.IsNil() {
					return nil, nil
				}
				src := v.Interface().(map[string]string)
				m := make(map[string]any, len(src))
				for k, x := range src {
					m[k] = x
				}
				return m, nil
			}
		}
		elem := lazyConverter(t.Elem())
		return func(v reflect.Value) (any, error) {
			if v.IsNil() {
				return nil, nil
			}
			m := make(map[string]any, v.Len())
			// One key and one value are reused for every entry, where
			// MapIter's Key and Value would allocate a copy of each.
			key, val := reflect.New(t.Key()).Elem(), reflect.New(t.Elem()).Elem()
			it := v.MapRange()
			for it.Next() {
				key.SetIterKey(it)
				val.SetIterValue(it)
				x, err := elem(val)
				if err != nil {
					return nil, err
				}
				m[key.String()] = x
			}
			return m, nil
		}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			// []byte is base64 in JSON.
			return func(v reflect.Value) (any, error) {
				if v.IsNil() {
					return nil, nil
				}
				return base64.StdEncoding.EncodeToString(v.Bytes()), nil
			}
		}
		elem := lazyConverter(t.Elem())
		return func(v reflect.Value) (any, error) {
			if v.IsNil() {
				return nil, nil
			}
			s := make([]any, v.Len())
			for i := range s {
				x, err := elem(v.Index(i))
				if err != nil {
					return nil, err
				}
				s[i] = x
			}
			return s, nil
		}
	case reflect.Pointer:
		elem := lazyConverter(t.Elem())
		return func(v reflect.Value) (any, error) {
			if v.IsNil() {
				return nil, nil
			}
			return elem(v.Elem())
		}
	case reflect.Interface:
		return func(v reflect.Value) (any, error) {
			if v.IsNil() {
				return nil, nil
			}
			e := v.Elem()
			return converterFor(e.Type())(e)
		}
	case reflect.Struct:
		st := structPlanFor(t)
		if st == nil {
			return unsupported
		}
		return func(v reflect.Value) (any, error) {
			m := make(map[string]any, st.count(v))
			if err := st.into(m, v); err != nil {
				return nil, err
			}
			return m, nil
		}
	}
	return unsupported
}

var intOrStringType = reflect.TypeFor[intstr.IntOrString]()

// intOrString converts an IntOrString as the converter does, without its
// round trip through JSON (MarshalJSON, then a json.Decoder for the
// result): an int64 or the string. A string that is not valid UTF-8
// (which JSON would change) and an impossible Type are left to the
// converter.
func intOrString(v reflect.Value) (any, error) {
	var x *intstr.IntOrString
	if v.CanAddr() {
		x = v.Addr().Interface().(*intstr.IntOrString)
	} else {
		c := v.Interface().(intstr.IntOrString)
		x = &c
	}
	switch {
	case x.Type == intstr.Int:
		return int64(x.IntVal), nil
	case x.Type == intstr.String && utf8.ValidString(x.StrVal):
		return x.StrVal, nil
	}
	return value.TypeReflectEntryOf(intOrStringType).ToUnstructured(v)
}

func uintValue(u uint64) (any, error) {
	if u > math.MaxInt64 {
		return nil, fmt.Errorf("unsigned value %d does not fit into int64 (overflow)", u)
	}
	return int64(u), nil
}

// structPlan is the conversion of a struct type into map entries.
type structPlan struct {
	fields []fieldPlan
}

type fieldPlan struct {
	index     int
	name      string // "" for an inlined (embedded) struct
	kind      reflect.Kind
	omitempty bool
	omitzero  func(reflect.Value) bool
	conv      convert     // for kinds other than string, bool and numbers
	inline    *structPlan // for an inlined struct
}

var structPlans sync.Map // reflect.Type -> *structPlan (nil: unsupported)

// structPlanFor returns the plan of struct type t, or nil when the
// converter is left to do it.
func structPlanFor(t reflect.Type) *structPlan {
	if p, ok := structPlans.Load(t); ok {
		return p.(*structPlan)
	}
	p := newStructPlan(t)
	structPlans.Store(t, p)
	return p
}

func newStructPlan(t reflect.Type) *structPlan {
	p := &structPlan{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			return nil
		}
		fp := fieldPlan{index: i, kind: f.Type.Kind()}
		tag, ok := f.Tag.Lookup("json")
		if !ok || tag == "" {
			if !f.Anonymous {
				fp.name = f.Name
			}
		} else {
			items := strings.Split(tag, ",")
			fp.name = items[0]
			if fp.name == "" && !f.Anonymous {
				fp.name = f.Name
			}
			for _, o := range items[1:] {
				switch o {
				case "omitempty":
					fp.omitempty = true
				case "omitzero":
					fp.omitzero = value.OmitZeroFunc(f.Type)
				case "inline":
				default:
					return nil // embed and others: the converter decides
				}
			}
		}
		if fp.name == "-" {
			continue
		}
		if fp.name == "" {
			if f.Type.Kind() != reflect.Struct || value.TypeReflectEntryOf(f.Type).CanConvertToUnstructured() {
				return nil
			}
			if fp.inline = structPlanFor(f.Type); fp.inline == nil {
				return nil
			}
		} else {
			switch fp.kind {
			case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
				reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
			case reflect.Array, reflect.Chan, reflect.Func, reflect.UnsafePointer, reflect.Complex64, reflect.Complex128:
				return nil
			default:
				fp.conv = lazyConverter(f.Type)
			}
		}
		p.fields = append(p.fields, fp)
	}
	return p
}

// count returns how many entries into adds for struct v: the fields
// omitempty and omitzero keep. Maps made that size hold them without
// growing, and without the room for every field of the large API structs
// (most of which are empty).
func (p *structPlan) count(v reflect.Value) int {
	n := 0
	for i := range p.fields {
		f := &p.fields[i]
		fv := v.Field(f.index)
		if f.omitempty && isEmpty(fv) || f.omitzero != nil && f.omitzero(fv) {
			continue
		}
		if f.inline != nil {
			n += f.inline.count(fv)
			continue
		}
		n++
	}
	return n
}

// into adds the fields of struct v to m.
func (p *structPlan) into(m map[string]any, v reflect.Value) error {
	for i := range p.fields {
		f := &p.fields[i]
		fv := v.Field(f.index)
		if f.omitempty && isEmpty(fv) {
			continue
		}
		if f.omitzero != nil && f.omitzero(fv) {
			continue
		}
		if f.inline != nil {
			if err := f.inline.into(m, fv); err != nil {
				return err
			}
			continue
		}
		switch f.kind {
		case reflect.String:
			m[f.name] = fv.String()
		case reflect.Bool:
			m[f.name] = fv.Bool()
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			m[f.name] = fv.Int()
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			x, err := uintValue(fv.Uint())
			if err != nil {
				return err
			}
			m[f.name] = x
		case reflect.Float32, reflect.Float64:
			m[f.name] = fv.Float()
		default:
			x, err := f.conv(fv)
			if err != nil {
				return err
			}
			m[f.name] = x
		}
	}
	return nil
}

// isEmpty is omitempty's test, as the converter applies it.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.String:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return v.Uint() == 0
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0
	case reflect.Map, reflect.Slice:
		return v.IsNil() || v.Len() == 0
	case reflect.Pointer, reflect.Interface:
		return v.IsNil()
	}
	return false
}
