// Package changelog compares two OpenAPI documents with oasdiff and renders
// oasdiff's changelog as Markdown. Which changes exist and which of them
// break clients is decided by oasdiff's checker rules, with the one level
// override a generated Go SDK needs (sdkSeverityLevels); this package only
// groups, sorts and formats them.
package changelog

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oasdiff/oasdiff/checker"
	"github.com/oasdiff/oasdiff/diff"
	"github.com/oasdiff/oasdiff/load"

	"github.com/gem-go/gem-go/internal/gensafe"
)

// Entry is one change that an oasdiff rule reported.
type Entry struct {
	// Rule is the oasdiff rule id, e.g. "new-required-request-parameter".
	Rule string
	// Level is oasdiff's classification: checker.ERR and checker.WARN are
	// breaking, checker.INFO is not.
	Level checker.Level
	// Method and Path name the operation; both are empty for changes outside
	// paths (components, security), which have a Section instead.
	Method, Path, Section string
	// Text describes the change; Comment, when set, explains its impact.
	Text, Comment string
}

// sdkSeverityLevels raises oasdiff's level for changes that are harmless to a
// JSON client but break Go code generated from the document.
//
// Removing an optional response property is "info" for oasdiff (a JSON reader
// just stops seeing it), but in gen/ the struct field disappears and every
// caller that reads it stops compiling. Gem's response schemas declare no
// required properties (flask-smorest dump schemas), so without this override
// no removed response field would ever be reported as breaking.
//
// Removing a schema from components.schemas ("api-schema-removed") is "info"
// too: the JSON on the wire can stay the same, as when Gem inlines a schema or
// renames it (oasdiff sees a rename as a removal; the new name is not a
// change any rule reports). oapi-codegen generates a Go type for every
// component schema, so the type of that name disappears from gen/.
var sdkSeverityLevels = map[string]checker.Level{
	checker.ResponseOptionalPropertyRemovedId: checker.ERR,
	checker.APISchemasRemovedId:               checker.ERR,
}

// sdkComments explains, under the change, why a rule whose level
// sdkSeverityLevels raised breaks the SDK although oasdiff calls it harmless.
var sdkComments = map[string]string{
	checker.ResponseOptionalPropertyRemovedId: "Breaks the Go SDK: the field of the generated struct is deleted.",
	checker.APISchemasRemovedId:               "Breaks the Go SDK: the generated Go type of this name is deleted (a renamed schema is a removed type and a new one).",
}

// Breaking reports whether the change is breaking: oasdiff's classification,
// with sdkSeverityLevels applied.
func (e Entry) Breaking() bool { return e.Level.IsBreaking() }

// Changelog is the result of comparing a base document with a revision.
type Changelog struct {
	BaseVersion, RevisionVersion string
	// Entries are sorted by path, method, then most severe first.
	Entries []Entry
	// Identical is true when oasdiff found no difference at all, not even
	// one that no changelog rule reports.
	Identical bool
}

// Compare loads base and revision (a file path, a URL, or a git revision
// such as "HEAD:api/openapi.json", as oasdiff accepts them) and returns
// oasdiff's changelog between them, every level included.
func Compare(base, revision string) (*Changelog, error) {
	s1, err := loadSpec("base", base)
	if err != nil {
		return nil, err
	}
	s2, err := loadSpec("revision", revision)
	if err != nil {
		return nil, err
	}
	d, sources, err := diff.GetWithOperationsSourcesMap(diff.NewConfig(), s1, s2)
	if err != nil {
		return nil, fmt.Errorf("diff %s and %s: %w", base, revision, err)
	}
	changes := checker.CheckBackwardCompatibilityUntilLevel(
		checker.NewConfig(checker.GetAllChecks(), checker.WithSeverityLevels(sdkSeverityLevels)), d, sources, checker.INFO)

	l := checker.NewDefaultLocalizer()
	spans := codeSpans(l)
	c := &Changelog{
		BaseVersion:     s1.GetVersion(),
		RevisionVersion: s2.GetVersion(),
		Identical:       d.Empty(),
	}
	for _, ch := range changes {
		e := Entry{
			Rule:    ch.GetId(),
			Level:   ch.GetLevel(),
			Section: ch.GetSection(),
			Text:    text(ch, spans),
			Comment: ch.GetComment(l),
		}
		if e.Comment == "" {
			e.Comment = sdkComments[e.Rule]
		}
		if _, ok := ch.(checker.ApiChange); ok {
			e.Method, e.Path = ch.GetOperation(), ch.GetPath()
		}
		c.Entries = append(c.Entries, e)
	}
	slices.SortStableFunc(c.Entries, func(a, b Entry) int {
		return cmp.Or(
			cmp.Compare(a.Path, b.Path),
			cmp.Compare(a.Method, b.Method),
			cmp.Compare(a.Section, b.Section),
			-cmp.Compare(a.Level, b.Level),
			cmp.Compare(a.Text, b.Text),
		)
	})
	return c, nil
}

