package cli

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNoGoroutines holds what lets make test run the scripts module's tests without -race
// (a race build of its dependencies is most of a cold make test): none of its commands and
// packages starts a goroutine, so the race detector has nothing of theirs to watch. One
// that needs to belongs in the race lane: move scripts to it in the Makefile (test-scripts
// → test-race-scripts) and delete this test.
func TestNoGoroutines(t *testing.T) {
	module := filepath.Join("..", "..")
	var files int
	err := filepath.WalkDir(module, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "testdata" || (path != module && strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		files++
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if g, ok := n.(*ast.GoStmt); ok {
				assert.Fail(t, "a goroutine in the scripts module", "%s: the scripts' tests run without -race (see this test's comment)", fset.Position(g.Pos()))
			}
			return true
		})
		return nil
	})
	require.NoError(t, err)
	assert.Greater(t, files, 20, "the walk found the module's files")
}
