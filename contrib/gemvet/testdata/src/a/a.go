package a

import (
	"errors"
	"iter"
)

type Candidate struct{ ID string }

// ListCandidatesAll stands for gemclient's iterators: items, then a nil item and the error.
func ListCandidatesAll() iter.Seq2[*Candidate, error] {
	return func(yield func(*Candidate, error) bool) {
		if yield(&Candidate{ID: "c1"}, nil) {
			yield(nil, errors.New("gem: 503"))
		}
	}
}

func pairs() iter.Seq2[string, int] { return func(func(string, int) bool) {} }

func misuse() {
	for c := range ListCandidatesAll() { // want "drops the error"
		_ = c.ID
	}
	for c, _ := range ListCandidatesAll() { // want "discarded with _"
		_ = c
	}
	seq := ListCandidatesAll()
	for range seq { // want "drops the error"
	}
}

func fine() error {
	for c, err := range ListCandidatesAll() {
		if err != nil {
			return err
		}
		_ = c
	}
	for k, v := range pairs() { // not an iterator of errors
		_, _ = k, v
	}
	for _, err := range ListCandidatesAll() {
		if err != nil {
			return err
		}
	}
	return nil
}
