package specfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The blow-up a review found: 10,000 nested arrays (20 KB, under the JSON
// decoder's own depth limit) normalised into 200 MB, since every level adds
// two spaces to each line inside it. Now it is refused, naming the limit,
// before the output grows.
func TestNormalizeRefusesDeepNesting(t *testing.T) {
	deep := strings.Repeat("[", 10000) + strings.Repeat("]", 10000)
	_, err := Normalize([]byte(deep))
	require.Error(t, err)
	assert.True(t, errors.Is(err, ErrTooDeep), "%v", err)
	assert.Contains(t, err.Error(), "more than 64 levels (MaxDepth)")

	// Objects count as levels too; MaxDepth levels are fine.
	nested := func(n int) string {
		return strings.Repeat(`{"a":`, n-1) + "[]" + strings.Repeat("}", n-1)
	}
	_, err = Normalize([]byte(nested(MaxDepth)))
	assert.NoError(t, err)
	_, err = Normalize([]byte(nested(MaxDepth + 1)))
	assert.ErrorIs(t, err, ErrTooDeep)
}

// A wide document within the depth limit can still grow by its indent: the
// output is capped too (here at 1 MiB instead of MaxNormalizedSize, to keep
// the test small; the code path is the same).
func TestNormalizeRefusesHugeOutput(t *testing.T) {
	defer func(n int) { normalizedLimit = n }(normalizedLimit)
	normalizedLimit = 1 << 20
	// 3 bytes an element in, 2*(MaxDepth-1)+3 out: about 42x.
	wide := strings.Repeat("[", MaxDepth-1) + strings.Repeat("[],", 1<<20/100) + "[]" + strings.Repeat("]", MaxDepth-1)
	_, err := Normalize([]byte(wide))
	require.Error(t, err)
	assert.True(t, errors.Is(err, ErrTooLarge), "%v", err)
	assert.Contains(t, err.Error(), "more than 1048576 bytes (MaxNormalizedSize)")
	assert.Less(t, len(wide), 1<<20/10, "a tenth of the limit in")
}

// FuzzNormalize: whatever Normalize accepts comes out as JSON with the same
// value, within the limits, and normalising it again changes nothing.
func FuzzNormalize(f *testing.F) {
	// Small seeds: the fuzzer minimises every new input it finds, which is slow
	// for a document the size of base.json (TestNormalizeIsStableOnCommittedForm
	// covers that one).
	for _, file := range []string{"../../testdata/normalize/input.json"} {
		data, err := os.ReadFile(file)
		require.NoError(f, err)
		f.Add(data)
	}
	for _, s := range []string{`[]`, `{}`, `[{},{}]`, `{"b":1,"a":[1.5,-0,1e400]}`, `"\u2028"`, strings.Repeat("[", 70) + strings.Repeat("]", 70), `{"a":"\ud800"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := Normalize(data)
		if err != nil {
			return
		}
		if len(out) > MaxNormalizedSize || !bytes.HasSuffix(out, []byte("\n")) {
			t.Fatalf("%d bytes, suffix %q", len(out), out[max(0, len(out)-1):])
		}
		again, err := Normalize(out)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("not stable: %v\n%s\n%s", err, out, again)
		}
		in, err := decodeValue(data)
		if err != nil {
			t.Fatalf("accepted what encoding/json refuses: %v", err)
		}
		got, err := decodeValue(out)
		if err != nil {
			t.Fatalf("output is not JSON: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(in, got) {
			t.Fatalf("value changed:\n%#v\n%#v", in, got)
		}
	})
}

// decodeValue decodes JSON with its numbers compared by value: integers by
// their digits (Python keeps them whole, "-0" is 0), others as float64.
func decodeValue(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	var canon func(v any) any
	canon = func(v any) any {
		switch v := v.(type) {
		case json.Number:
			if s := string(v); !strings.ContainsAny(s, ".eE") {
				if s == "-0" {
					return "0"
				}
				return s
			}
			f, err := v.Float64()
			if err != nil {
				return err.Error()
			}
			return f
		case []any:
			for i := range v {
				v[i] = canon(v[i])
			}
		case map[string]any:
			for k := range v {
				v[k] = canon(v[k])
			}
		}
		return v
	}
	return canon(v), nil
}
