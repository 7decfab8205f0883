package gemtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/gem-go/gem-go/internal/route"
)

// checkResponse reports to the WithResponseValidation tb every way a response differs
// from Gem's document or from flask-smorest's pagination.
func (f *Fake) checkResponse(r *http.Request, rt *route.Route, params map[string]string, rec *recorder) {
	if err := responseProblem(r, rt, params, rec.status, rec.header, rec.body.Bytes()); err != nil {
		body := rec.body.String()
		if len(body) > 2000 {
			body = body[:2000] + "..."
		}
		f.cfg.tb.Errorf("gemtest: response to %s %s does not match Gem's document: %v\nstatus %d, body: %s",
			r.Method, r.URL.RequestURI(), err, rec.status, body)
	}
}

// responseProblem validates a response with kin-openapi against its operation, a 2xx
// body's keys against what Gem's stack dumps (wireProblems), and its X-Pagination against
// flask-smorest's rules and the body it describes.
func responseProblem(r *http.Request, rt *route.Route, params map[string]string, status int, header http.Header, body []byte) error {
	if s := responseSchema(rt, status); s != nil && status < 300 {
		checked, err := checkWire(s, body)
		if err != nil {
			return err
		}
		body = checked
	}
	h := header.Clone()
	// The document types X-Pagination as an object, which kin-openapi would decode in
	// "simple" style (k,v,k,v); Gem sends JSON. paginationProblem checks it instead.
	h.Del("X-Pagination")
	opts := validationOptions()
	if len(body) == 0 && status < 300 {
		// 204s, and the success of POST /v0/projects/{id}/project_field_options, which the
		// document leaves out: no body to check.
		opts.ExcludeResponseBody = true
	}
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: rt.Route},
		Status:                 status,
		Header:                 h,
		Options:                opts,
	}
	input.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), input); err != nil {
		return err
	}
	return paginationProblem(r, rt, status, header.Get("X-Pagination"), body)
}

// paginationProblem checks that a paginated list's response has X-Pagination, that the
// header is exactly flask-smorest's for the request's page and page_size and its total,
// and that the body has as many items as the header says; and that other responses have
// no X-Pagination.
func paginationProblem(r *http.Request, rt *route.Route, status int, got string, body []byte) error {
	resp := rt.Operation.Responses.Status(status)
	if resp == nil || resp.Value == nil || resp.Value.Headers["X-Pagination"] == nil {
		if got != "" {
			return fmt.Errorf("X-Pagination %s on a response the document does not paginate", got)
		}
		return nil
	}
	if got == "" {
		return fmt.Errorf("no X-Pagination header (flask-smorest sends it on every page)")
	}
	var meta map[string]any
	if err := json.Unmarshal([]byte(got), &meta); err != nil {
		return fmt.Errorf("X-Pagination %q is not JSON: %w", got, err)
	}
	schema := resp.Value.Headers["X-Pagination"].Value.Schema.Value
	if err := schema.VisitJSON(meta); err != nil {
		return fmt.Errorf("X-Pagination %s does not match the document: %w", got, err)
	}
	total, ok := meta["total"].(float64)
	if !ok {
		return fmt.Errorf("X-Pagination %s has no total", got)
	}
	pg, size := queryInt(r, "page", 1), queryInt(r, "page_size", defaultPageSize)
	if want := paginationHeader(pg, size, int(total)); got != want {
		return fmt.Errorf("X-Pagination %s, want flask-smorest's %s", got, want)
	}
	var items []json.RawMessage
	if err := json.Unmarshal(body, &items); err != nil {
		return fmt.Errorf("body of a paginated list is not a JSON array: %w", err)
	}
	start, end := pageBounds(pg, size, int(total))
	if want := end - start; len(items) != want {
		return fmt.Errorf("page %d of %d items by %d has %d items, want %d", pg, int(total), size, len(items), want)
	}
	return nil
}

func queryInt(r *http.Request, name string, def int) int {
	if v, err := strconv.Atoi(r.URL.Query().Get(name)); err == nil {
		return v
	}
	return def
}

// responseSchema is the application/json schema of rt's response with status, or nil.
func responseSchema(rt *route.Route, status int) *openapi3.Schema {
	resp := rt.Operation.Responses.Status(status)
	if resp == nil || resp.Value == nil {
		return nil
	}
	mt := resp.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return nil
	}
	return mt.Schema.Value
}

// checkWire reports the wireProblems of body, a response for schema s, and returns the body
// as kin-openapi should validate it: without the nulls wireProblems allows and the document
// does not. A body that is not JSON is returned as it is, for kin-openapi to report.
func checkWire(s *openapi3.Schema, body []byte) ([]byte, error) {
	v, err := decodeBody(body)
	if err != nil {
		return body, nil
	}
	if problems := wireProblems(s, v, ""); len(problems) > 0 {
		return nil, fmt.Errorf("%d keys are not as Gem sends them (docs/gem-api.md §2.8): %s", len(problems), strings.Join(problems, "; "))
	}
	return json.Marshal(v)
}

// wireProblems lists how v, a decoded 2xx body, differs from what Gem's stack dumps for
// schema s (docs/gem-api.md §2.8): every key the schema declares is present, in nested
// objects and list items too; a list is never null unless the document says nullable, and
// neither is a required key. An optional scalar or object may be null although the document
// does not say nullable: marshmallow dumps an unset value as null whatever allow_none says,
// and apispec writes nullable only for allow_none. Those nulls are deleted from v, so that
// kin-openapi, for which only nullable allows null, validates the rest. Each problem is
// "<path>: <what>", the path like custom_fields[0].value_option_ids.
func wireProblems(s *openapi3.Schema, v any, at string) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		props := properties(s)
		required := requiredKeys(s)
		for _, name := range slices.Sorted(maps.Keys(props)) {
			p := props[name].Value
			path := strings.TrimPrefix(at+"."+name, ".")
			val, ok := x[name]
			switch {
			case !ok:
				out = append(out, path+": missing")
			case val != nil:
				out = append(out, wireProblems(p, val, path)...)
			case p.Nullable:
			case p.Type.Is(openapi3.TypeArray):
				out = append(out, path+": a list sent as null")
			case required[name]:
				out = append(out, path+": required, sent as null")
			default:
				delete(x, name)
			}
		}
	case []any:
		if s.Items == nil || s.Items.Value == nil {
			return nil
		}
		for i, item := range x {
			path := at + "[" + strconv.Itoa(i) + "]"
			if item == nil && !s.Items.Value.Nullable {
				out = append(out, path+": an item sent as null")
				continue
			}
			out = append(out, wireProblems(s.Items.Value, item, path)...)
		}
	}
	return out
}

// requiredKeys are the keys an object schema requires, through allOf.
func requiredKeys(s *openapi3.Schema) map[string]bool {
	out := map[string]bool{}
	for _, k := range s.Required {
		out[k] = true
	}
	for _, sub := range s.AllOf {
		if sub.Value != nil {
			maps.Copy(out, requiredKeys(sub.Value))
		}
	}
	return out
}

// decodeBody decodes a JSON body keeping numbers as they were written.
func decodeBody(body []byte) (any, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	err := dec.Decode(&v)
	return v, err
}
