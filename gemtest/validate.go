package gemtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	gemapi "github.com/gem-go/gem-go/api"
	"github.com/gem-go/gem-go/internal/route"
)

// document is Gem's published document (api/openapi.json), loaded and checked once and
// then only read. One change is made to the in-memory copy: apispec renders marshmallow's
// Enum fields without a "type", and kin-openapi cannot decode a query parameter whose
// schema has no type (it reports "empty value is not allowed" even for sort=asc), so
// query parameters with an untyped all-string enum get type string. Enum membership is
// still checked by kin against the published values; bodies are validated unchanged.
var document = sync.OnceValues(func() (*openapi3.T, error) {
	doc, err := gemapi.Load()
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("gemtest: api/openapi.json: %w", err)
	}
	for _, item := range doc.Paths.Map() {
		params := slices.Clone(item.Parameters)
		for _, op := range item.Operations() {
			params = append(params, op.Parameters...)
		}
		for _, p := range params {
			if s := p.Value.Schema; p.Value.In == openapi3.ParameterInQuery && s != nil && s.Value.Type == nil && allStrings(s.Value.Enum) {
				s.Value.Type = &openapi3.Types{openapi3.TypeString}
			}
		}
	}
	return doc, nil
})

func allStrings(vs []any) bool {
	for _, v := range vs {
		if _, ok := v.(string); !ok {
			return false
		}
	}
	return len(vs) > 0
}

// validationOptions are kin-openapi's options for requests and responses: all errors, not
// the first; formats checked as marshmallow checks them; no defaults written into the
// request (webargs fills defaults in its own result, not in the request).
func validationOptions() *openapi3filter.Options {
	return &openapi3filter.Options{
		MultiError:              true,
		AuthenticationFunc:      openapi3filter.NoopAuthenticationFunc, // the gateway layer checks X-API-Key
		SkipSettingDefaults:     true,
		SchemaValidationOptions: []openapi3.SchemaValidationOption{formatValidators},
	}
}

