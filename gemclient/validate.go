package gemclient

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ValidationError is a request that breaks Gem's API document (the overlaid one, with the
// bounds Gem states only in prose), found before anything was sent or any rate-limit
// token spent. IsValidation reports true for it, as for Gem's own 422.
//
// The checks are generated from the document at `make generate` time (validate.gen.go):
// required fields, bounds, lengths, list sizes, enums, dates, and ids that cannot be empty.
type ValidationError struct {
	// Operation is the operationId, e.g. "ListCandidates" (OpListCandidates).
	Operation string
	// Method and Path identify the request, as in APIError.
	Method, Path string
	// Violations lists every rule the request breaks.
	Violations []Violation
}

// Violation is one broken rule of a ValidationError.
type Violation struct {
	// In is where the value is: "path", "query" or "body".
	In string
	// Field is the parameter name, or for the body a JSON pointer ("/content",
	// "/emails/0/email_address"; "" for the body as a whole).
	Field string
	// Rule is the schema keyword broken: "maximum", "maxLength", "maxItems", "required",
	// "enum", "type", "format", ...
	Rule string
	// Limit is the bound the rule sets ("100", "10000", "asc, desc"), empty when the rule
	// has none.
	Limit string
	// Message says what is wrong: "must be at most 100". It never quotes the value, which
	// may be long or personal data.
	Message string
}

// String is "field: message", e.g. "page_size: must be at most 100".
func (v Violation) String() string {
	field := strings.ReplaceAll(strings.TrimPrefix(v.Field, "/"), "/", ".")
	if field == "" {
		field = v.In
	}
	return field + ": " + v.Message
}

// Error lists every violation.
func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Violations))
	for i, v := range e.Violations {
		parts[i] = v.String()
	}
	return fmt.Sprintf("gemclient: %s (%s %s): invalid request, not sent: %s", e.Operation, e.Method, e.Path, strings.Join(parts, "; "))
}

// Where a value is, for the generated checks.
const (
	inPath  = "path"
	inQuery = "query"
	inBody  = "body"
)

// loc is a place in a request body, built on the stack as the generated checks descend and
// turned into a JSON pointer only when a rule is broken: a valid request allocates nothing.
type loc struct {
	parent *loc
	name   string // the property
	index  int    // the element of the property's list, or -1 for the property itself
}

// pointer is the JSON pointer of field under l ("/emails/0/email_address").
func (l *loc) pointer(field string) string {
	var parts []string
	if field != "" {
		parts = append(parts, field)
	}
	for ; l != nil; l = l.parent {
		if l.index >= 0 {
			parts = append(parts, strconv.Itoa(l.index))
		}
		parts = append(parts, l.name)
	}
	escape := strings.NewReplacer("~", "~0", "/", "~1")
	var b strings.Builder
	for i := len(parts) - 1; i >= 0; i-- {
		b.WriteByte('/')
		b.WriteString(escape.Replace(parts[i]))
	}
	return b.String()
}

// violations collects what the generated checks find.
type violations struct {
	list []Violation
}

func (v *violations) add(in string, at *loc, field, rule, limit, msg string) {
	if in == inBody {
		field = at.pointer(field)
	}
	v.list = append(v.list, Violation{In: in, Field: field, Rule: rule, Limit: limit, Message: msg})
}

// err is the *ValidationError of a call with violations, nil without.
func (v *violations) err(op *operation, path string) error {
	if len(v.list) == 0 {
		return nil
	}
	return &ValidationError{Operation: op.id, Method: op.method, Path: path, Violations: v.list}
}

func (v *violations) required(in string, at *loc, field string) {
	msg := "missing required field"
	if in != inBody {
		msg = "missing required value"
	}
	v.add(in, at, field, "required", "", msg)
}

func (v *violations) minLength(in string, at *loc, field, s string, n int) {
	switch {
	case n == 1 && s == "":
		v.add(in, at, field, "minLength", "1", "must not be empty")
	case utf8.RuneCountInString(s) < n:
		v.add(in, at, field, "minLength", strconv.Itoa(n), "shorter than minimum length "+strconv.Itoa(n))
	}
}

// maxLength counts characters (code points), as JSON Schema and Gem's marshmallow do.
func (v *violations) maxLength(in string, at *loc, field, s string, n int) {
	if len(s) > n && utf8.RuneCountInString(s) > n {
		v.add(in, at, field, "maxLength", strconv.Itoa(n), "longer than maximum length "+strconv.Itoa(n))
	}
}

func (v *violations) minItems(in string, at *loc, field string, have, n int) {
	if have < n {
		v.add(in, at, field, "minItems", strconv.Itoa(n), "must have at least "+strconv.Itoa(n)+" items")
	}
}

func (v *violations) maxItems(in string, at *loc, field string, have, n int) {
	if have > n {
		v.add(in, at, field, "maxItems", strconv.Itoa(n), "must have at most "+strconv.Itoa(n)+" items")
	}
}

// minimum and maximum compare as float64: Gem's bounds are small integers, and
// the value is an int, a UnixTime or a number.
func (v *violations) minimum(in string, at *loc, field string, x, limit float64, exclusive bool) {
	switch n := func() string { return strconv.FormatFloat(limit, 'g', -1, 64) }; {
	case exclusive && x <= limit:
		v.add(in, at, field, "minimum", n(), "must be greater than "+n())
	case !exclusive && x < limit:
		v.add(in, at, field, "minimum", n(), "must be at least "+n())
	}
}

