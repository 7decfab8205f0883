package specfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxDepth bounds how deeply arrays and objects may nest in a normalised
// document. Each level costs two more spaces on every line inside it, so
// nesting makes the output grow with the square of the depth: 10,000 levels
// of "[" (20 KB) came out as 200 MB. Gem's document nests 10 deep.
const MaxDepth = 64

// MaxNormalizedSize bounds the size of a normalised document, twice the
// largest download (MaxSize): a wide document can still grow by its indent.
const MaxNormalizedSize = 2 * MaxSize

// normalizedLimit is MaxNormalizedSize; tests lower it.
var normalizedLimit = MaxNormalizedSize

// ErrTooDeep and ErrTooLarge are wrapped by the errors Normalize returns for a
// document past MaxDepth or MaxNormalizedSize.
var (
	ErrTooDeep  = errors.New("nested too deeply")
	ErrTooLarge = errors.New("too large once normalised")
)

// Normalize re-encodes a JSON document in the form the repository commits:
// object keys sorted recursively, two-space indent, no HTML or non-ASCII
// escaping and a trailing newline. The bytes are exactly those of Python's
// json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
// numbers included, so a re-download of an unchanged document produces no
// diff whichever of the two tools wrote the committed file. A document nested
// more than MaxDepth levels, or larger than MaxNormalizedSize once normalised,
// is refused (ErrTooDeep, ErrTooLarge) before the output grows past the limit.
func Normalize(data []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("not JSON: unexpected data after the top-level value")
	}
	var b bytes.Buffer
	if err := writeValue(&b, v, 0); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	if b.Len() > normalizedLimit {
		return nil, fmt.Errorf("%w: %d bytes, more than %d (MaxNormalizedSize)", ErrTooLarge, b.Len(), normalizedLimit)
	}
	return b.Bytes(), nil
}

func writeValue(b *bytes.Buffer, v any, depth int) error {
	if b.Len() > normalizedLimit {
		return fmt.Errorf("%w: more than %d bytes (MaxNormalizedSize)", ErrTooLarge, normalizedLimit)
	}
	switch v.(type) {
	case []any, map[string]any:
		if depth >= MaxDepth {
			return fmt.Errorf("%w: arrays and objects nest more than %d levels (MaxDepth)", ErrTooDeep, MaxDepth)
		}
	}
	switch v := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case string:
		writeString(b, v)
	case json.Number:
		s, err := pythonNumber(string(v))
		if err != nil {
			return err
		}
		b.WriteString(s)
	case []any:
		if len(v) == 0 {
			b.WriteString("[]")
			return nil
		}
		b.WriteByte('[')
		for i, e := range v {
			writeSeparator(b, i, depth+1)
			if err := writeValue(b, e, depth+1); err != nil {
				return err
			}
		}
		writeNewline(b, depth)
		b.WriteByte(']')
	case map[string]any:
		if len(v) == 0 {
			b.WriteString("{}")
			return nil
		}
		// Sorting Go strings compares UTF-8 bytes, which orders code points
		// the way Python's sort_keys does.
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b.WriteByte('{')
		for i, k := range keys {
			writeSeparator(b, i, depth+1)
			writeString(b, k)
			b.WriteString(": ")
			if err := writeValue(b, v[k], depth+1); err != nil {
				return err
			}
		}
		writeNewline(b, depth)
		b.WriteByte('}')
	default:
		return fmt.Errorf("unexpected JSON value of type %T", v)
	}
	return nil
}

func writeSeparator(b *bytes.Buffer, i, depth int) {
	if i > 0 {
		b.WriteByte(',')
	}
	writeNewline(b, depth)
}

func writeNewline(b *bytes.Buffer, depth int) {
	b.WriteByte('\n')
	for range depth {
		b.WriteString("  ")
	}
}

// writeString quotes s as Python's json module does with ensure_ascii=False:
// only the quote, the backslash and control characters below U+0020 are
// escaped (encoding/json would also escape U+2028 and U+2029).
func writeString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			if r < 0x20 {
				fmt.Fprintf(b, `\u%04x`, r)
			} else {
				b.WriteString(s[i : i+size])
			}
		}
		i += size
	}
	b.WriteByte('"')
}

// pythonNumber spells a JSON number the way Python prints what json.loads
// made of it: integers keep their digits (any size; "-0" becomes "0"), other
// numbers become float64 printed by repr (shortest round-trip digits, at least
// one decimal, exponent form outside 1e-4 <= |x| < 1e16).
func pythonNumber(text string) (string, error) {
	if !strings.ContainsAny(text, ".eE") {
		if text == "-0" {
			return "0", nil
		}
		return text, nil
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsInf(f, 0) {
		return "", fmt.Errorf("number %s does not fit a float64", text)
	}
	if f == 0 {
		if math.Signbit(f) {
			return "-0.0", nil
		}
		return "0.0", nil
	}
	sign := ""
	if f < 0 {
		sign, f = "-", -f
	}
	// Shortest digits as "d.ddde±XX": split into the digit string and the
	// position of the decimal point.
	mantissa, exp, _ := strings.Cut(strconv.FormatFloat(f, 'e', -1, 64), "e")
	digits := strings.Replace(mantissa, ".", "", 1)
	e, _ := strconv.Atoi(exp)
	point := e + 1
	switch {
	case point <= -4 || point > 16:
		s := digits[:1]
		if len(digits) > 1 {
			s += "." + digits[1:]
		}
		expSign := "+"
		if e < 0 {
			expSign, e = "-", -e
		}
		return fmt.Sprintf("%s%se%s%02d", sign, s, expSign, e), nil
	case point <= 0:
		return sign + "0." + strings.Repeat("0", -point) + digits, nil
	case point >= len(digits):
		return sign + digits + strings.Repeat("0", point-len(digits)) + ".0", nil
	default:
		return sign + digits[:point] + "." + digits[point:], nil
	}
}
