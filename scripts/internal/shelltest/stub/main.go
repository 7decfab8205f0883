// Command stub is the stand-in for gh, make and go in the shelltest fixtures:
// see shelltest.StubMain. It is built once per test binary.
package main

import (
	"os"

	"github.com/gem-go/gem-go/scripts/internal/shelltest"
)

func main() { os.Exit(shelltest.StubMain(os.Getenv("SHELLTEST_STUB"), os.Args[1:])) }
