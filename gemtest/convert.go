package gemtest

import (
	"strconv"
	"time"

	"github.com/oapi-codegen/nullable"
	openapi_types "github.com/oapi-codegen/runtime/types"
)

// optional is a request field's value, nil when absent or null.
func optional[T any](n nullable.Nullable[T]) *T {
	v, err := n.Get()
	if err != nil {
		return nil
	}
	return &v
}

// optionalSlice is a nullable list's items, none when absent or null.
func optionalSlice[T any](n nullable.Nullable[[]T]) []T {
	if v := optional(n); v != nil {
		return *v
	}
	return nil
}

// orNull renders a stored optional value: the value, or an explicit null.
func orNull[T any](v *T) nullable.Nullable[T] {
	if v == nil {
		return nullable.NewNullNullable[T]()
	}
	return nullable.NewNullableWithValue(*v)
}

// fillNull makes an absent field an explicit null, as marshmallow dumps unset fields.
func fillNull[T any](n *nullable.Nullable[T]) {
	if !n.IsSpecified() {
		n.SetNull()
	}
}

func deref[T any](p *[]T) []T {
	if p == nil {
		return nil
	}
	return *p
}

// nonNil makes a nil slice empty, so it encodes as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func itoa(i int) string { return strconv.Itoa(i) }

// dateOf is the UTC calendar day of a unix time.
func dateOf(ts int64) openapi_types.Date {
	y, m, d := time.Unix(ts, 0).UTC().Date()
	return openapi_types.Date{Time: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}
