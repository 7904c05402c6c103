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
	if m, err := convertRoot(obj, raw, ""); !errors.Is(err, errUnsupported) {
		return m, err
	}
	return runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
}

// toObject is toUnstructured followed by Normalize, with the top-level
// field skip left out (status), done in one pass: null values and empty
// maps are never put into the maps, only to be deleted, and the skipped
// field is not converted at all. TestToObjectSameAsConverter holds it to
// the converter's map, without skip, normalised.
func toObject(obj runtime.Object, skip string) (map[string]any, error) {
	if m, err := convertRoot(obj, inMap, skip); !errors.Is(err, errUnsupported) {
		return m, err
	}
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return nil, err
	}
	delete(m, skip)
	Normalize(m)
	return m, nil
}

// convertRoot converts a pointer to a struct; errUnsupported leaves it to
// the converter.
func convertRoot(obj runtime.Object, md mode, skip string) (map[string]any, error) {
	v := reflect.ValueOf(obj)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil, errUnsupported
	}
	st := structPlanFor(v.Elem().Type(), md != raw)
	if st == nil || value.TypeReflectEntryOf(v.Elem().Type()).CanConvertToUnstructured() {
		return nil, errUnsupported
	}
	m := make(map[string]any, st.count(v.Elem()))
	if err := st.into(m, v.Elem(), skip); err != nil {
		return nil, err
	}
	return m, nil
}

// mode is where a value sits, which says what Normalize does to it.
type mode uint8

const (
	// raw: as the converter makes it (toUnstructured, and what Normalize
	// does not reach: lists in lists).
	raw mode = iota
	// inMap: a value of a map. Its maps lose their null values and their
	// empty maps (except emptyDir); the maps in its lists are normalised.
	inMap
	// inList: an item of a list in a map. Its maps are normalised; a list
	// is left raw.
	inList
)

// keep reports whether a normalised map keeps the value x under key k.
func keep(k string, x any) bool {
	switch v := x.(type) {
	case nil:
		return false
	case map[string]any:
		return len(v) > 0 || k == "emptyDir"
	}
	return true
}

// errUnsupported makes toUnstructured fall back to the converter.
var errUnsupported = errors.New("unsupported type")

// convert turns one value into its unstructured form.
type convert func(v reflect.Value) (any, error)

// convKey is a type converted in a mode.
type convKey struct {
	t  reflect.Type
	md mode
}

var converters sync.Map // convKey -> convert

// converterFor returns the conversion of values of type t in mode md.
func converterFor(t reflect.Type, md mode) convert {
	key := convKey{t, md}
	if c, ok := converters.Load(key); ok {
		return c.(convert)
	}
	// A recursive type reaches itself while its conversion is being
	// built: hand out one that waits for it.
	var wg sync.WaitGroup
	var real convert
	wg.Add(1)
	c, loaded := converters.LoadOrStore(key, convert(func(v reflect.Value) (any, error) {
		wg.Wait()
		return real(v)
	}))
	if loaded {
		return c.(convert)
	}
	real = newConverter(t, md)
	wg.Done()
	converters.Store(key, real)
	return real
}

// lazyConverter returns the conversion of type t in mode md, worked out
// when a value of it is first converted: most fields of the API types are
// never set.
func lazyConverter(t reflect.Type, md mode) convert {
	var once sync.Once
	var c convert
	return func(v reflect.Value) (any, error) {
		once.Do(func() { c = converterFor(t, md) })
		return c(v)
	}
}

func unsupported(reflect.Value) (any, error) { return nil, errUnsupported }

func newConverter(t reflect.Type, md mode) convert {
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
		if md == raw {
			return entry.ToUnstructured
		}
		return func(v reflect.Value) (any, error) {
			x, err := entry.ToUnstructured(v)
			if err != nil {
				return nil, err
			}
			normalizeValue(x, md)
			return x, nil
		}
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
			// Labels, selectors and data: no reflection per entry, and
			// nothing to normalise.
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
		valMode := raw
		if md != raw {
			valMode = inMap
		}
		elem := lazyConverter(t.Elem(), valMode)
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
				if k := key.String(); valMode == raw || keep(k, x) {
					m[k] = x
				}
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
		// Normalize reaches the items of a list in a map, not of a list
		// in a list.
		itemMode := raw
		switch md {
		case inMap:
			itemMode = inList
		case inList:
			return converterFor(t, raw)
		}
		elem := lazyConverter(t.Elem(), itemMode)
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
		elem := lazyConverter(t.Elem(), md)
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
			return converterFor(e.Type(), md)(e)
		}
	case reflect.Struct:
		st := structPlanFor(t, md != raw)
		if st == nil {
			return unsupported
		}
		return func(v reflect.Value) (any, error) {
			m := make(map[string]any, st.count(v))
			if err := st.into(m, v, ""); err != nil {
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

// normalizeValue does to x, made by a custom conversion, what Normalize
// does to a value in mode md.
func normalizeValue(x any, md mode) {
	switch v := x.(type) {
	case map[string]any:
		Normalize(v)
	case []any:
		if md == inMap {
			for _, it := range v {
				if im, ok := it.(map[string]any); ok {
					Normalize(im)
				}
			}
		}
	}
}

// structPlan is the conversion of a struct type into map entries.
type structPlan struct {
	fields []fieldPlan
	// normalized plans leave out what Normalize would delete.
	normalized bool
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

// planKey is a struct type, converted as it is or normalised.
type planKey struct {
	t          reflect.Type
	normalized bool
}

var structPlans sync.Map // planKey -> *structPlan (nil: unsupported)

// structPlanFor returns the plan of struct type t, normalised or not, or
// nil when the converter is left to do it.
func structPlanFor(t reflect.Type, normalized bool) *structPlan {
	key := planKey{t, normalized}
	if p, ok := structPlans.Load(key); ok {
		return p.(*structPlan)
	}
	p := newStructPlan(t, normalized)
	structPlans.Store(key, p)
	return p
}

func newStructPlan(t reflect.Type, normalized bool) *structPlan {
	p := &structPlan{normalized: normalized}
	fieldMode := raw
	if normalized {
		fieldMode = inMap
	}
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
			if fp.inline = structPlanFor(f.Type, normalized); fp.inline == nil {
				return nil
			}
		} else {
			switch fp.kind {
			case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
				reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
			case reflect.Array, reflect.Chan, reflect.Func, reflect.UnsafePointer, reflect.Complex64, reflect.Complex128:
				return nil
			default:
				fp.conv = lazyConverter(f.Type, fieldMode)
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

// into adds the fields of struct v to m, except the one named skip. A
// normalised plan leaves out (deletes) null values and empty maps.
func (p *structPlan) into(m map[string]any, v reflect.Value, skip string) error {
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
			if err := f.inline.into(m, fv, skip); err != nil {
				return err
			}
			continue
		}
		if skip != "" && f.name == skip {
			delete(m, skip)
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
			if p.normalized && !keep(f.name, x) {
				delete(m, f.name)
				continue
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
