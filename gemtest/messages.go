package gemtest

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// schemaMessage is marshmallow's message for what kin-openapi found (docs/gem-api.md §2.0; MM
// fields.py and validate.py). Length and Range messages depend on which bounds the
// validator has, and the document's minLength/maxLength/minimum/maximum are those bounds.
func schemaMessage(e *openapi3.SchemaError) string {
	s := e.Schema
	switch e.SchemaField {
	case "required":
		return "Missing data for required field."
	case "nullable":
		return "Field may not be null."
	case "type":
		return typeMessage(s)
	case "minLength", "maxLength":
		return lengthMessage(s.MinLength, s.MaxLength)
	case "minItems", "maxItems":
		return lengthMessage(s.MinItems, s.MaxItems)
	case "minimum", "maximum":
		return rangeMessage(s.Min, s.Max)
	case "enum":
		return oneOfMessage(s.Enum)
	case "format":
		if msg, ok := formatMessages[s.Format]; ok {
			return msg
		}
	}
	return e.Reason
}

// typeMessage is the "invalid" message of the marshmallow field for a schema's type.
func typeMessage(s *openapi3.Schema) string {
	if s == nil || s.Type == nil {
		return "Invalid value."
	}
	switch {
	case s.Type.Is(openapi3.TypeString):
		return "Not a valid string."
	case s.Type.Is(openapi3.TypeInteger):
		return "Not a valid integer."
	case s.Type.Is(openapi3.TypeNumber):
		return "Not a valid number."
	case s.Type.Is(openapi3.TypeBoolean):
		return "Not a valid boolean."
	case s.Type.Is(openapi3.TypeArray):
		return "Not a valid list."
	default: // object: fields.Nested / Schema
		return "Invalid input type."
	}
}

// lengthMessage is validate.Length's: with both bounds "Length must be between 1 and
// 255.", with one "Shorter than minimum length 1." or "Longer than maximum length 255.".
// A minimum of 0 is no minimum.
func lengthMessage(minimum uint64, maximum *uint64) string {
	switch {
	case minimum > 0 && maximum != nil:
		return fmt.Sprintf("Length must be between %d and %d.", minimum, *maximum)
	case maximum != nil:
		return fmt.Sprintf("Longer than maximum length %d.", *maximum)
	default:
		return fmt.Sprintf("Shorter than minimum length %d.", minimum)
	}
}

// rangeMessage is validate.Range's with inclusive bounds.
func rangeMessage(minimum, maximum *float64) string {
	num := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	switch {
	case minimum != nil && maximum != nil:
		return "Must be greater than or equal to " + num(*minimum) + " and less than or equal to " + num(*maximum) + "."
	case maximum != nil:
		return "Must be less than or equal to " + num(*maximum) + "."
	case minimum != nil:
		return "Must be greater than or equal to " + num(*minimum) + "."
	}
	return "Invalid value."
}

// oneOfMessage is fields.Enum's "Must be one of: asc, desc." (apispec lists null among the
// values of nullable enums; marshmallow's choices do not include it).
func oneOfMessage(values []any) string {
	var choices []string
	for _, v := range values {
		if v != nil {
			choices = append(choices, fmt.Sprint(v))
		}
	}
	return "Must be one of: " + strings.Join(choices, ", ") + "."
}

var formatMessages = map[string]string{
	"email": "Not a valid email address.",
	"url":   "Not a valid URL.",
	"date":  "Not a valid date.",
}

// formatChecks check formats as marshmallow's fields do.
var formatChecks = map[string]func(string) error{"email": validEmail, "url": validURL, "date": validDate}

// formatValidators hand formatChecks to kin-openapi for one validation at a time (its
// global format registry is left alone).
var formatValidators = func() openapi3.SchemaValidationOption {
	v := map[string]openapi3.StringFormatValidator{}
	for name, check := range formatChecks {
		v[name] = openapi3.NewCallbackValidator(check)
	}
	return openapi3.WithStringFormatValidators(v)
}()

var (
	emailUser   = regexp.MustCompile("^[-!#$%&'*+/=?^_`{}|~0-9A-Za-z]+(\\.[-!#$%&'*+/=?^_`{}|~0-9A-Za-z]+)*$")
	domainLabel = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)
	topLevel    = regexp.MustCompile(`^[A-Za-z0-9-]{2,63}$`)
)

var errFormat = errors.New("invalid format")

// validEmail follows marshmallow's validate.Email: a dot-atom local part and a domain
// with a top-level label (or localhost, or a bracketed IP literal).
func validEmail(s string) error {
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || !emailUser.MatchString(s[:at]) {
		return errFormat
	}
	domain := s[at+1:]
	if domain == "localhost" {
		return nil
	}
	if strings.HasPrefix(domain, "[") && strings.HasSuffix(domain, "]") {
		if net.ParseIP(domain[1:len(domain)-1]) != nil {
			return nil
		}
		return errFormat
	}
	return validDomain(domain, true)
}

func validDomain(domain string, requireTLD bool) error {
	labels := strings.Split(domain, ".")
	if requireTLD && len(labels) < 2 {
		return errFormat
	}
	for i, l := range labels {
		if i == len(labels)-1 && len(labels) > 1 {
			if !topLevel.MatchString(l) || strings.HasSuffix(l, "-") {
				return errFormat
			}
			continue
		}
		if !domainLabel.MatchString(l) {
			return errFormat
		}
	}
	return nil
}

// validURL follows marshmallow's fields.URL defaults: absolute, scheme http, https, ftp
// or ftps, and a host with a top-level domain (or an IP address).
func validURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || strings.ContainsAny(s, " \t\n") {
		return errFormat
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https", "ftp", "ftps":
	default:
		return errFormat
	}
	if net.ParseIP(u.Hostname()) != nil {
		return nil
	}
	return validDomain(u.Hostname(), true)
}

// validDate is fields.Date's ISO format, a real calendar day.
func validDate(s string) error {
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		return errFormat
	}
	return nil
}
