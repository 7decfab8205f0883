package gemtest

import (
	"slices"
	"sync"

	"github.com/gem-go/gem-go/gen"
)

// store is the fake's whole state. One mutex guards all of it: every request reads or
// writes under it, so concurrent writes are serialised and none is lost.
type store struct {
	mu      sync.Mutex
	seq     int64
	counter [numKinds]int64

	users          table[*user]
	candidates     table[*candidate]
	handles        map[string]string // lower-cased linked_in_handle → candidate id
	blocked        map[string]bool   // contact info permanently removed (lower-cased)
	projects       table[*project]
	log            []*logEntry
	customFields   table[*customField]
	projectFields  table[*projectField]
	notes          table[*note]
	events         table[*event]
	resumes        table[*resume]
	sequences      table[*sequence]
	exports        table[*dataExport]
	fieldOptionIdx map[string]*option // option id → option, for custom and project fields
}

func newStore() *store {
	return &store{handles: map[string]string{}, blocked: map[string]bool{}, fieldOptionIdx: map[string]*option{}}
}

// meta is what every stored object has: its id, its place in creation order (seq, which
// breaks timestamp ties) and its timestamp (created_at, or the event's own timestamp).
type meta struct {
	id      string
	seq     int64
	created int64
}

func (m *meta) base() *meta { return m }

type record interface{ base() *meta }

// newMeta allocates the next id of kind k, stamped created.
func (s *store) newMeta(k kind, created int64) meta {
	s.counter[k]++
	return meta{id: encodeID(k, s.counter[k]), seq: s.nextSeq(), created: created}
}

// nextSeq is the next place in creation order.
func (s *store) nextSeq() int64 {
	s.seq++
	return s.seq
}

// table holds one kind of object by id, in creation order.
type table[T record] struct {
	byID map[string]T
	list []T
}

func (t *table[T]) add(v T) {
	if t.byID == nil {
		t.byID = map[string]T{}
	}
	t.byID[v.base().id] = v
	t.list = append(t.list, v)
}

func (t *table[T]) get(id string) (T, bool) {
	v, ok := t.byID[id]
	return v, ok
}

func (t *table[T]) remove(id string) {
	if _, ok := t.byID[id]; !ok {
		return
	}
	delete(t.byID, id)
	t.list = slices.DeleteFunc(t.list, func(v T) bool { return v.base().id == id })
}

func (t *table[T]) len() int { return len(t.list) }

// filter returns the objects keep accepts, in creation order.
func (t *table[T]) filter(keep func(T) bool) []T {
	var out []T
	for _, v := range t.list {
		if keep(v) {
			out = append(out, v)
		}
	}
	return out
}

type user struct {
	meta
	name, email string
}

func (u *user) render() gen.User {
	return gen.User{ID: ptr(u.id), Name: ptr(u.name), Email: ptr(u.email)}
}

// fieldValue is a custom field's value on a candidate or a project field's value on a
// project: text (text and date fields) or the selected option ids.
type fieldValue struct {
	text    *string
	options []string
}

func (v fieldValue) empty() bool { return v.text == nil && len(v.options) == 0 }

// selected returns the visible options of v, in selection order.
func (s *store) selected(v fieldValue) (values, ids []string) {
	for _, id := range v.options {
		if o := s.fieldOptionIdx[id]; o != nil && !o.hidden {
			values = append(values, o.value)
			ids = append(ids, id)
		}
	}
	return values, ids
}

type sequence struct {
	meta
	name, userID string
}

func (q *sequence) render() gen.Sequence {
	return gen.Sequence{ID: ptr(q.id), Name: ptr(q.name), UserID: ptr(q.userID), CreatedAt: unixTime(q.created)}
}

func ptr[T any](v T) *T { return &v }
