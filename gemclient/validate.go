package gemclient

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// ValidationError is a request that breaks Gem's API document (the overlaid one, with the
// bounds Gem states only in prose), found before anything was sent or any rate-limit
// token spent. IsValidation reports true for it, as for Gem's own 422.
type ValidationError struct {
	// Operation is the operationId, e.g. "ListCandidates".
	Operation string
	// Method and Path identify the request, as in APIError.
	Method, Path string
	// Violations lists every rule the request breaks.
	Violations []Violation
}

// Violation is one broken rule of a ValidationError.
type Violation struct {
	// In is where the value is: "path", "query", "header" or "body".
	In string
	// Field is the parameter name, or for the body a JSON pointer ("/content",
	// "/emails/0/email_address"; "" for the body as a whole).
	Field string
	// Rule is the schema keyword broken: "maximum", "maxLength", "maxItems", "required",
	// "enum", "type", ...
	Rule string
	// Limit is the bound the rule sets ("100", "10000"), empty when the rule has none.
	Limit string
	// Message says what is wrong: "must be at most 100".
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

// validationOptions: every violation, no defaults written into the request (the
// validator would otherwise add page=1 or autofill=false to what is sent), and no
// security check (the client adds the key itself; the document's apiKey scheme would
// otherwise need an authentication hook).
var validationOptions = openapi3filter.Options{MultiError: true, SkipSettingDefaults: true}

// multipartOptions skip the body of multipart requests: decoding a resume of up to 10 MB
// into a string to check a schema that says only "binary" would cost more than it finds;
// UploadResumeFile checks the file name and size itself.
var multipartOptions = openapi3filter.Options{MultiError: true, SkipSettingDefaults: true, ExcludeRequestBody: true}

// validate checks req, a call of c.op, against the document. The request body is read
// through GetBody, so req itself is left as it was.
func (s *spec) validate(req *http.Request, c call, pathParams map[string]string) error {
	op := c.op
	vreq := *req
	vreq.Body = http.NoBody
	if req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return fmt.Errorf("gemclient: %s: reading the request body: %w", op.id, err)
		}
		vreq.Body = body
	}
	opts := &validationOptions
	if mt, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type")); strings.HasPrefix(mt, "multipart/") {
		opts = &multipartOptions
	}
	err := openapi3filter.ValidateRequest(req.Context(), &openapi3filter.RequestValidationInput{
		Request:    &vreq,
		PathParams: pathParams,
		Route:      op.route,
		Options:    opts,
	})
	if err == nil {
		return nil
	}
	verr := &ValidationError{Operation: op.id, Method: c.method, Path: c.path}
	collectViolations(&verr.Violations, err, Violation{})
	if len(verr.Violations) == 0 {
		verr.Violations = []Violation{{In: "request", Rule: "unknown", Message: err.Error()}}
	}
	return verr
}

// collectViolations walks kin-openapi's error tree (MultiError of RequestError of
// MultiError of SchemaError) into flat violations; at carries what the outer levels know.
func collectViolations(out *[]Violation, err error, at Violation) {
	switch e := err.(type) {
	case openapi3.MultiError:
		for _, sub := range e {
			collectViolations(out, sub, at)
		}
	case *openapi3filter.RequestError:
		switch {
		case e.Parameter != nil:
			at.In, at.Field = e.Parameter.In, e.Parameter.Name
		case e.RequestBody != nil:
			at.In = "body"
		}
		switch {
		case errors.Is(e.Err, openapi3filter.ErrInvalidRequired):
			at.Rule, at.Message = "required", "missing required value"
		case errors.Is(e.Err, openapi3filter.ErrInvalidEmptyValue):
			at.Rule, at.Message = "allowEmptyValue", "must not be empty"
		case e.Err != nil:
			collectViolations(out, e.Err, at)
			return
		default:
			at.Rule, at.Message = "request", e.Reason
		}
		*out = append(*out, at)
	case *openapi3.SchemaError:
		if ptr := e.JSONPointer(); at.In == "body" && len(ptr) > 0 {
			at.Field = "/" + strings.Join(ptr, "/")
		}
		at.Rule, at.Limit, at.Message = describeSchemaError(e)
		*out = append(*out, at)
	case *openapi3filter.ParseError:
		at.Rule, at.Message = "type", "not a valid value: "+e.Reason
		if e.Cause != nil {
			at.Message = "not a valid value: " + e.Cause.Error()
		}
		*out = append(*out, at)
	default:
		at.Rule, at.Message = "request", err.Error()
		*out = append(*out, at)
	}
}

// describeSchemaError words the broken keyword with the document's bound. It never quotes
// the offending value: it may be long, or personal data.
func describeSchemaError(e *openapi3.SchemaError) (rule, limit, msg string) {
	s := e.Schema
	num := func(f *float64) string {
		if f == nil {
			return ""
		}
		return strconv.FormatFloat(*f, 'g', -1, 64)
	}
	count := func(n *uint64) string {
		if n == nil {
			return ""
		}
		return strconv.FormatUint(*n, 10)
	}
	rule = e.SchemaField
	switch rule {
	case "maximum":
		if s.ExclusiveMax {
			return rule, num(s.Max), "must be less than " + num(s.Max)
		}
		return rule, num(s.Max), "must be at most " + num(s.Max)
	case "minimum":
		if s.ExclusiveMin {
			return rule, num(s.Min), "must be greater than " + num(s.Min)
		}
		return rule, num(s.Min), "must be at least " + num(s.Min)
	case "maxLength":
		return rule, count(s.MaxLength), "longer than maximum length " + count(s.MaxLength)
	case "minLength":
		return rule, strconv.FormatUint(s.MinLength, 10), "shorter than minimum length " + strconv.FormatUint(s.MinLength, 10)
	case "maxItems":
		return rule, count(s.MaxItems), "must have at most " + count(s.MaxItems) + " items"
	case "minItems":
		return rule, strconv.FormatUint(s.MinItems, 10), "must have at least " + strconv.FormatUint(s.MinItems, 10) + " items"
	case "required":
		return rule, "", "missing required field"
	case "enum":
		values := make([]string, len(s.Enum))
		for i, v := range s.Enum {
			values[i] = fmt.Sprint(v)
		}
		list := strings.Join(values, ", ")
		return rule, list, "must be one of: " + list
	case "type":
		t := ""
		if s.Type != nil {
			t = strings.Join(s.Type.Slice(), " or ")
		}
		return rule, t, "must be of type " + t
	case "nullable":
		return rule, "", "may not be null"
	case "pattern":
		return rule, s.Pattern, "must match the pattern " + s.Pattern
	}
	return rule, "", e.Reason
}
