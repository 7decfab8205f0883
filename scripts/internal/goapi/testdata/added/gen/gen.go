// Package gen: Gem added a field and an operation.
package gen

type Candidate struct {
	Id    *string
	Title *string
	Email *string
}

type Project struct{ Id *string }

func GetCandidate(id string) (*Candidate, error) { return &Candidate{Id: &id}, nil }

func ListProjects() ([]Project, error) { return nil, nil }
