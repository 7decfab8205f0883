package gensafe_test

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/internal/gensafe"
)

var plainFile = gensafe.GoFile{Package: "p", Imports: []string{"fmt"}}

func TestCheckGoFileAcceptsInertText(t *testing.T) {
	src := "//go:build go1.22\n\n// Code generated. DO NOT EDIT.\n\npackage p\n\nimport \"fmt\"\n\n" +
		"// Get a candidate.\n// //go:generate sh -c 'touch pwned'\n// func init() { panic(1) } */ `x`\n" +
		"func Get() { fmt.Println(`a */ b`) } // a comment after code\n"
	assert.NoError(t, gensafe.CheckGoFile("p.go", []byte(src), plainFile))
}

// What a hostile document would need in the generated file to run code is refused, each
// naming its line.
func TestCheckGoFileRefusesPayloads(t *testing.T) {
	for name, tc := range map[string]struct{ src, says string }{
		"func init": {"package p\n\nfunc init() { panic(1) }\n", "p.go:3:1: declares func init"},
		"go:generate line": {"package p\n\n// Get.\n//go:generate sh -c 'touch pwned'\nfunc Get() {}\n",
			`p.go:4: a directive: "//go:generate sh -c 'touch pwned'"`},
		"go:generate in a raw string": {"package p\n\nvar s = `x\n//go:generate sh -c 'touch pwned'\n`\n",
			`p.go:4: a directive: "//go:generate sh -c 'touch pwned'"`},
		"indented directive":                {"package p\n\nfunc F() {\n\t//go:noinline\n}\n", `p.go:4: a directive: "\t//go:noinline"`},
		"directive after code":              {"package p\n\nvar X = 1 //go:linkname X runtime.x\n", `p.go:3:11: a directive: "//go:linkname X runtime.x"`},
		"line directive":                    {"package p\n\n//line other.go:1\nvar X = 1\n", `p.go:3: a directive: "//line other.go:1"`},
		"go:build below the package clause": {"package p\n\n//go:build ignore\nvar X = 1\n", `p.go:3: a directive`},
		"another import":                    {"package p\n\nimport \"os/exec\"\n\nvar _ = exec.Command\n", `p.go:3:8: imports "os/exec"`},
		"cgo":                               {"package p\n\n// #include <stdlib.h>\nimport \"C\"\n", `imports "C"`},
		"another package":                   {"package main\n", "package main, want p"},
		"does not parse":                    {"package p\n\nfunc init() {\n", "p.go does not parse"},
		"init among others":                 {"package p\n\nimport \"fmt\"\n\nfunc init() { fmt.Println() }\n", "declares func init"},
	} {
		t.Run(name, func(t *testing.T) {
			err := gensafe.CheckGoFile("p.go", []byte(tc.src), plainFile)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.says)
		})
	}
}

// The files the repository's generators wrote pass with the imports they use.
func TestCheckGoFileAcceptsTheGeneratedFiles(t *testing.T) {
	for file, want := range map[string]gensafe.GoFile{
		"../../gen/gem.gen.go":                   {Package: "gen", Imports: importsOf(t, "../../gen/gem.gen.go")},
		"../../gen/models.gen.go":                {Package: "gen", Imports: []string{"time"}},
		"../../internal/genserver/server.gen.go": {Package: "genserver", Imports: importsOf(t, "../../internal/genserver/server.gen.go")},
		"../../gemclient/operations.gen.go":      {Package: "gemclient", Imports: importsOf(t, "../../gemclient/operations.gen.go")},
	} {
		src, err := os.ReadFile(file)
		require.NoError(t, err)
		assert.NoError(t, gensafe.CheckGoFile(file, src, want))
	}
}
