// Package shelltest runs the maintainer scripts in scripts/ (spec-update-pr,
// release) as GitHub Actions runs them, against a local HTTP server serving
// fixture documents, a local git remote and stand-ins for gh and make that
// record their calls. It has tests only.
package shelltest
