package overlaycheck

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"unicode"

	"gopkg.in/yaml.v3"
)

// goNamer reproduces how oapi-codegen v2.8.2 (pinned in tools/go.mod) names the Go
// types it generates from components: SchemaNameToTypeName (a prefix for names that
// start with a digit or a symbol, then the configured name-normalizer) and
// PathToTypeName for types named after where they sit (an enum property of a
// component is Component_property, normalised again). See pkg/codegen/utils.go of
// that release; the all-renamed test checks the result against the generator itself.
type goNamer struct {
	normalize func(string) string
}

// generatorConfig is the part of oapi-codegen.yaml that decides names.
type generatorConfig struct {
	OutputOptions struct {
		NameNormalizer        string   `yaml:"name-normalizer"`
		AdditionalInitialisms []string `yaml:"additional-initialisms"`
	} `yaml:"output-options"`
}

// loadGoNamer reads the naming options of the oapi-codegen configuration at path.
func loadGoNamer(path string) (*goNamer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read the generator's configuration: %w", err)
	}
	var cfg generatorConfig
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		return nil, fmt.Errorf("generator configuration %s: %w", path, err)
	}
	return newGoNamer(cfg.OutputOptions.NameNormalizer, cfg.OutputOptions.AdditionalInitialisms)
}

// newGoNamer returns the namer for one of oapi-codegen's name-normalizer settings.
func newGoNamer(normalizer string, additionalInitialisms []string) (*goNamer, error) {
	switch normalizer {
	case "", "ToCamelCase":
		return &goNamer{normalize: toCamelCase}, nil
	case "ToCamelCaseWithDigits":
		return &goNamer{normalize: toCamelCaseWithDigits}, nil
	case "ToCamelCaseWithInitialisms":
		m := map[string]string{}
		for _, s := range append(append([]string(nil), initialisms...), additionalInitialisms...) {
			m[strings.ToLower(s)] = s
		}
		return &goNamer{normalize: func(s string) string {
			parts := camelCaseParts.FindAllString(toCamelCaseWithDigits(s), -1)
			for i, p := range parts {
				if v, ok := m[strings.ToLower(p)]; ok {
					parts[i] = v
				}
			}
			return strings.Join(parts, "")
		}}, nil
	}
	return nil, fmt.Errorf("name-normalizer %q: overlaycheck knows ToCamelCase, ToCamelCaseWithDigits and ToCamelCaseWithInitialisms", normalizer)
}

// typeName is the Go name of a component called name (SchemaNameToTypeName).
func (n *goNamer) typeName(name string) string {
	return typeNamePrefix(name) + n.normalize(name)
}

// pathTypeName is the Go name of a type the generator names after its place: the
// component's name, then the property names leading to it (an enum property).
func (n *goNamer) pathTypeName(path []string) string {
	parts := make([]string, len(path))
	for i, p := range path {
		parts[i] = n.normalize(p)
	}
	return n.typeName(strings.Join(parts, "_"))
}

// initialisms is oapi-codegen's built-in list (initialismsList).
var initialisms = []string{
	"ACL", "API", "ASCII", "CPU", "CSS", "DNS", "EOF", "GUID", "HTML", "HTTP", "HTTPS", "ID", "IP", "JSON",
	"QPS", "RAM", "RPC", "SLA", "SMTP", "SQL", "SSH", "TCP", "TLS", "TTL", "UDP", "UI", "GID", "UID", "UUID",
	"URI", "URL", "UTF8", "VM", "XML", "XMPP", "XSRF", "XSS", "SIP", "RTP", "AMQP", "DB", "TS",
}

var camelCaseParts = regexp.MustCompile(`[\p{Lu}\d]+([\p{Ll}\d]+|$)`)

// separators start a new word in toCamelCase.
const separators = "-#@!$&=.+:;_~ (){}[]"

func toCamelCase(str string) string {
	var b strings.Builder
	capNext := true
	for _, r := range strings.Trim(str, " ") {
		switch {
		case unicode.IsUpper(r), unicode.IsDigit(r):
			b.WriteRune(r)
		case unicode.IsLower(r):
			if capNext {
				b.WriteString(strings.ToUpper(string(r)))
			} else {
				b.WriteRune(r)
			}
		}
		capNext = strings.ContainsRune(separators, r)
	}
	return b.String()
}

func toCamelCaseWithDigits(s string) string {
	var b strings.Builder
	capNext := true
	for _, r := range s {
		switch {
		case unicode.IsUpper(r):
			b.WriteRune(r)
			capNext = false
		case unicode.IsDigit(r):
			b.WriteRune(r)
			capNext = true
		case unicode.IsLower(r):
			if capNext {
				r = unicode.ToUpper(r)
			}
			b.WriteRune(r)
			capNext = false
		default:
			capNext = true
		}
	}
	return b.String()
}

// typeNamePrefix spells out the symbols a name starts with ("-1" is Minus1) and
// puts N before a leading digit.
func typeNamePrefix(name string) (prefix string) {
	if name == "" {
		return "Empty"
	}
	words := map[rune]string{
		'-': "Minus", '+': "Plus", '&': "And", '|': "Or", '~': "Tilde", '=': "Equal",
		'>': "GreaterThan", '<': "LessThan", '#': "Hash", '.': "Dot", '*': "Asterisk",
		'^': "Caret", '%': "Percent", '_': "Underscore",
	}
	for _, r := range name {
		if r == '$' {
			if len(name) == 1 {
				return "DollarSign"
			}
			continue
		}
		if w, ok := words[r]; ok {
			prefix += w
			continue
		}
		if prefix == "" && unicode.IsDigit(r) {
			return "N"
		}
		return prefix
	}
	return prefix
}
