package gensafe

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Source says where a document comes from, and so which extensions it may hold.
type Source int

const (
	// Downloaded is Gem's document as published (api/openapi.json). It may hold no
	// extension that steers the code generator.
	Downloaded Source = iota
	// Overlaid is the document after the SDK's overlay (api/overlay.yaml), as the
	// generators see it. The overlay is the repository's own, reviewed text: its generator
	// extensions are allowed, with values that are Go names and type names.
	Overlaid
)

// MaxProblems bounds the problems a DocumentError lists.
const MaxProblems = 20

// Problem is one thing CheckDocument refuses.
type Problem struct {
	// Pointer is the JSON pointer (RFC 6901) of the offending key or value, such as
	// /paths/~1v0~1users/get/summary.
	Pointer string
	// Reason says what is wrong, with the offending value quoted (see Quote).
	Reason string

	err error // the text check's error (wrapping ErrUnsafeText), if that found it
}

func (p Problem) Error() string { return showPointer(p.Pointer) + ": " + p.Reason }

// Unwrap returns the error a text check found, which wraps ErrUnsafeText, or nil.
func (p Problem) Unwrap() error { return p.err }

// DocumentError is what CheckDocument returns for a document it refuses.
type DocumentError struct {
	// Problems are the first MaxProblems problems, in document order (keys sorted).
	Problems []Problem
	// Omitted counts the problems found beyond those.
	Omitted int
}

// Unwrap returns the problems, so errors.Is(err, ErrUnsafeText) tells whether one of them
// is an unsafe character.
func (e *DocumentError) Unwrap() []error {
	errs := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		errs[i] = p
	}
	return errs
}

func (e *DocumentError) Error() string {
	var b strings.Builder
	n := len(e.Problems) + e.Omitted
	fmt.Fprintf(&b, "the API document holds what must not reach generated code (%d problem", n)
	if n != 1 {
		b.WriteByte('s')
	}
	b.WriteString("):")
	for _, p := range e.Problems {
		b.WriteString("\n\t")
		b.WriteString(p.Error())
	}
	if e.Omitted > 0 {
		fmt.Fprintf(&b, "\n\t... and %d more", e.Omitted)
	}
	return b.String()
}

// The character sets of the names that reach generated code. They allow what Gem's
// document uses and what OpenAPI documents commonly use, and nothing that could end a Go
// string literal, a struct tag or a comment: no quotes, backticks, backslashes or spaces.
var (
	// A path: segments of URL-safe characters or {parameter} templates.
	pathKeyRE = regexp.MustCompile(`^(/([A-Za-z0-9._~-]+|\{[A-Za-z_][A-Za-z0-9_.-]*\}))*/?$`)
	// operationId: becomes a Go method name.
	operationIDRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]*$`)
	// A query, path or cookie parameter (a string literal and a struct tag); [] for
	// array-style query names.
	parameterRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.\[\]-]*$`)
	// A header name, and an apiKey security scheme's name.
	headerRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)
	// A component name (OpenAPI's own rule for components' keys).
	componentRE = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
	// A property name (a struct tag and a Go field name).
	propertyRE = regexp.MustCompile(`^[A-Za-z0-9_@$][A-Za-z0-9_.@$-]*$`)
	// An enum value or discriminator value (a string constant and a Go name).
	enumRE = regexp.MustCompile(`^[\p{L}\p{N} _.,:;/@+()&'!?=#%*-]*$`)
	// A media type, with optional token parameters.
	mediaTypeRE = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*|\*)/([A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*|\*)( *; *[A-Za-z0-9_-]+=[A-Za-z0-9_.+-]+)*$`)
	// A response's key: a status code, a range, or default.
	responseKeyRE = regexp.MustCompile(`^(default|[1-5]XX|[1-9][0-9][0-9])$`)
	// A reference inside the document. oapi-codegen would read any other file the
	// machine has, or fetch any URL, and embed what it got.
	refRE = regexp.MustCompile(`^#(/[A-Za-z0-9._~{}-]+)+$`)
	// A schema's format, a parameter's style, a type, a security scheme's type.
	formatRE = regexp.MustCompile(`^[A-Za-z0-9_.+-]*$`)
	wordRE   = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)
	// A security requirement's scope (copied into a []string literal).
	scopeRE = regexp.MustCompile(`^[A-Za-z0-9_.:/@+-]*$`)
	// A callback's runtime expression.
	expressionRE = regexp.MustCompile(`^[A-Za-z0-9_.{}$#/:?&=~+-]+$`)
	// The openapi field.
	versionRE = regexp.MustCompile(`^3\.[0-9]+\.[0-9]+$`)
	// The overlay's x-go-name and x-go-type-name: Go identifiers; x-go-type: a type name,
	// possibly qualified, instantiated, a pointer or a slice.
	goNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	goTypeRE = regexp.MustCompile(`^[A-Za-z_*\[][A-Za-z0-9_.*\[\]]*$`)
)

