package gemtest

import (
	"cmp"
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
	log            membershipLog
	customFields   table[*customField]
	projectFields  table[*projectField]
	notes          table[*note]
	events         table[*event]
	resumes        table[*resume]
	sequences      table[*sequence]
	exports        table[*dataExport]
	fieldOptionIdx map[string]*option // option id → option, for custom and project fields
	files          fileStore          // the contents of resumes and export files
}

func newStore(maxFileBytes int64) *store {
	return &store{handles: map[string]string{}, blocked: map[string]bool{}, fieldOptionIdx: map[string]*option{},
		files: fileStore{limit: maxFileBytes}}
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

// ordered holds records in two orders: as added (list) and by (created, seq) (sorted),
// the order of every sortable list, ascending. Lists page through sorted by slicing it
// (page), so serving a page does not sort or scan the whole collection. Records are
// added in timestamp order almost always, which appends; a clock set back (ManualClock)
// or an event's own timestamp inserts by binary search. A record's created and seq never
// change once it is added.
type ordered[T record] struct {
	list   []T
	sorted []T
}

// compareMeta orders records by timestamp, then by creation (seq is unique per store).
func compareMeta(a, b *meta) int {
	return cmp.Or(cmp.Compare(a.created, b.created), cmp.Compare(a.seq, b.seq))
}

func (o *ordered[T]) search(m *meta) (int, bool) {
	return slices.BinarySearchFunc(o.sorted, m, func(v T, m *meta) int { return compareMeta(v.base(), m) })
}

func (o *ordered[T]) add(v T) {
	o.list = append(o.list, v)
	i := len(o.sorted)
	if i > 0 && compareMeta(o.sorted[i-1].base(), v.base()) > 0 {
		i, _ = o.search(v.base())
	}
	o.sorted = slices.Insert(o.sorted, i, v)
}

func (o *ordered[T]) remove(v T) {
	m := v.base()
	if i, ok := o.search(m); ok {
		o.sorted = slices.Delete(o.sorted, i, i+1)
	}
	if i := slices.IndexFunc(o.list, func(x T) bool { return x.base() == m }); i >= 0 {
		o.list = slices.Delete(o.list, i, i+1)
	}
}

func (o *ordered[T]) len() int { return len(o.list) }

// table holds one kind of object by id, in creation order and sorted (ordered). Records
// that belong to a candidate (notes, events, resumes) are also held per candidate, so a
// candidate's list costs what that candidate has, not what the store has.
type table[T record] struct {
	byID map[string]T
	ordered[T]
	byOwner map[string]*ordered[T]
}

func (t *table[T]) add(v T) {
	if t.byID == nil {
		t.byID = map[string]T{}
	}
	t.byID[v.base().id] = v
	t.ordered.add(v)
	if o, ok := any(v).(owned); ok {
		if t.byOwner == nil {
			t.byOwner = map[string]*ordered[T]{}
		}
		mine := t.byOwner[o.owner()]
		if mine == nil {
			mine = &ordered[T]{}
			t.byOwner[o.owner()] = mine
		}
		mine.add(v)
	}
}

func (t *table[T]) get(id string) (T, bool) {
	v, ok := t.byID[id]
	return v, ok
}

func (t *table[T]) remove(id string) {
	v, ok := t.byID[id]
	if !ok {
		return
	}
	delete(t.byID, id)
	t.ordered.remove(v)
	if o, ok := any(v).(owned); ok {
		if mine := t.byOwner[o.owner()]; mine != nil {
			mine.remove(v)
			if mine.len() == 0 {
				delete(t.byOwner, o.owner())
			}
		}
	}
}

// ownedBy is what belongs to one candidate, sorted; nil for none.
func (t *table[T]) ownedBy(candidateID string) []T {
	if mine := t.byOwner[candidateID]; mine != nil {
		return mine.sorted
	}
	return nil
}

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
