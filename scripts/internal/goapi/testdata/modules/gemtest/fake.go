// Package gemtest stands in for the fake Gem server.
package gemtest

type Server struct{ URL string }

func NewServer() *Server { return &Server{} }

func NewUnstartedServer() *Server { return &Server{} }