// validateRequest checks r against its operation with kin-openapi, plus marshmallow's
// RAISE on unknown body fields, and returns the 422 webargs would answer (or a 400 for a
// body that is not JSON). The request body is left readable.
//
// A JSON body is decoded once, into the generic value both checks walk; the operation
// then binds its typed body from the same bytes in memory. kin-openapi is given the
// request without its body: its ValidateRequest would otherwise read and copy the body for
// the security check (even with ExcludeRequestBody) and decode it again for the schema
// check. The schema check is kin's own, run on the value decoded here with the options
// kin's ValidateRequestBody uses, so the errors are the same.
func (f *Fake) validateRequest(r *http.Request, rt *route.Route, params map[string]string) *apiError {
	normalizeQuery(r, rt)
	var body any
	schema := jsonBodySchema(rt)
	if schema != nil {
		data, err := readJSONBody(r)
		if err != nil {
			return err
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber() // as kin-openapi's JSONBodyDecoder
		if err := dec.Decode(&body); err != nil {
			// webargs' flaskparser: abort(400, messages={"json": ["Invalid JSON body."]}).
			return smorestError(http.StatusBadRequest, "", map[string]any{"json": []string{"Invalid JSON body."}})
		}
		r.Body = io.NopCloser(bytes.NewReader(data))
	}
	// The multipart body (resume upload) is not validated here either: webargs reads files
	// by name and ignores other parts; the handler checks resume_file (resumes.go). A body
	// that is not multipart has no files at all (missingFiles).
	opts := validationOptions()
	opts.ExcludeRequestBody = true
	bare := *r
	bare.Body = http.NoBody
	err := openapi3filter.ValidateRequest(r.Context(), &openapi3filter.RequestValidationInput{
		Request: &bare, PathParams: params, Route: rt.Route, Options: opts,
	})
	errs := newRequestErrors()
	for _, name := range missingFiles(r, rt) {
		errs.add("files", "Missing data for required field.", name)
	}
	collectErrors(err, errs)
	queryFormats(r, rt, errs)
	if schema != nil {
		if err := schema.Value.VisitJSON(body, bodyValidationOptions...); err != nil {
			collectErrors(&openapi3filter.RequestError{RequestBody: rt.Operation.RequestBody.Value, Err: err}, errs)
		}
		unknownFields(schema, body, nil, errs)
	}
	out := errs.answer()
	if out == nil {
		return nil
	}
	return smorestError(http.StatusUnprocessableEntity, "", out)
}

// maxFieldErrors is how many field errors a 422 of the fake lists. marshmallow lists every
// one, an "Unknown field." per unknown key included, so a body of 730,000 short unknown
// keys (9.5 MB, within the gateway's 10 MB) made a 22 MB answer; the reference documents
// the 422's shape, not its size (docs/gem-api.md §2.0), and a real Gem that answered with
// more than it was sent would be a gift to anyone flooding it. So the fake lists the first
// 100 (unknown keys by name, the smallest first, so that the answer does not depend on
// Go's map order) and counts the rest in one message under the location's "_schema" key,
// marshmallow's key for errors of a whole schema: "Too many errors: 730,566 more not
// shown." (the fake's wording, not Gem's). The answer then stays near 4 KB plus the
// listed keys' names, whatever the request.
const maxFieldErrors = 100

// requestErrors collects a request's field errors by location ("query", "json"): the first
// maxFieldErrors, and a count of the rest by location.
type requestErrors struct {
	byLoc  map[string]fieldErrors
	n      int
	hidden map[string]int
}

func newRequestErrors() *requestErrors {
	return &requestErrors{byLoc: map[string]fieldErrors{}, hidden: map[string]int{}}
}

// room is how many more errors will be listed.
func (e *requestErrors) room() int { return maxFieldErrors - e.n }

// add lists msg at path under loc, or counts it when the list is full.
func (e *requestErrors) add(loc, msg string, path ...string) {
	if e.room() <= 0 {
		e.hidden[loc]++
		return
	}
	e.n++
	fe := e.byLoc[loc]
	if fe == nil {
		fe = fieldErrors{}
		e.byLoc[loc] = fe
	}
	fe.add(msg, path...)
}

// answer is the errors object of the 422, nil when there is no error.
func (e *requestErrors) answer() map[string]any {
	for loc, n := range e.hidden {
		if e.byLoc[loc] == nil {
			e.byLoc[loc] = fieldErrors{}
		}
		e.byLoc[loc].add("Too many errors: " + groupThousands(n) + " more not shown.")
	}
	if len(e.byLoc) == 0 {
		return nil
	}
	out := map[string]any{}
	for loc, fe := range e.byLoc {
		out[loc] = fe
	}
	return out
}

// groupThousands writes n with commas between groups of three digits.
func groupThousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// bodyValidationOptions are the schema options openapi3filter.ValidateRequestBody passes
// for validationOptions: a request, every error, no defaults set, marshmallow's formats.
var bodyValidationOptions = []openapi3.SchemaValidationOption{openapi3.VisitAsRequest(), openapi3.MultiErrors(), formatValidators}

// normalizeQuery reads the query string as webargs does. A repeated parameter counts
// once, with its first value: every Gem query parameter is single-valued to webargs,
// candidate_ids included (a DelimitedList, not a multiple field), so
// candidate_ids=a&candidate_ids=b filters by a only (docs/gem-api.md §5 asks; PY sends them so).
// An empty comma-separated list is an empty list, which filters nothing. A boolean is
// what marshmallow's Boolean accepts (marshmallowBool), rewritten as true or false for
// kin-openapi and the generated binding; anything else is left for them to refuse with
// "Not a valid boolean.".
func normalizeQuery(r *http.Request, rt *route.Route) {
	q := r.URL.Query()
	for k, v := range q {
		q[k] = v[:1]
	}
	for _, p := range queryParams(rt) {
		if p.Schema == nil || !q.Has(p.Name) {
			continue
		}
		switch t := p.Schema.Value.Type; {
		case t.Is(openapi3.TypeArray) && q.Get(p.Name) == "":
			q.Del(p.Name)
		case t.Is(openapi3.TypeBoolean):
			if b, ok := marshmallowBool[q.Get(p.Name)]; ok {
				q.Set(p.Name, strconv.FormatBool(b))
			}
		}
	}
	r.URL.RawQuery = q.Encode()
}

// marshmallowBool holds the strings marshmallow's fields.Boolean loads, its truthy and
// falsy sets (marshmallow 3 and 4, MM fields.py; docs/gem-api.md §2.0): each word in lower
// case, capitalised and upper case, the single letters in either case, and the digits.
// Other spellings ("tRuE", "2", "") are "Not a valid boolean.".
var marshmallowBool = map[string]bool{
	"t": true, "T": true, "true": true, "True": true, "TRUE": true, "on": true, "On": true, "ON": true,
	"y": true, "Y": true, "yes": true, "Yes": true, "YES": true, "1": true,
	"f": false, "F": false, "false": false, "False": false, "FALSE": false, "off": false, "Off": false, "OFF": false,
	"n": false, "N": false, "no": false, "No": false, "NO": false, "0": false,
}

// queryFormats checks the formats of query parameters (the email filters), which
// kin-openapi v0.135 validates without the per-validation format validators it is given.
func queryFormats(r *http.Request, rt *route.Route, errs *requestErrors) {
	q := r.URL.Query()
	for _, p := range queryParams(rt) {
		if p.Schema == nil || !q.Has(p.Name) {
			continue
		}
		check, ok := formatChecks[p.Schema.Value.Format]
		if ok && check(q.Get(p.Name)) != nil {
			errs.add("query", formatMessages[p.Schema.Value.Format], p.Name)
		}
	}
}

// missingFiles names the files a request lacks: every required file of an operation that
// takes a multipart/form-data body (the resume upload) when the request is not one. webargs reads
// files from Flask's request.files, which only a multipart/form-data body with a boundary
// fills, so every required file is "Missing data for required field." under errors.files,
// as for a multipart body without the file (docs/gem-api.md §2.7). nil when the request is
// multipart or the operation takes no files.
func missingFiles(r *http.Request, rt *route.Route) []string {
	rb := rt.Operation.RequestBody
	if rb == nil || rb.Value == nil {
		return nil
	}
	form := rb.Value.Content.Get("multipart/form-data")
	if form == nil || form.Schema == nil {
		return nil
	}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err == nil && mt == "multipart/form-data" && params["boundary"] != "" {
		return nil
	}
	return form.Schema.Value.Required
}

// jsonBodySchema is the operation's application/json body schema, or nil.
func jsonBodySchema(rt *route.Route) *openapi3.SchemaRef {
	rb := rt.Operation.RequestBody
	if rb == nil || rb.Value == nil {
		return nil
	}
	if mt := rb.Value.Content.Get("application/json"); mt != nil {
		return mt.Schema
	}
	return nil
}

// readJSONBody reads the body as webargs' load_json sees it: a request whose Content-Type
// is not JSON has no JSON data, and neither has an empty body; both load as {} (so
// required fields are reported missing). It leaves Content-Type set to JSON for kin.
func readJSONBody(r *http.Request) ([]byte, *apiError) {
	data, err := io.ReadAll(r.Body) // in memory already, and within the payload limit (bufferBody)
	if err != nil {
		return nil, smorestError(http.StatusBadRequest, "", map[string]any{"json": []string{"Invalid JSON body."}})
	}
	if !isJSON(r.Header.Get("Content-Type")) || len(bytes.TrimSpace(data)) == 0 {
		data = []byte("{}")
	}
	r.Header.Set("Content-Type", "application/json")
	return data, nil
}

// isJSON is webargs' is_json_request: application/json or application/*+json.
func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return mt == "application/json" || (strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))
}

