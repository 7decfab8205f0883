package gemtest

import (
	"strconv"
	"time"

	"github.com/gem-go/gem-go/gen"
)

func deref[T any](p *[]T) []T {
	if p == nil {
		return nil
	}
	return *p
}

// deref1 is *p, or the zero value for nil.
func deref1[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
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

// unixTime is a stored unix time as the API's timestamps are typed.
func unixTime(ts int64) *gen.UnixTime {
	t := gen.UnixTime(ts)
	return &t
}

func itoa(i int) string { return strconv.Itoa(i) }

// dateOf is the UTC calendar day of a unix time.
func dateOf(ts int64) gen.Date {
	return gen.DateOf(time.Unix(ts, 0).UTC())
}
