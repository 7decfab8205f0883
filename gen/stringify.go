package gen

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// stringify prints a model as gen.Candidate{ID:"Y2Fu...", FirstName:"Ada", ...}: field
// names and the values pointers point to, with nil pointers, nil lists and absent
// Nullables left out. The generated String methods (models.gen.go) call it, so %v and %+v
// of a model are readable although most of its fields are pointers.
func stringify(v any) string {
	var b strings.Builder
	writeValue(&b, reflect.ValueOf(v), true)
	return b.String()
}

// writeValue prints v. top is true for the model whose String method called stringify,
// which must be printed field by field rather than through that same String method.
func writeValue(b *strings.Builder, v reflect.Value, top bool) {
	if !v.IsValid() {
		b.WriteString("<nil>")
		return
	}
	if !top && v.CanInterface() {
		if s, ok := v.Interface().(fmt.Stringer); ok && (v.Kind() != reflect.Pointer || !v.IsNil()) {
			if v.Kind() == reflect.String {
				b.WriteString(strconv.Quote(s.String()))
			} else {
				b.WriteString(s.String())
			}
			return
		}
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			b.WriteString("<nil>")
			return
		}
		writeValue(b, v.Elem(), false)
	case reflect.String:
		b.WriteString(strconv.Quote(v.String()))
	case reflect.Slice, reflect.Array:
		b.WriteByte('[')
		for i := range v.Len() {
			if i > 0 {
				b.WriteByte(' ')
			}
			writeValue(b, v.Index(i), false)
		}
		b.WriteByte(']')
	case reflect.Map:
		fmt.Fprintf(b, "%v", v.Interface())
	case reflect.Struct:
		t := v.Type()
		b.WriteString(t.String())
		b.WriteByte('{')
		sep := false
		for i := range t.NumField() {
			f := v.Field(i)
			if !t.Field(i).IsExported() || omitted(f) {
				continue
			}
			if sep {
				b.WriteString(", ")
			}
			sep = true
			b.WriteString(t.Field(i).Name)
			b.WriteByte(':')
			writeValue(b, f, false)
		}
		b.WriteByte('}')
	default:
		fmt.Fprintf(b, "%v", v.Interface())
	}
}

// omitted: nil pointers, lists and interfaces, and absent Nullables are left out.
func omitted(f reflect.Value) bool {
	switch f.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		return f.IsNil()
	}
	if z, ok := f.Interface().(interface{ IsZero() bool }); ok {
		return z.IsZero()
	}
	return false
}
