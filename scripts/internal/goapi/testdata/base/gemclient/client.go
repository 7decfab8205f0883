// Package gemclient stands in for the hand-written client.
package gemclient

import "example.com/fixture/gen"

type Client struct{}

func (c *Client) GetCandidate(id string) (*gen.Candidate, error) { return gen.GetCandidate(id) }