func (v *violations) maximum(in string, at *loc, field string, x, limit float64, exclusive bool) {
	switch n := func() string { return strconv.FormatFloat(limit, 'g', -1, 64) }; {
	case exclusive && x >= limit:
		v.add(in, at, field, "maximum", n(), "must be less than "+n())
	case !exclusive && x > limit:
		v.add(in, at, field, "maximum", n(), "must be at most "+n())
	}
}

// enum reports a value outside values, the document's list ("asc, desc").
func (v *violations) enum(in string, at *loc, field, values string) {
	v.add(in, at, field, "enum", values, "must be one of: "+values)
}

// date checks format: date, "yyyy-mm-dd", as kin-openapi's pattern did: month 01-12,
// day 01-31.
func (v *violations) date(in string, at *loc, field, s string) {
	ok := len(s) == 10 && s[4] == '-' && s[7] == '-'
	for i := 0; ok && i < 10; i++ {
		ok = i == 4 || i == 7 || s[i] >= '0' && s[i] <= '9'
	}
	if ok {
		m, d := (s[5]-'0')*10+s[6]-'0', (s[8]-'0')*10+s[9]-'0'
		ok = m >= 1 && m <= 12 && d >= 1 && d <= 31
	}
	if !ok {
		v.add(in, at, field, "format", "date", "must be a date (yyyy-mm-dd)")
	}
}

// objectID checks format: ObjectID, Gem's id type: whatever its exact form, an id is never
// empty, and an empty one would reach Gem as "" (a required created_by or user_id left at
// its zero value).
func (v *violations) objectID(in string, at *loc, field, s string) {
	if s == "" {
		v.add(in, at, field, "format", "ObjectID", "must not be empty (an ObjectID)")
	}
}

// pathSegment refuses a path parameter that would change the path once a server or proxy
// normalises it: "." and ".." (DeleteCandidateEvent(ctx, id, "..") would otherwise reach
// DELETE /v0/candidates/{id}). Every other character is escaped.
func (v *violations) pathSegment(field, s string) {
	if s == "." || s == ".." {
		v.add(inPath, nil, field, "format", "path segment", `must not be "." or ".."`)
	}
}

// typeError reports a value that does not parse as the document's type (Do's query
// strings and raw bodies).
func (v *violations) typeError(in string, at *loc, field, typ string) {
	v.add(in, at, field, "type", typ, "must be of type "+typ)
}

// The parsing helpers below serve Do, whose query string and body arrive as text: the
// generated parse<Operation>Query and check<Operation>Body functions turn them into the
// operation's Go types and run the same checks as the typed methods.

func parseInt(v *violations, field, s string) (int, bool) {
	n, err := strconv.Atoi(s)
	if err != nil {
		v.typeError(inQuery, nil, field, "integer")
		return 0, false
	}
	return n, true
}

func parseInt64(v *violations, field, s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		v.typeError(inQuery, nil, field, "integer")
		return 0, false
	}
	return n, true
}

// parseBool accepts what Gem's marshmallow accepts in a query string (any case): true,
// 1, yes, y, on, t and their opposites.
func parseBool(v *violations, field, s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "true", "1", "yes", "y", "on", "t":
		return true, true
	case "false", "0", "no", "n", "off", "f":
		return false, true
	}
	v.typeError(inQuery, nil, field, "boolean")
	return false, false
}

// splitList is a form-style list: one value per key when explode, else the first value
// split at commas.
func splitList(values []string, explode bool) []string {
	if explode || len(values) == 0 {
		return values
	}
	return strings.Split(values[0], ",")
}

// decodeRawBody decodes a raw JSON body into dst for Do; what does not decode is a violation
// naming the field and the type it needs, never the value.
func decodeRawBody(v *violations, data []byte, dst any) bool {
	err := json.Unmarshal(data, dst)
	if err == nil {
		return true
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := strings.ReplaceAll(te.Field, ".", "/")
		typ := jsonType(te.Type)
		v.add(inBody, nil, field, "type", typ, "must be of type "+typ)
		return false
	}
	v.add(inBody, nil, "", "type", "object", "not a JSON object")
	return false
}

// jsonType names a Go type's JSON type, as the document would.
func jsonType(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		return "array"
	default:
		return "object"
	}
}

// dropMissing keeps one violation per body field that Do's raw body lacks: the missing
// key's "required", not also what its zero value breaks after decoding.
func (v *violations) dropMissing() {
	missing := map[string]bool{}
	for _, x := range v.list {
		if x.In == inBody && x.Rule == "required" {
			missing[x.Field] = true
		}
	}
	if len(missing) == 0 {
		return
	}
	kept := v.list[:0]
	reported := map[string]bool{}
	for _, x := range v.list {
		if x.In == inBody && missing[x.Field] {
			if x.Rule != "required" || reported[x.Field] {
				continue
			}
			reported[x.Field] = true
		}
		kept = append(kept, x)
	}
	v.list = kept
}

// present checks that raw, a body object at at, has every required key; it returns the
// object's members for the checks of nested objects (nil when raw is not an object).
func present(v *violations, at *loc, raw json.RawMessage, required ...string) map[string]json.RawMessage {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil || m == nil {
		return nil
	}
	for _, k := range required {
		if _, ok := m[k]; !ok {
			v.required(inBody, at, k)
		}
	}
	return m
}

// elements are the members of raw when it is a JSON array.
func elements(raw json.RawMessage) []json.RawMessage {
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		return nil
	}
	return list
}
