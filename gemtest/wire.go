package gemtest

import (
	"bytes"
	"context"
	"encoding"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/gem-go/gem-go/internal/genserver"
	"github.com/gem-go/gem-go/internal/route"
)

// The fake writes its successful answers itself, from gen's models, shaped by the response
// schemas of Gem's published document, as Gem's stack dumps them (docs/gem-api.md §2.8):
// every key a schema declares, at any depth, in key order; null for an unset value, [] for
// an empty or unset list. gen's models cannot do that with encoding/json: they are the
// SDK's models, whose omitempty keeps requests free of what the caller did not set, and
// that users marshal themselves (docs/generator.md §8.9). Because the keys come from the
// document, not from the models, a key the document declares is never left out, and one
// the models lack fails the answer (a 500 naming it) instead of going missing.

type routeKey struct{}

// routeOf is the route the request reached (Fake.serve puts it in the context).
func routeOf(ctx context.Context) *route.Route {
	rt, _ := ctx.Value(routeKey{}).(*route.Route)
	return rt
}

// writeWire is the strict server's middleware that answers an operation's documented
// JSON success itself (writeWireBody). Other answers (204s, the undocumented success of
// POST /v0/projects/{id}/project_field_options, errors) go on as the handlers made them.
// A handler's response for a JSON success is the generated <Operation><status>JSONResponse:
// the model itself, or for a paginated list a Body and the Headers the document declares.
func (f *Fake) writeWire(next genserver.StrictHandlerFunc, operationID string) genserver.StrictHandlerFunc {
	return func(ctx context.Context, w http.ResponseWriter, r *http.Request, req any) (any, error) {
		resp, err := next(ctx, w, r, req)
		rt := routeOf(ctx)
		if err != nil || resp == nil || rt == nil {
			return resp, err
		}
		status, doc := jsonSuccess(rt)
		v := reflect.ValueOf(resp)
		if doc == nil || v.Type().Name() != operationID+strconv.Itoa(status)+"JSONResponse" {
			return resp, nil
		}
		body, headers := v, reflect.Value{}
		if v.Kind() == reflect.Struct && v.NumField() == 2 && v.Type().Field(0).Name == "Body" && v.Type().Field(1).Name == "Headers" {
			body, headers = v.Field(0), v.Field(1)
		}
		for name := range doc.Headers {
			if value, ok := headerField(headers, name); ok {
				w.Header().Set(name, value)
			}
		}
		return nil, writeWireBody(w, status, doc.Content.Get("application/json").Schema.Value, body)
	}
}

// jsonSuccess is the operation's 2xx response with a JSON body, and its status; nil when
// it has none.
func jsonSuccess(rt *route.Route) (int, *openapi3.Response) {
	for code, ref := range rt.Operation.Responses.Map() {
		status, err := strconv.Atoi(code)
		if err == nil && status >= 200 && status < 300 && ref.Value != nil && ref.Value.Content.Get("application/json") != nil {
			return status, ref.Value
		}
	}
	return 0, nil
}

// headerField is the value of the field of a generated Headers struct that holds the
// response header name (X-Pagination in XPagination); false when unset.
func headerField(headers reflect.Value, name string) (string, bool) {
	if !headers.IsValid() {
		return "", false
	}
	field := headers.FieldByNameFunc(func(f string) bool {
		return strings.EqualFold(f, strings.ReplaceAll(name, "-", ""))
	})
	if !field.IsValid() || (field.Kind() == reflect.Pointer && field.IsNil()) {
		return "", false
	}
	return fmt.Sprint(reflect.Indirect(field).Interface()), true
}

// wireComponent is v written by wireJSON as the document's component schema name, for a
// model inside an error body. The schema and the model are the fake's own, so a failure is
// a bug of the fake: a panic, answered with a 500 (serveRecovering).
func wireComponent(name string, v any) json.RawMessage {
	doc, err := document()
	if err == nil && doc.Components.Schemas[name] != nil {
		var data []byte
		if data, err = wireJSON(doc.Components.Schemas[name].Value, reflect.ValueOf(v)); err == nil {
			return bytes.TrimSuffix(data, []byte("\n"))
		}
	}
	panic(fmt.Errorf("gemtest: writing %s: %v", name, err))
}

// wireBuffers hold the bodies being written, so a page of 100 candidates (about 100 KB)
// does not allocate and grow a buffer of its own on every request.
var wireBuffers = sync.Pool{New: func() any { return new([]byte) }}

// writeWireBody answers status with v written by wireJSON, through a pooled buffer.
func writeWireBody(w http.ResponseWriter, status int, s *openapi3.Schema, v reflect.Value) error {
	buf := wireBuffers.Get().(*[]byte)
	data, err := appendWire((*buf)[:0], s, v)
	if err == nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(data)
	}
	if cap(data) <= 1<<20 {
		*buf = data[:0]
		wireBuffers.Put(buf)
	}
	return err
}

// wireJSON writes v as schema s declares it (docs/gem-api.md §2.8): an object with every
// declared key in key order (Flask's jsonify sorts them), a nil pointer or interface as
// null, a nil or empty slice as [], scalars as encoding/json writes them but without HTML
// escaping (Python's json does not escape <, > and &). It ends with a newline, as
// json.Encoder does.
func wireJSON(s *openapi3.Schema, v reflect.Value) ([]byte, error) {
	return appendWire(nil, s, v)
}