// generatorExtensions are the extensions oapi-codegen v2 reads besides its x-go-* and
// x-oapi-codegen-* families (pkg/codegen/extension.go).
var generatorExtensions = map[string]bool{
	"x-omitempty": true, "x-omitzero": true, "x-order": true, "x-deprecated-reason": true,
	"x-enum-varnames": true, "x-enumnames": true,
}

// proseKeys hold text for people and example data: their strings may hold line breaks and
// tabs, which every generator flattens or turns into separate `//` lines.
var proseKeys = map[string]bool{"description": true, "example": true, "examples": true, "default": true}

// CheckDocument checks an OpenAPI 3 document, as JSON, before any generator reads it, and
// returns a *DocumentError naming every key and value it refuses:
//
//   - paths, operationIds, parameter and header names, component names, property names,
//     enum and discriminator values, media types, response keys, formats and styles
//     outside their character sets (see the patterns above);
//   - a $ref to anything but a place inside the document;
//   - from a Downloaded document, any extension that steers the generator (x-go-*,
//     x-oapi-codegen-*, x-omitempty, x-order, x-enum-varnames, ...); from an Overlaid one,
//     such an extension whose value is not a Go name or type name, and x-go-type-import
//     and x-oapi-codegen-extra-tags, which would add imports and struct tags;
//   - any key or string holding an unsafe character (UnsafeRune), or a line break or tab
//     outside descriptions, examples and defaults: a summary, a title or a name is one
//     line.
func CheckDocument(data []byte, src Source) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return fmt.Errorf("gensafe: the API document is not JSON: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("gensafe: the API document is not JSON: data after the top-level value")
	}
	c := &checker{src: src}
	c.document(doc)
	if len(c.problems) == 0 {
		return nil
	}
	return &DocumentError{Problems: c.problems, Omitted: c.omitted}
}

type checker struct {
	src      Source
	problems []Problem
	omitted  int
}

// ptr is a JSON pointer's tokens, unescaped.
type ptr []string

func (p ptr) add(token string) ptr { return append(p[:len(p):len(p)], token) }

func (p ptr) String() string {
	var b strings.Builder
	for _, t := range p {
		b.WriteByte('/')
		b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(t))
	}
	return b.String()
}

var plainPointerRE = regexp.MustCompile(`^[A-Za-z0-9._~{}/$@-]*$`)

// showPointer prints a pointer as it is when it holds only characters that are safe in a
// message, quoted otherwise.
func showPointer(p string) string {
	if p == "" {
		return "the document"
	}
	if plainPointerRE.MatchString(p) {
		return p
	}
	return Quote(p)
}

func (c *checker) add(p ptr, format string, args ...any) {
	c.push(Problem{Pointer: p.String(), Reason: fmt.Sprintf(format, args...)})
}

// unsafe records a text check's error.
func (c *checker) unsafe(p ptr, prefix string, err error) {
	c.push(Problem{Pointer: p.String(), Reason: prefix + err.Error(), err: err})
}

func (c *checker) push(pr Problem) {
	if len(c.problems) == MaxProblems {
		c.omitted++
		return
	}
	c.problems = append(c.problems, pr)
}

// text refuses unsafe characters in a string value, and breaks unless allowed.
func (c *checker) text(p ptr, v string, breaks bool) {
	if err := checkText(v, breaks); err != nil {
		c.unsafe(p, "", err)
	}
}

// match checks a value against a character set; what names it in the message.
func (c *checker) match(p ptr, v any, re *regexp.Regexp, what string) {
	s, ok := v.(string)
	if !ok {
		c.generic(p, v)
		return
	}
	if !re.MatchString(s) {
		c.add(p, "%s is not %s (allowed: %s)", Quote(s), what, re)
	}
}

