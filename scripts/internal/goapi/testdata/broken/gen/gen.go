// Package gen: a regeneration that does not compile.
package gen

type Candidate struct {
	Id *string
}

func GetCandidate(id string) (*Candidate, error) { return &Candidate{Title: &id}, nil }
