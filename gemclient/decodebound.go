package gemclient

import (
	"bytes"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// The byte limit (WithMaxResponseBytes) bounds what a 2xx body costs to read, not what it
// costs to decode: `[{},{},...]` is 3 bytes an element, and each element becomes a whole
// struct (a gen.Candidate is 288 bytes, and the slice doubles as it grows), so 7 KiB of
// gzip allocated 4.1 GB and kept 2.0 GB of []gen.Candidate. Before a body leaves the
// pipeline (so for the generated client of Client.API as well), one pass over its bytes
// (checkShape) counts the elements of its arrays against bounds no answer of Gem's comes
// near:
//
//   - a paginated list holds at most the page size asked for: page_size in the query, or
//     when absent the document's default for it, Gem's 20 (docs/gem-api.md §2.4). Gem
//     never sends more; this bound alone turns the bomb above into an error.
//   - any other array, a list without pagination or an array inside an object, holds at
//     most maxArrayElements (10,000), or the largest maxItems the document declares in
//     the answer when that is larger. The document's smaller maxItems (20 for a
//     candidate's emails and project_ids) are bounds on requests ("at most 20 addresses
//     per request", docs/gem-api.md §1.1): a candidate merged in Gem's app may hold more,
//     and refusing a page for a 21st address would lose it and end every walk there.
//     These bounds are about memory, not validation.
//   - all arrays of the body together hold at most one element per elementBytes (256)
//     bytes of the byte limit, and at least minElements (16,384): 65,536 at the default
//     16 MiB. Elements of nested arrays multiply (100 candidates × custom fields), so
//     this is the bound that keeps an answer small once decoded: at the default, the
//     worst body it accepts (100 candidates of 654 empty custom fields each, 420 bytes
//     of gzip) allocates about 30 MB (TestWorstAcceptedShape), while a page of 100
//     candidates with every field at its longest has about 12,000 elements. It follows
//     WithMaxResponseBytes when that is raised for an unusually large account.
//
// Unknown fields count too: encoding/json skips them without allocating, but a body
// shaped like that is not Gem's either.
const (
	maxArrayElements = 10000
	elementBytes     = 256
	minElements      = 16384
	// maxShapeDepth matches encoding/json's nesting limit: deeper bodies fail to decode
	// anyway, and the scan's stack stays bounded.
	maxShapeDepth = 10000
)

// bodyLimits bounds the shape of one 2xx JSON body; the zero value checks nothing.
type bodyLimits struct {
	check    bool
	list     int    // elements of the body's own array
	listWhy  string // what sets list, for the error
	array    int    // elements of any array below the top level
	elements int    // elements of all arrays together
}

// bodyShape is what the document says about an operation's 2xx answer, generated into
// operations.gen.go (operation.answer).
type bodyShape struct {
	json            bool // the 2xx answer is a JSON body
	paginated       bool // the operation takes page_size
	defaultPageSize int  // page_size when the request leaves it out
	maxItems        int  // the largest maxItems on an array of the answer; 0: none
}

// allArrays is ResponseTooLargeError.Array for the bound on all arrays together.
const allArrays = "all arrays together"

// arrayWhy says what sets the bound of an array that is not a page.
const arrayWhy = "the SDK's bound for one array (or the API document's maxItems, when larger)"

// limitsFor returns the bounds of the 2xx body of a call of op whose request URL is u,
// under the byte limit maxBytes.
func limitsFor(op *operation, u *url.URL, maxBytes int64) bodyLimits {
	s := op.answer
	if !s.json {
		return bodyLimits{}
	}
	array := max(maxArrayElements, s.maxItems)
	l := bodyLimits{
		check: true, array: array, list: array, listWhy: arrayWhy,
		elements: int(max(min(maxBytes/elementBytes, 1<<40), minElements)),
	}
	if s.paginated {
		l.list, l.listWhy = s.defaultPageSize, fmt.Sprintf("the page size asked for (page_size absent: Gem's default, %d)", s.defaultPageSize)
		if v := u.Query().Get("page_size"); v != "" {
			if n, err := strconv.Atoi(v); err == nil && n >= 1 {
				l.list, l.listWhy = n, fmt.Sprintf("the page size asked for (page_size=%d)", n)
			}
		}
	}
	return l
}

// isStructural marks the bytes checkShape stops at outside strings.
var isStructural = [256]bool{'"': true, '[': true, ']': true, '{': true, '}': true, ',': true}

// checkShape counts the elements of body's arrays in one pass (strings, escapes
// included, are skipped whole) and returns a *ResponseTooLargeError at the first bound
// broken, before anything is decoded. A body that is not well-formed JSON is left to the
// decoder, which reports it; checkShape only ever refuses for counts.
func checkShape(body []byte, l *bodyLimits) error {
	if !l.check {
		return nil
	}
	// stack holds, per open array, its elements so far; an object is -1.
	var inline [64]int32
	stack := inline[:0]
	total := 0
	for i := 0; i < len(body); i++ {
		c := body[i]
		if !isStructural[c] {
			continue
		}
		switch c {
		case '"':
			end := stringEnd(body, i)
			if end < 0 {
				return nil
			}
			i = end
		case '{':
			if len(stack) == maxShapeDepth {
				return nil // encoding/json refuses the depth itself
			}
			stack = append(stack, -1)
		case '[':
			if len(stack) == maxShapeDepth {
				return nil
			}
			n := int32(0)
			if j := skipSpace(body, i+1); j < len(body) && body[j] != ']' {
				n = 1
			}
			stack = append(stack, n)
			if n == 1 {
				total++
				if err := l.count(body, i+1, stack, total); err != nil {
					return err
				}
			}
		case ']', '}':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case ',':
			if k := len(stack) - 1; k >= 0 && stack[k] >= 0 {
				stack[k]++
				total++
				if err := l.count(body, i+1, stack, total); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// count checks the innermost array, which just gained its n-th element at body[at-1],
// and the total against the limits.
func (l *bodyLimits) count(body []byte, at int, stack []int32, total int) error {
	n := int(stack[len(stack)-1])
	switch {
	case len(stack) == 1 && n > l.list:
		return &ResponseTooLargeError{Limit: int64(l.list), ContentLength: -1, Array: "$", Bound: l.listWhy}
	case len(stack) > 1 && n > l.array:
		return &ResponseTooLargeError{Limit: int64(l.array), ContentLength: -1, Array: arrayPath(body, at), Bound: arrayWhy}
	case total > l.elements:
		return &ResponseTooLargeError{Limit: int64(l.elements), ContentLength: -1, Array: allArrays,
			Bound: fmt.Sprintf("one element per %d bytes of WithMaxResponseBytes", elementBytes)}
	}
	return nil
}

// stringEnd returns the index of the quote that closes the string opening at body[open],
// or -1 when it is not closed. Most strings of Gem's answers are short (keys, ids): their
// bytes are looked at one by one, longer ones through bytes.IndexByte.
func stringEnd(body []byte, open int) int {
	j := open + 1
	for end := min(len(body), j+shortString); j < end; j++ {
		switch body[j] {
		case '"':
			return j
		case '\\':
			j++ // the escaped byte
		}
	}
	for j < len(body) {
		k := bytes.IndexByte(body[j:], '"')
		if k < 0 {
			return -1
		}
		j += k
		b := j - 1
		for b > open && body[b] == '\\' {
			b--
		}
		if (j-1-b)%2 == 0 { // an even run of backslashes escapes nothing
			return j
		}
		j++
	}
	return -1
}

// shortString is how many bytes of a string stringEnd looks at one by one.
const shortString = 24

func skipSpace(body []byte, i int) int {
	for i < len(body) && (body[i] == ' ' || body[i] == '\t' || body[i] == '\n' || body[i] == '\r') {
		i++
	}
	return i
}

// arrayPath names the innermost array open before body[at] as a JSON path
// ("$[57].emails"), scanning body again: it runs only when a bound is broken. Keys are
// named only when the API document declares them (a key the server made up could carry
// anything, the credentials included); others are "[?]".
func arrayPath(body []byte, at int) string {
	type frame struct {
		array bool
		index int
		key   string
	}
	var stack []frame
	key := "" // the key whose value comes next
	for i := 0; i < at && i < len(body); i++ {
		switch body[i] {
		case '"':
			end := stringEnd(body, i)
			if end < 0 {
				return "$"
			}
			if j := skipSpace(body, end+1); len(stack) > 0 && !stack[len(stack)-1].array && j < len(body) && body[j] == ':' {
				key = documentedKey(body[i+1 : end])
			}
			i = end
		case '{', '[':
			stack = append(stack, frame{array: body[i] == '[', key: key})
			key = ""
		case ']', '}':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			key = ""
		case ',':
			if len(stack) > 0 && stack[len(stack)-1].array {
				stack[len(stack)-1].index++
			}
			key = ""
		}
	}
	var b strings.Builder
	b.WriteString("$")
	for i := 1; i < len(stack); i++ {
		if parent := stack[i-1]; parent.array {
			fmt.Fprintf(&b, "[%d]", parent.index)
		} else {
			b.WriteString("." + stack[i].key)
		}
	}
	return b.String()
}

// documentedKey returns raw (a JSON string's content) when it is a property name the API
// document declares in an answer (isResponseKey, generated), else "[?]".
func documentedKey(raw []byte) string {
	if isResponseKey(string(raw)) {
		return string(raw)
	}
	return "[?]"
}
