package overlaycheck

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// renames maps, per components section ("schemas", "responses", ...), old component
// names to new ones.
type renames map[string]map[string]string

func (m renames) add(section, from, to string) {
	if m[section] == nil {
		m[section] = map[string]string{}
	}
	m[section][from] = to
}

// inverse maps new names back to old ones.
func (m renames) inverse() renames {
	inv := renames{}
	for sec, names := range m {
		for from, to := range names {
			inv.add(sec, to, from)
		}
	}
	return inv
}

// ref rewrites a local reference to a renamed component ("#/components/schemas/A").
func (m renames) ref(s string) (string, bool) {
	rest, ok := strings.CutPrefix(s, "#/components/")
	if !ok {
		return s, false
	}
	sec, name, ok := strings.Cut(rest, "/")
	if !ok {
		return s, false
	}
	to, ok := m[sec][unescapePointer(name)]
	if !ok {
		return s, false
	}
	return componentRef(sec, to), true
}

func componentRef(section, name string) string {
	return "#/components/" + section + "/" + pointerEscaper.Replace(name)
}

var pointerUnescaper = strings.NewReplacer("~1", "/", "~0", "~")

func unescapePointer(s string) string {
	return pointerUnescaper.Replace(s)
}

// pathSegment is one segment of a JSONPath query as written. names holds the member
// names a child segment selects when it selects names only (.name, ['a','b']);
// it is nil for anything else (wildcards, indexes, filters, descendants).
type pathSegment struct {
	raw       string
	names     []string
	shorthand bool
}

// splitPath cuts an RFC 9535 query into its segments. ok is false when the text is
// not a query it understands; the caller then leaves the target alone.
func splitPath(p string) (segs []pathSegment, ok bool) {
	if !strings.HasPrefix(p, "$") {
		return nil, false
	}
	segs = append(segs, pathSegment{raw: "$"})
	i := 1
	for i < len(p) {
		start := i
		switch {
		case strings.HasPrefix(p[i:], ".."):
			i += 2
			if i < len(p) && p[i] == '[' {
				end, ok := bracketEnd(p, i)
				if !ok {
					return nil, false
				}
				i = end
			} else {
				i += nameLen(p[i:])
			}
			segs = append(segs, pathSegment{raw: p[start:i]})
		case p[i] == '.':
			i++
			if i < len(p) && p[i] == '*' {
				i++
				segs = append(segs, pathSegment{raw: p[start:i]})
				continue
			}
			n := nameLen(p[i:])
			if n == 0 {
				return nil, false
			}
			i += n
			segs = append(segs, pathSegment{raw: p[start:i], names: []string{p[start+1 : i]}, shorthand: true})
		case p[i] == '[':
			end, ok := bracketEnd(p, i)
			if !ok {
				return nil, false
			}
			i = end
			segs = append(segs, pathSegment{raw: p[start:i], names: nameList(p[start+1 : i-1])})
		default:
			return nil, false
		}
	}
	return segs, true
}

// nameLen is the length of the member-name-shorthand at the start of s.
func nameLen(s string) int {
	n := 0
	for n < len(s) {
		r, size := utf8.DecodeRuneInString(s[n:])
		if !isNameChar(r, n == 0) {
			break
		}
		n += size
	}
	return n
}

func isNameChar(r rune, first bool) bool {
	return r == '_' || r >= 0x80 || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || (!first && unicode.IsDigit(r) && r < 0x80)
}

// bracketEnd returns the index just past the ']' that closes the '[' at p[i],
// skipping quoted strings and nested brackets.
func bracketEnd(p string, i int) (int, bool) {
	depth := 0
	for j := i; j < len(p); j++ {
		switch c := p[j]; c {
		case '\'', '"':
			for j++; j < len(p) && p[j] != c; j++ {
				if p[j] == '\\' {
					j++
				}
			}
			if j >= len(p) {
				return 0, false
			}
		case '[':
			depth++
		case ']':
			depth--
			if depth == 0 {
				return j + 1, true
			}
		}
	}
	return 0, false
}

// nameList parses the inside of a bracketed selection made of string literals only
// ('a', "b"); it returns nil for anything else.
func nameList(s string) []string {
	var names []string
	for {
		s = strings.TrimLeft(s, " \t\n\r")
		if s == "" || (s[0] != '\'' && s[0] != '"') {
			return nil
		}
		name, rest, ok := stringLiteral(s)
		if !ok {
			return nil
		}
		names = append(names, name)
		rest = strings.TrimLeft(rest, " \t\n\r")
		if rest == "" {
			return names
		}
		if rest[0] != ',' {
			return nil
		}
		s = rest[1:]
	}
}

// stringLiteral decodes the quoted string at the start of s.
func stringLiteral(s string) (value, rest string, ok bool) {
	q := s[0]
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == q:
			return b.String(), s[i+1:], true
		case c == '\\':
			if i+1 >= len(s) {
				return "", "", false
			}
			i++
			switch e := s[i]; e {
			case '\'', '"', '\\', '/':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				if i+4 >= len(s) {
					return "", "", false
				}
				r, err := strconv.ParseUint(s[i+1:i+5], 16, 32)
				if err != nil {
					return "", "", false
				}
				b.WriteRune(rune(r))
				i += 4
			default:
				return "", "", false
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", "", false
}

// quoteName writes a name as an RFC 9535 single-quoted string literal.
func quoteName(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// retarget rewrites the component names a target selects ($.components.schemas.A,
// $.components.schemas['A','B'], ...) and the references to renamed components
// quoted inside it (a filter comparing $ref). It returns the target unchanged and
// false when there is nothing to rewrite or the target is not a query it reads.
func (m renames) retarget(target string) (string, bool) {
	segs, ok := splitPath(target)
	if !ok {
		return target, false
	}
	changed := false
	if len(segs) >= 4 && equalNames(segs[1].names, "components") && len(segs[2].names) == 1 && segs[3].names != nil {
		section := segs[2].names[0]
		names := make([]string, len(segs[3].names))
		for i, n := range segs[3].names {
			names[i] = n
			if to, ok := m[section][n]; ok {
				names[i], changed = to, true
			}
		}
		if changed {
			if segs[3].shorthand && len(names) == 1 && nameLen(names[0]) == len(names[0]) {
				segs[3].raw = "." + names[0]
			} else {
				quoted := make([]string, len(names))
				for i, n := range names {
					quoted[i] = quoteName(n)
				}
				segs[3].raw = "[" + strings.Join(quoted, ",") + "]"
			}
		}
	}
	var b strings.Builder
	for _, s := range segs {
		raw := s.raw
		if s.names == nil && strings.Contains(raw, "#/components/") {
			raw = m.refsInFilter(raw)
		}
		b.WriteString(raw)
	}
	out := b.String()
	return out, out != target
}

// refsInFilter rewrites the quoted references to renamed components in the text of
// a filter selector.
func (m renames) refsInFilter(raw string) string {
	for sec, names := range m {
		for from, to := range names {
			for _, q := range []string{"'", `"`} {
				raw = strings.ReplaceAll(raw, q+componentRef(sec, from)+q, q+componentRef(sec, to)+q)
			}
		}
	}
	return raw
}

func equalNames(names []string, want string) bool {
	return len(names) == 1 && names[0] == want
}
