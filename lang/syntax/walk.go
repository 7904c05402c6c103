package syntax

import (
	"reflect"

	"github.com/wavec/wavec/lang/source"
)

// Inspect walks the AST rooted at node depth first, calling fn for every
// non-nil node pointer (including node itself). When fn returns false, the
// node's children are skipped. Comments and the Source file are not visited.
func Inspect(node any, fn func(n any) bool) {
	inspect(reflect.ValueOf(node), fn)
}

var (
	posType     = reflect.TypeOf(source.Pos{})
	sourceType  = reflect.TypeOf(&source.File{})
	commentType = reflect.TypeOf([]*Comment{})
)

func inspect(v reflect.Value, fn func(any) bool) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() || v.Type() == sourceType || v.Elem().Kind() != reflect.Struct {
			return
		}
		if !fn(v.Interface()) {
			return
		}
		inspect(v.Elem(), fn)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			f := v.Field(i)
			if f.Type() == posType || f.Type() == commentType {
				continue
			}
			inspect(f, fn)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			inspect(v.Index(i), fn)
		}
	}
}

// NodeSpan returns the source range of an AST node, or an invalid span for
// values that are not nodes.
func NodeSpan(n any) source.Span {
	v := reflect.ValueOf(n)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return source.Span{}
	}
	e := v.Elem()
	p, e1 := e.FieldByName("Pos"), e.FieldByName("EndPos")
	if !p.IsValid() || !e1.IsValid() || p.Type() != posType {
		return source.Span{}
	}
	return source.Span{Start: p.Interface().(source.Pos), End: e1.Interface().(source.Pos)}
}
