package gen

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Nullable is a field of an update body (PUT or PATCH) that Gem's document allows to be
// null. It has three states, and each means something different to Gem:
//
//   - absent (the zero value): the field is left out of the JSON and Gem leaves it as it is;
//   - null (Null[T]()): the field is sent as null and Gem clears it;
//   - a value (Value(v)): the field is sent and Gem sets it.
//
// The zero value is absent, so an update body names only the fields it changes:
//
//	gen.CandidateUpdate{Title: gen.Value("Analyst"), Location: gen.Null[string]()}
//
// sends {"title":"Analyst","location":null}. Nullable is a small struct, not a map or a
// pointer: it encodes with encoding/json's omitzero, decodes null and values, and prints
// as its value, null or absent with %v.
type Nullable[T any] struct {
	value T
	state nullState
}

type nullState uint8

const (
	stateAbsent nullState = iota
	stateNull
	stateValue
)

// Value returns a Nullable that sets the field to v.
func Value[T any](v T) Nullable[T] { return Nullable[T]{value: v, state: stateValue} }

// Null returns a Nullable that clears the field (sends null).
func Null[T any]() Nullable[T] { return Nullable[T]{state: stateNull} }

// Get returns the value and true when n holds one; the zero T and false when n is absent
// or null.
func (n Nullable[T]) Get() (T, bool) { return n.value, n.state == stateValue }

// IsNull reports whether n is an explicit null.
func (n Nullable[T]) IsNull() bool { return n.state == stateNull }

// IsSet reports whether n is sent at all: a value or null.
func (n Nullable[T]) IsSet() bool { return n.state != stateAbsent }

// IsZero reports whether n is absent; encoding/json's omitzero then leaves the field out.
func (n Nullable[T]) IsZero() bool { return n.state == stateAbsent }

// MarshalJSON encodes the value, or null. An absent Nullable also encodes as null: leave
// it out of the JSON with the omitzero tag option, as the generated update bodies do.
func (n Nullable[T]) MarshalJSON() ([]byte, error) {
	if n.state != stateValue {
		return []byte("null"), nil
	}
	return json.Marshal(n.value)
}

// UnmarshalJSON decodes null or a value. encoding/json calls it only for a field that is
// present; an absent field stays absent.
func (n *Nullable[T]) UnmarshalJSON(data []byte) error {
	if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		var zero T
		n.value, n.state = zero, stateNull
		return nil
	}
	var v T
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	n.value, n.state = v, stateValue
	return nil
}

// String returns the value as %v prints it, "null", or "absent".
func (n Nullable[T]) String() string {
	switch n.state {
	case stateNull:
		return "null"
	case stateValue:
		return fmt.Sprint(n.value)
	}
	return "absent"
}
