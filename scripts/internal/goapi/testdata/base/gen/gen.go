// Package gen stands in for the generated models and client.
package gen

type Candidate struct {
	Id    *string
	Title *string
}

func GetCandidate(id string) (*Candidate, error) { return &Candidate{Id: &id}, nil }