// collectErrors files kin-openapi's errors by request location ("query", "json") and
// field path, with marshmallow's messages.
func collectErrors(err error, errs *requestErrors) {
	switch e := err.(type) {
	case nil:
	case openapi3.MultiError:
		for _, inner := range e {
			collectErrors(inner, errs)
		}
	case *openapi3filter.RequestError:
		loc, base := "json", []string(nil)
		var schema *openapi3.Schema
		if p := e.Parameter; p != nil {
			loc, base = p.In, []string{p.Name}
			if p.Schema != nil {
				schema = p.Schema.Value
			}
		}
		collectSchemaErrors(e.Err, schema, base, func(msg string, path ...string) { errs.add(loc, msg, path...) })
	default:
		// Security and routing errors cannot happen here (checked before); keep anything
		// else visible rather than pass the request.
		errs.add("json", err.Error())
	}
}

func collectSchemaErrors(err error, schema *openapi3.Schema, base []string, add func(msg string, path ...string)) {
	var se *openapi3.SchemaError
	var me openapi3.MultiError
	var pe *openapi3filter.ParseError
	switch {
	case errors.As(err, &me) && !isSchemaError(err):
		for _, inner := range me {
			collectSchemaErrors(inner, schema, base, add)
		}
	case errors.As(err, &se):
		// allOf (due_date), anyOf and oneOf wrap the errors of their members.
		var inner openapi3.MultiError
		if (se.SchemaField == "allOf" || se.SchemaField == "anyOf" || se.SchemaField == "oneOf") && errors.As(se.Origin, &inner) {
			collectSchemaErrors(inner, schema, base, add)
			return
		}
		add(schemaMessage(se), append(base[:len(base):len(base)], se.JSONPointer()...)...)
	case errors.As(err, &pe), errors.Is(err, openapi3filter.ErrInvalidEmptyValue):
		// A query value that does not parse as its type ("abc" or "" for an integer).
		add(typeMessage(schema), base...)
	default:
		add(err.Error(), base...)
	}
}