// appendWire is wireJSON appending to b.
func appendWire(b []byte, s *openapi3.Schema, v reflect.Value) ([]byte, error) {
	enc, err := wireEncoderFor(s, v.Type())
	if err != nil {
		return b, err
	}
	return append(enc(b, v), '\n'), nil
}

// wireEncoder appends a value's JSON to b.
type wireEncoder func(b []byte, v reflect.Value) []byte

type wireKey struct {
	schema *openapi3.Schema
	typ    reflect.Type
}

// wireEncoders caches an encoder per schema and Go type. The document is loaded once and
// never changed (document), so its schemas are stable keys.
var wireEncoders sync.Map

func wireEncoderFor(s *openapi3.Schema, t reflect.Type) (wireEncoder, error) {
	key := wireKey{s, t}
	if enc, ok := wireEncoders.Load(key); ok {
		return enc.(wireEncoder), nil
	}
	enc, err := newWireEncoder(s, t)
	if err != nil {
		return nil, err
	}
	wireEncoders.Store(key, enc)
	return enc, nil
}

func newWireEncoder(s *openapi3.Schema, t reflect.Type) (wireEncoder, error) {
	list := s.Type.Is(openapi3.TypeArray)
	switch props := properties(s); {
	case t.Kind() == reflect.Pointer:
		elem, err := wireEncoderFor(s, t.Elem())
		if err != nil {
			return nil, err
		}
		return func(b []byte, v reflect.Value) []byte {
			if v.IsNil() {
				return appendUnset(b, list)
			}
			return elem(b, v.Elem())
		}, nil
	case props != nil && t.Kind() == reflect.Struct:
		return objectEncoder(props, t)
	case list && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array):
		if s.Items == nil || s.Items.Value == nil {
			return nil, fmt.Errorf("gemtest: a list schema without items for %v", t)
		}
		item, err := wireEncoderFor(s.Items.Value, t.Elem())
		if err != nil {
			return nil, err
		}
		return func(b []byte, v reflect.Value) []byte {
			b = append(b, '[')
			for i := range v.Len() {
				if i > 0 {
					b = append(b, ',')
				}
				b = item(b, v.Index(i))
			}
			return append(b, ']')
		}, nil
	case props != nil, list:
		return nil, fmt.Errorf("gemtest: the document declares an object or list where gen's model has %v", t)
	}
	return scalarEncoder(t), nil
}

// objectEncoder writes every property the schema declares, from the struct field whose
// json name it is, in key order.
func objectEncoder(props map[string]*openapi3.SchemaRef, t reflect.Type) (wireEncoder, error) {
	fields := map[string]int{}
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		fields[name] = i
	}
	type key struct {
		prefix []byte // "name": (with the comma before it for all but the first)
		field  int
		enc    wireEncoder
	}
	var keys []key
	for _, name := range slices.Sorted(maps.Keys(props)) {
		i, ok := fields[name]
		if !ok {
			return nil, fmt.Errorf("gemtest: the document declares %q, which %v has no field for", name, t)
		}
		enc, err := wireEncoderFor(props[name].Value, t.Field(i).Type)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", name, err)
		}
		prefix := strconv.AppendQuote(nil, name)
		if len(keys) > 0 {
			prefix = append([]byte{','}, prefix...)
		}
		keys = append(keys, key{append(prefix, ':'), i, enc})
	}
	return func(b []byte, v reflect.Value) []byte {
		b = append(b, '{')
		for _, k := range keys {
			b = k.enc(append(b, k.prefix...), v.Field(k.field))
		}
		return append(b, '}')
	}, nil
}

var (
	jsonMarshaler = reflect.TypeFor[json.Marshaler]()
	textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()
)

// scalarEncoder writes a string, number, boolean or free-form value (a custom field's
// value, an interface) as encoding/json would, without HTML escaping.
func scalarEncoder(t reflect.Type) wireEncoder {
	if !t.Implements(jsonMarshaler) && !t.Implements(textMarshaler) {
		switch t.Kind() {
		case reflect.String:
			return func(b []byte, v reflect.Value) []byte { return appendString(b, v.String()) }
		case reflect.Bool:
			return func(b []byte, v reflect.Value) []byte { return strconv.AppendBool(b, v.Bool()) }
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			return func(b []byte, v reflect.Value) []byte { return strconv.AppendInt(b, v.Int(), 10) }
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			return func(b []byte, v reflect.Value) []byte { return strconv.AppendUint(b, v.Uint(), 10) }
		}
	}
	return func(b []byte, v reflect.Value) []byte {
		if (v.Kind() == reflect.Interface || v.Kind() == reflect.Map || v.Kind() == reflect.Slice) && v.IsNil() {
			return append(b, "null"...)
		}
		return appendJSON(b, v.Interface())
	}
}

// appendUnset is an unset value: [] for a list, null for anything else.
func appendUnset(b []byte, list bool) []byte {
	if list {
		return append(b, "[]"...)
	}
	return append(b, "null"...)
}

// appendString quotes s; text that needs escaping goes through encoding/json.
func appendString(b []byte, s string) []byte {
	for i := range len(s) {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return appendJSON(b, s)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendJSON is encoding/json's encoding of v without HTML escaping. Values reaching it
// are plain data (strings, numbers, lists and maps of them), which always encode; one that
// does not is a bug of the fake, a panic answered with a 500 (serveRecovering).
func appendJSON(b []byte, v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Errorf("gemtest: encoding a response: %w", err))
	}
	return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}