// name checks an object's key against a character set.
func (c *checker) name(p ptr, key string, re *regexp.Regexp, what string) {
	if !re.MatchString(key) {
		c.add(p, "the key %s is not %s (allowed: %s)", Quote(key), what, re)
	}
}

// object visits an object's keys in order: every key must be one line of safe text,
// extensions go to extension, and field handles the keys it knows (reporting true); the
// others get the default checks.
func (c *checker) object(p ptr, v any, field func(p ptr, key string, v any) bool) {
	c.visit(p, v, false, field)
}

// visit is object; when keysAreNames (a map of names: properties, paths, components) no
// key is an extension, and field sees them all.
func (c *checker) visit(p ptr, v any, keysAreNames bool, field func(p ptr, key string, v any) bool) {
	m, ok := v.(map[string]any)
	if !ok {
		c.generic(p, v)
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		kp := p.add(k)
		if err := checkText(k, false); err != nil {
			c.unsafe(kp, "key: ", err)
			continue
		}
		if !keysAreNames && strings.HasPrefix(k, "x-") {
			c.extension(kp, k, m[k])
			continue
		}
		if field != nil && field(kp, k, m[k]) {
			continue
		}
		if proseKeys[k] {
			c.data(kp, m[k])
		} else {
			c.generic(kp, m[k])
		}
	}
}

// names visits an object whose keys are names matching re (what says which), each value
// going to each.
func (c *checker) names(p ptr, v any, re *regexp.Regexp, what string, each func(ptr, any)) {
	c.visit(p, v, true, func(p ptr, key string, v any) bool {
		c.name(p, key, re, what)
		each(p, v)
		return true
	})
}

// list visits an array's elements with each.
func (c *checker) list(p ptr, v any, each func(ptr, any)) {
	l, ok := v.([]any)
	if !ok {
		c.generic(p, v)
		return
	}
	for i, e := range l {
		each(p.add(strconv.Itoa(i)), e)
	}
}

// generic checks a part of the document this checker has no rule for: every key and
// string is one line of safe text, descriptions and examples excepted.
func (c *checker) generic(p ptr, v any) {
	switch v := v.(type) {
	case map[string]any:
		c.object(p, v, nil)
	case []any:
		c.list(p, v, c.generic)
	case string:
		c.text(p, v, false)
	}
}

// data checks prose and example data: strings may hold line breaks.
func (c *checker) data(p ptr, v any) {
	switch v := v.(type) {
	case map[string]any:
		c.object(p, v, func(p ptr, _ string, v any) bool {
			c.data(p, v)
			return true
		})
	case []any:
		c.list(p, v, c.data)
	case string:
		c.text(p, v, true)
	}
}

func (c *checker) extension(p ptr, key string, v any) {
	lower := strings.ToLower(key)
	if !strings.HasPrefix(lower, "x-go-") && !strings.HasPrefix(lower, "x-oapi-codegen-") && !generatorExtensions[lower] {
		c.data(p, v) // someone else's extension (x-logo): data
		return
	}
	if c.src == Downloaded {
		c.add(p, "%s steers the code generator: only the SDK's overlay (api/overlay.yaml) may set it", Quote(key))
		return
	}
	switch lower {
	case "x-go-type":
		c.match(p, v, goTypeRE, "a Go type name")
	case "x-go-name", "x-go-type-name":
		c.match(p, v, goNameRE, "a Go identifier")
	case "x-enum-varnames", "x-enumnames":
		c.list(p, v, func(p ptr, v any) { c.match(p, v, goNameRE, "a Go identifier") })
	case "x-go-type-skip-optional-pointer", "x-go-json-ignore", "x-omitempty", "x-omitzero", "x-oapi-codegen-only-honour-go-name":
		if _, ok := v.(bool); !ok {
			c.add(p, "%s must be true or false", key)
		}
	case "x-order":
		if _, ok := v.(json.Number); !ok {
			c.add(p, "%s must be a number", key)
		}
	case "x-deprecated-reason":
		c.generic(p, v)
	default: // x-go-type-import, x-oapi-codegen-extra-tags, and ones this check does not know
		c.add(p, "%s would add imports, struct tags or code the SDK does not use: not even the overlay may set it", Quote(key))
	}
}

