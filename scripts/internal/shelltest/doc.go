// Package shelltest runs the maintainer scripts in scripts/ (spec-update-pr,
// release) as GitHub Actions runs them, against a local HTTP server serving
// fixture documents, a local git remote and stand-ins for gh, make and go that
// record their calls. Besides its tests it holds only the stand-ins' code,
// which the command in ./stub runs.
package shelltest
