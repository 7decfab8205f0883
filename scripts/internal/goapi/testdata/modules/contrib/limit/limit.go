// Package limit stands in for a contrib module built on gemclient.
package limit

import "example.com/fixture/gemclient"

type Limiter struct{ c *gemclient.Client }

func New(c *gemclient.Client) *Limiter { return &Limiter{c} }

func (l *Limiter) Wait() error { return nil }
