// Command gemvet reports ranges over iterators of items and errors that drop the error (see
// package gemvet). Run it on packages like go vet: gemvet ./...
package main

import (
	"golang.org/x/tools/go/analysis/singlechecker"

	"github.com/gem-go/gem-go/contrib/gemvet"
)

func main() { singlechecker.Main(gemvet.Analyzer) }
