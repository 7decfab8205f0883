package gen

import "time"

// UnixTime is one of Gem's timestamps: an integer count of seconds since the Unix epoch on
// the wire (created_at, last_updated_at, added_at, timestamp, and the *_after and *_before
// filters). It decodes as the plain integer it is; Time converts it.
type UnixTime int64

// UnixTimeOf returns t as a UnixTime, for a filter or a body:
//
//	gen.ListCandidatesParams{CreatedAfter: gemclient.Ptr(gen.UnixTimeOf(since))}
func UnixTimeOf(t time.Time) UnixTime { return UnixTime(t.Unix()) }

// Time returns the timestamp as a time.Time in UTC. It is nil-safe: a nil *UnixTime (the
// field was absent or null) gives the zero time.Time, so cand.CreatedAt.Time() needs no
// check first.
func (t *UnixTime) Time() time.Time {
	if t == nil {
		return time.Time{}
	}
	return time.Unix(int64(*t), 0).UTC()
}

// String formats the timestamp as RFC 3339 in UTC; int64(t) is the number Gem sent.
func (t UnixTime) String() string { return time.Unix(int64(t), 0).UTC().Format(time.RFC3339) }

// Date is a calendar date as Gem sends it: "yyyy-mm-dd" (a due date, an education or work
// date). It keeps the text as it came, so an odd value never fails the decoding of a whole
// response; Time parses it.
type Date string

// DateOf returns the calendar date of t (in t's location) as a Date.
func DateOf(t time.Time) Date { return Date(t.Format(time.DateOnly)) }

// Time parses the date as midnight UTC. It fails when the text is not "yyyy-mm-dd".
func (d Date) Time() (time.Time, error) { return time.Parse(time.DateOnly, string(d)) }
