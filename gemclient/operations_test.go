package gemclient_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/internal/genspec"
)

// Every operation of the document is reachable through *gemclient.Client under its
// operationId: the test walks the document (no hand list), calls each method by
// reflection with a body built from the operation's schema (so validation passes), and
// checks the method and path the server saw. Paginated lists also have a working ...All.
func TestEveryOperationIsReachable(t *testing.T) {
	doc, err := genspec.GetSpec()
	require.NoError(t, err)

	var answer struct {
		status int
		body   string
		paged  bool
	}
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if answer.paged {
			w.Header().Set("X-Pagination", `{"total":0,"total_pages":0}`)
		}
		if answer.body == "" {
			w.WriteHeader(answer.status)
			return
		}
		writeJSON(w, answer.status, answer.body)
	})
	c := newClient(t, s)
	client := reflect.ValueOf(c)

	count := 0
	for _, path := range doc.Paths.InMatchingOrder() {
		for method, op := range doc.Paths.Value(path).Operations() {
			count++
			name := fmt.Sprintf("%s %s (%s)", method, path, op.OperationID)
			m := client.MethodByName(op.OperationID)
			require.True(t, m.IsValid(), "%s: no method on *gemclient.Client", name)

			answer.status, answer.body = successOf(op)
			answer.paged = client.MethodByName(op.OperationID + "All").IsValid()
			want := path
			args := []reflect.Value{reflect.ValueOf(context.Background())}
			nPath := strings.Count(path, "{")
			for i := 1; i < m.Type().NumIn(); i++ {
				in := m.Type().In(i)
				switch {
				case in.Kind() == reflect.String && len(args) <= nPath:
					value := "id-" + strconv.Itoa(len(args))
					open := strings.Index(want, "{")
					want = want[:open] + value + want[open+strings.Index(want[open:], "}")+1:]
					args = append(args, reflect.ValueOf(value))
				case in.Kind() == reflect.String: // the multipart content type
					args = append(args, reflect.ValueOf("multipart/form-data; boundary=x"))
				case in == reflect.TypeOf((*io.Reader)(nil)).Elem():
					args = append(args, reflect.ValueOf(io.Reader(strings.NewReader("--x--\r\n"))))
				case in.Kind() == reflect.Pointer && strings.HasSuffix(in.Elem().Name(), "Params"):
					args = append(args, reflect.Zero(in))
				case in.Kind() == reflect.Slice && in.Elem().Name() == "CallOption":
				default:
					args = append(args, bodyFor(t, op, in))
				}
			}
			before := s.Count()
			out := m.Call(args)
			require.Nil(t, out[len(out)-1].Interface(), "%s: %v", name, out[len(out)-1].Interface())
			reqs := s.Requests()
			require.Len(t, reqs, before+1, name)
			assert.Equal(t, method, reqs[before].Method, name)
			assert.Equal(t, want, reqs[before].Path, name)

			if answer.paged {
				all := client.MethodByName(op.OperationID + "All")
				seq := all.Call(args)[0]
				n := 0
				seq.Call([]reflect.Value{reflect.MakeFunc(seq.Type().In(0), func(in []reflect.Value) []reflect.Value {
					require.Nil(t, in[1].Interface(), name)
					n++
					return []reflect.Value{reflect.ValueOf(true)}
				})})
				assert.Zero(t, n, "%s: empty list", name)
				assert.Equal(t, before+2, s.Count(), "%s: the iterator asked once", name)
			}
		}
	}
	assert.Positive(t, count, "the operations come from the document; none is pinned here")
}

// successOf is the first 2xx the operation documents, and an empty body of its shape; 200
// with {} when it documents none (UpdateProjectFieldOptionAssociations).
func successOf(op *openapi3.Operation) (int, string) {
	for code := 200; code < 300; code++ {
		r := op.Responses.Status(code)
		if r == nil || r.Value == nil {
			continue
		}
		mt := r.Value.Content.Get("application/json")
		switch {
		case mt == nil || mt.Schema == nil:
			return code, ""
		case mt.Schema.Value.Type.Is("array"):
			return code, "[]"
		default:
			return code, "{}"
		}
	}
	return 200, "{}"
}

// bodyFor builds a value of the method's body type from the smallest JSON instance of the
// operation's request schema.
func bodyFor(t *testing.T, op *openapi3.Operation, typ reflect.Type) reflect.Value {
	t.Helper()
	raw, err := json.Marshal(instance(op.RequestBody.Value.Content.Get("application/json").Schema.Value))
	require.NoError(t, err)
	v := reflect.New(typ)
	require.NoError(t, json.Unmarshal(raw, v.Interface()), "%s", raw)
	return v.Elem()
}

// instance is the smallest value the schema accepts: required properties only, the first
// enum value, minimum lengths and counts.
func instance(s *openapi3.Schema) any {
	if len(s.Enum) > 0 {
		return s.Enum[0]
	}
	switch {
	case s.Type.Is("object") || len(s.Properties) > 0:
		m := map[string]any{}
		for _, name := range s.Required {
			m[name] = instance(s.Properties[name].Value)
		}
		return m
	case s.Type.Is("array"):
		list := []any{}
		for i := uint64(0); i < max(s.MinItems, 1); i++ {
			list = append(list, instance(s.Items.Value))
		}
		return list
	case s.Type.Is("integer"), s.Type.Is("number"):
		if s.Min != nil {
			return *s.Min
		}
		return 1
	case s.Type.Is("boolean"):
		return false
	default:
		return strings.Repeat("x", int(max(s.MinLength, 1)))
	}
}