// text is a change's uncolourised text with every value from the documents
// (names, paths, media types, enum values) as one escaped code span, so that
// nothing Gem's document holds can end a code span or become Markdown or
// HTML in the pull request's body: oasdiff only wraps values in backticks. A
// change's details, which oasdiff appends unquoted (an extension's value, a
// media type), become a code span at the end.
func text(ch checker.Change, spans checker.Localizer) string {
	details := ""
	if c, ok := ch.(checker.ApiChange); ok {
		details, c.Details = c.Details, ""
		ch = c
	}
	t := ch.GetUncolorizedText(spans)
	if details != "" {
		t += " " + CodeSpan(details)
	}
	return t
}

// codeSpans wraps a localizer: each string argument is oasdiff's quoting of a
// value, "`v`", or of a list of them, "`a`, `b`"; each value becomes CodeSpan.
func codeSpans(l checker.Localizer) checker.Localizer {
	return func(key string, args ...any) string {
		safe := make([]any, len(args))
		for i, a := range args {
			s, ok := a.(string)
			if !ok {
				safe[i] = a
				continue
			}
			inner, quoted := strings.CutPrefix(s, "`")
			if quoted {
				inner, quoted = strings.CutSuffix(inner, "`")
			}
			if !quoted {
				safe[i] = CodeSpan(s)
				continue
			}
			values := strings.Split(inner, "`, `")
			for j, v := range values {
				values[j] = CodeSpan(v)
			}
			safe[i] = strings.Join(values, ", ")
		}
		return l(key, safe...)
	}
}

// CodeSpan renders a value from a document as one Markdown code span that
// shows it exactly and can hold nothing else: a backtick becomes \x60, a
// backslash \\, and line breaks, tabs and every other control, separator or
// bidirectional character an escape such as \n or \u202e. Inside a code span
// HTML, emphasis, links, "|" and @mentions are plain text.
func CodeSpan(v string) string {
	var b strings.Builder
	b.WriteByte('`')
	for i, r := range v {
		switch {
		case r == '`':
			b.WriteString(`\x60`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == utf8.RuneError:
			if _, size := utf8.DecodeRuneInString(v[i:]); size == 1 {
				fmt.Fprintf(&b, `\x%02x`, v[i])
			} else {
				b.WriteString(`\ufffd`)
			}
		case gensafe.UnsafeRune(r) || !unicode.IsPrint(r) && r != ' ':
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('`')
	return b.String()
}

// loadSpec uses a fresh loader per document, as oasdiff asks, so that the
// loader's cache cannot mix up two documents with the same name.
func loadSpec(role, location string) (*load.SpecInfo, error) {
	loader := openapi3.NewLoader()
	loader.IncludeOrigin = true
	s, err := load.NewSpecInfo(loader, load.NewSource(location))
	if err != nil {
		return nil, fmt.Errorf("load %s document %s: %w", role, location, err)
	}
	return s, nil
}

// Breaking returns the entries oasdiff classifies as breaking.
func (c *Changelog) Breaking() []Entry {
	var out []Entry
	for _, e := range c.Entries {
		if e.Breaking() {
			out = append(out, e)
		}
	}
	return out
}

// Markdown renders the changelog: a summary line, then one section per
// operation (and per other section of the document) with a bullet per change.
// Breaking changes start with **BREAKING** and oasdiff's level, "error" (it
// breaks clients) or "warning" (it may).
func (c *Changelog) Markdown() string {
	var b strings.Builder
	b.WriteString("# Changes in Gem's OpenAPI document\n\n")
	if c.BaseVersion != c.RevisionVersion {
		fmt.Fprintf(&b, "Document version %s → %s.\n\n", CodeSpan(c.BaseVersion), CodeSpan(c.RevisionVersion))
	}
	switch {
	case len(c.Entries) > 0:
		breaking := len(c.Breaking())
		fmt.Fprintf(&b, "%s, %s (classified by [oasdiff](https://github.com/oasdiff/oasdiff)).\n",
			plural(len(c.Entries), "change"), plural(breaking, "breaking change"))
	case c.Identical:
		b.WriteString("No changes.\n")
		return b.String()
	default:
		b.WriteString("No changes to report: the documents differ only in details no oasdiff changelog rule covers (descriptions, examples, ordering).\n")
		return b.String()
	}

	heading := ""
	for _, e := range c.Entries {
		h := "Other changes: " + e.Section // oasdiff's name of the part of the document
		if e.Path != "" {
			h = CodeSpan(e.Method + " " + e.Path)
		}
		if h != heading {
			heading = h
			fmt.Fprintf(&b, "\n## %s\n\n", h)
		}
		b.WriteString("- ")
		if e.Breaking() {
			fmt.Fprintf(&b, "**BREAKING** (%s): ", e.Level)
		}
		fmt.Fprintf(&b, "%s (`%s`)", e.Text, e.Rule)
		if e.Comment != "" {
			fmt.Fprintf(&b, "\n  _%s_", strings.TrimSpace(e.Comment))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
