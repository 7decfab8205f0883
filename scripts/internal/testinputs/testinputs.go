// Package testinputs makes go test's result cache see the files a test uses through
// another process.
//
// go test reuses a package's passing result while nothing it depends on changed: its
// source, the packages it imports, the environment variables it reads and the files its
// test binary opens. A test that runs a shell script, builds a command with `go build` or
// loads packages with `go list` uses files the binary never opens, and a change to them
// would leave the old result in place. Declare opens each of them once, so that the
// cache keys on their contents too and make test can reuse results without reusing stale
// ones.
package testinputs

import (
	"io/fs"
	"os"
	"path/filepath"
)

// Declare reads every regular file under each root (a file or a directory), so that the
// test binary's result is cached against them. It returns the first error.
func Declare(roots ...string) error {
	for _, root := range roots {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if name := d.Name(); path != root && (name == ".git" || name == "bin") {
					return filepath.SkipDir
				}
				return nil
			}
			if !d.Type().IsRegular() {
				return nil
			}
			_, err = os.ReadFile(path)
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}
