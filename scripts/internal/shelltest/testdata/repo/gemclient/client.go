// Package gemclient stands in for the SDK's client in the fixture repository.
package gemclient

import "example.com/gemfixture/gen"

type Client struct{}

func (c *Client) ListCandidates() ([]gen.Candidate, error) { return gen.ListCandidates() }