func (c *checker) document(v any) {
	c.object(nil, v, func(p ptr, key string, v any) bool {
		switch key {
		case "openapi":
			c.match(p, v, versionRE, "an OpenAPI 3 version")
		case "paths":
			c.names(p, v, pathKeyRE, "a path", c.pathItem)
		case "webhooks":
			c.names(p, v, componentRE, "a webhook name", c.pathItem)
		case "components":
			c.components(p, v)
		case "security":
			c.security(p, v)
		default:
			return false
		}
		return true
	})
}

func (c *checker) components(p ptr, v any) {
	c.object(p, v, func(p ptr, key string, v any) bool {
		each := map[string]func(ptr, any){
			"schemas": c.schema, "responses": c.response, "parameters": c.parameter,
			"requestBodies": c.requestBody, "headers": c.header, "securitySchemes": c.securityScheme,
			"callbacks": c.callback, "pathItems": c.pathItem, "examples": c.data, "links": c.generic,
		}[key]
		if each == nil {
			return false
		}
		c.names(p, v, componentRE, "a component name", each)
		return true
	})
}

func (c *checker) pathItem(p ptr, v any) {
	c.object(p, v, func(p ptr, key string, v any) bool {
		switch key {
		case "get", "put", "post", "delete", "options", "head", "patch", "trace":
			c.operation(p, v)
		case "parameters":
			c.list(p, v, c.parameter)
		case "$ref":
			c.ref(p, v)
		default:
			return false
		}
		return true
	})
}

func (c *checker) operation(p ptr, v any) {
	c.object(p, v, func(p ptr, key string, v any) bool {
		switch key {
		case "operationId":
			c.match(p, v, operationIDRE, "an operationId")
		case "parameters":
			c.list(p, v, c.parameter)
		case "requestBody":
			c.requestBody(p, v)
		case "responses":
			c.names(p, v, responseKeyRE, "a status code, a range such as 2XX, or default", c.response)
		case "callbacks":
			c.names(p, v, componentRE, "a callback name", c.callback)
		case "security":
			c.security(p, v)
		default:
			return false
		}
		return true
	})
}

func (c *checker) callback(p ptr, v any) {
	c.object(p, v, func(p ptr, key string, v any) bool {
		if key == "$ref" {
			c.ref(p, v)
			return true
		}
		c.name(p, key, expressionRE, "a runtime expression")
		c.pathItem(p, v)
		return true
	})
}

func (c *checker) parameter(p ptr, v any) {
	in := ""
	if m, ok := v.(map[string]any); ok {
		in, _ = m["in"].(string)
	}
	c.object(p, v, func(p ptr, key string, v any) bool {
		switch key {
		case "$ref":
			c.ref(p, v)
		case "name":
			if strings.EqualFold(in, "header") {
				c.match(p, v, headerRE, "a header name")
			} else {
				c.match(p, v, parameterRE, "a parameter name")
			}
		case "in", "style":
			c.match(p, v, wordRE, "a word")
		case "schema":
			c.schema(p, v)
		case "content":
			c.content(p, v)
		default:
			return false
		}
		return true
	})
}

func (c *checker) requestBody(p ptr, v any) {
	c.object(p, v, func(p ptr, key string, v any) bool {
		switch key {
		case "$ref":
			c.ref(p, v)
		case "content":
			c.content(p, v)
		default:
			return false
		}
		return true
	})
}

func (c *checker) response(p ptr, v any) {
	c.object(p, v, func(p ptr, key string, v any) bool {
		switch key {
		case "$ref":
			c.ref(p, v)
		case "headers":
			c.names(p, v, headerRE, "a header name", c.header)
		case "content":
			c.content(p, v)
		default:
			return false
		}
		return true
	})
}

func (c *checker) header(p ptr, v any) {
	c.object(p, v, func(p ptr, key string, v any) bool {
		switch key {
		case "$ref":
			c.ref(p, v)
		case "style":
			c.match(p, v, wordRE, "a word")
		case "schema":
			c.schema(p, v)
		case "content":
			c.content(p, v)
		default:
			return false
		}
		return true
	})
}

func (c *checker) content(p ptr, v any) {
	c.names(p, v, mediaTypeRE, "a media type", c.mediaType)
}

func (c *checker) mediaType(p ptr, v any) {
	c.object(p, v, func(p ptr, key string, v any) bool {
		switch key {
		case "schema":
			c.schema(p, v)
		case "encoding":
			c.names(p, v, propertyRE, "a property name", c.encoding)
		default:
			return false
		}
		return true
	})
}

