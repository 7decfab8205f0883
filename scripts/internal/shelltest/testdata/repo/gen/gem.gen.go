// Package gen stands in for the SDK's generated package in the fixture repository.
package gen

type Candidate struct {
	Id    *string
	Title *string
}

func ListCandidates() ([]Candidate, error) { return nil, nil }
