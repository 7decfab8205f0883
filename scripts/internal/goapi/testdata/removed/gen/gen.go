// Package gen: Gem dropped Candidate.title and added an operation.
package gen

type Candidate struct {
	Id *string
}

type Project struct{ Id *string }

func GetCandidate(id string) (*Candidate, error) { return &Candidate{Id: &id}, nil }

func ListProjects() ([]Project, error) { return nil, nil }