func isSchemaError(err error) bool {
	_, ok := err.(*openapi3.SchemaError)
	return ok
}

// unknownFields reports every body key its schema does not declare, at any depth, as
// marshmallow does with unknown=RAISE (docs/gem-api.md §2.0: SK saw 422 "Unknown field."). The
// allowed keys come from the document's schemas. Of an object's unknown keys, those that
// fit the list (maxFieldErrors) are the smallest by name, picked in one pass; the others
// are counted. Declared keys are then walked in name order, so the answer does not
// depend on map order.
func unknownFields(ref *openapi3.SchemaRef, v any, path []string, errs *requestErrors) {
	if ref == nil || ref.Value == nil {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		props := properties(ref.Value)
		if props == nil {
			return // free-form value (a custom field's value)
		}
		var known []string
		listed := make([]string, 0, min(errs.room(), len(x)))
		for k := range x {
			if _, ok := props[k]; ok {
				known = append(known, k)
				continue
			}
			// listed holds the smallest unknown keys so far, sorted, at most room of them.
			i, _ := slices.BinarySearch(listed, k)
			switch {
			case len(listed) < cap(listed):
				listed = slices.Insert(listed, i, k)
			case i < len(listed):
				copy(listed[i+1:], listed[i:])
				listed[i] = k
				errs.hidden["json"]++
			default:
				errs.hidden["json"]++
			}
		}
		for _, k := range listed {
			errs.add("json", "Unknown field.", append(path[:len(path):len(path)], k)...)
		}
		slices.Sort(known)
		for _, k := range known {
			unknownFields(props[k], x[k], append(path[:len(path):len(path)], k), errs)
		}
	case []any:
		items := ref.Value.Items
		for i, e := range x {
			unknownFields(items, e, append(path[:len(path):len(path)], strconv.Itoa(i)), errs)
		}
	}
}

// properties are the keys an object schema declares, through allOf; nil when it declares
// none.
func properties(s *openapi3.Schema) map[string]*openapi3.SchemaRef {
	var props map[string]*openapi3.SchemaRef
	add := func(m openapi3.Schemas) {
		for k, v := range m {
			if props == nil {
				props = map[string]*openapi3.SchemaRef{}
			}
			props[k] = v
		}
	}
	add(s.Properties)
	for _, sub := range s.AllOf {
		if sub.Value != nil {
			add(properties(sub.Value))
		}
	}
	return props
}
