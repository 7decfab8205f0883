// Package gen, regenerated after Gem dropped Candidate.title.
package gen

type Candidate struct {
	Id *string
}

func ListCandidates() ([]Candidate, error) { return nil, nil }
