//go:build tools

// Package tools pins the maintainer-only tools (the code generator and the linter) in
// tools/go.mod, a module of its own, so that `go get github.com/gem-go/gem-go` never pulls
// them in and their go lines (oapi-codegen v2.8.2 needs go 1.25) never raise the SDK's.
// Run them with `go run -modfile=tools/go.mod <pkg>` from the repository root (see Makefile).
package tools

import (
	_ "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen"
	_ "honnef.co/go/tools/cmd/staticcheck"
)
