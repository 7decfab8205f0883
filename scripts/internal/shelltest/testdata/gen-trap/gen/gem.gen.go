// Package gen, regenerated after Gem added an optional parameter.
package gen

type Candidate struct {
	Id    *string
	Title *string
}

type ListCandidatesParams struct{ OwnerId *string }

func ListCandidates() ([]Candidate, error) { return nil, nil }