func (c *checker) encoding(p ptr, v any) {
	c.object(p, v, func(p ptr, key string, v any) bool {
		switch key {
		case "contentType":
			s, _ := v.(string)
			for _, t := range strings.Split(s, ",") {
				c.match(p, strings.TrimSpace(t), mediaTypeRE, "a media type")
			}
		case "headers":
			c.names(p, v, headerRE, "a header name", c.header)
		case "style":
			c.match(p, v, wordRE, "a word")
		default:
			return false
		}
		return true
	})
}

func (c *checker) securityScheme(p ptr, v any) {
	c.object(p, v, func(p ptr, key string, v any) bool {
		switch key {
		case "$ref":
			c.ref(p, v)
		case "type", "in", "scheme":
			c.match(p, v, wordRE, "a word")
		case "name":
			c.match(p, v, headerRE, "a header, query or cookie name")
		default:
			return false
		}
		return true
	})
}

// security is a list of requirements: scheme names to lists of scopes.
func (c *checker) security(p ptr, v any) {
	c.list(p, v, func(p ptr, v any) {
		c.names(p, v, componentRE, "a security scheme name", func(p ptr, v any) {
			c.list(p, v, func(p ptr, v any) { c.match(p, v, scopeRE, "a scope") })
		})
	})
}

func (c *checker) ref(p ptr, v any) {
	s, ok := v.(string)
	if !ok {
		c.generic(p, v)
		return
	}
	if !refRE.MatchString(s) {
		c.add(p, "%s is not a reference inside the document (#/...): the generator would read another file or fetch a URL", Quote(s))
	}
}

// schemaOrBool: JSON Schema allows true and false where a schema goes.
func (c *checker) schemaOrBool(p ptr, v any) {
	if _, ok := v.(bool); !ok {
		c.schema(p, v)
	}
}

func (c *checker) schema(p ptr, v any) {
	c.object(p, v, func(p ptr, key string, v any) bool {
		switch key {
		case "$ref":
			c.ref(p, v)
		case "properties", "dependentSchemas":
			c.names(p, v, propertyRE, "a property name", c.schema)
		case "patternProperties":
			c.object(p, v, func(p ptr, _ string, v any) bool {
				c.schema(p, v)
				return true
			})
		case "$defs", "definitions":
			c.names(p, v, componentRE, "a schema name", c.schema)
		case "items":
			if _, ok := v.([]any); ok {
				c.list(p, v, c.schemaOrBool)
			} else {
				c.schemaOrBool(p, v)
			}
		case "additionalProperties", "additionalItems", "unevaluatedProperties", "unevaluatedItems",
			"not", "contains", "propertyNames", "if", "then", "else":
			c.schemaOrBool(p, v)
		case "allOf", "anyOf", "oneOf", "prefixItems":
			c.list(p, v, c.schemaOrBool)
		case "enum":
			c.list(p, v, c.enumValue)
		case "const":
			c.enumValue(p, v)
		case "required":
			c.list(p, v, func(p ptr, v any) { c.match(p, v, propertyRE, "a property name") })
		case "discriminator":
			c.discriminator(p, v)
		case "format":
			c.match(p, v, formatRE, "a format")
		case "type":
			if _, ok := v.([]any); ok {
				c.list(p, v, func(p ptr, v any) { c.match(p, v, wordRE, "a type") })
			} else {
				c.match(p, v, wordRE, "a type")
			}
		default:
			return false
		}
		return true
	})
}

// enumValue: string values become Go string constants and names; numbers, booleans and
// null are fine as they are.
func (c *checker) enumValue(p ptr, v any) {
	if s, ok := v.(string); ok {
		c.match(p, s, enumRE, "an enum value")
		return
	}
	c.generic(p, v)
}

func (c *checker) discriminator(p ptr, v any) {
	c.object(p, v, func(p ptr, key string, v any) bool {
		switch key {
		case "propertyName":
			c.match(p, v, propertyRE, "a property name")
		case "mapping":
			c.object(p, v, func(p ptr, value string, v any) bool {
				c.name(p, value, enumRE, "a discriminator value")
				if s, ok := v.(string); ok && !strings.HasPrefix(s, "#") {
					c.match(p, s, componentRE, "a schema name")
				} else {
					c.ref(p, v)
				}
				return true
			})
		default:
			return false
		}
		return true
	})
}
