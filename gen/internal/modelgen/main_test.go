package main

import (
	"bytes"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/internal/gensafe"
)

// What oapi-codegen wrote passes the checks modelgen runs before it writes its own file;
// the same file with an init function or an import oapi-codegen never writes here fails.
func TestChecksWhatOAPICodegenWrote(t *testing.T) {
	src, err := os.ReadFile("../../gem.gen.go")
	require.NoError(t, err)
	require.NoError(t, gensafe.CheckGoFile("gem.gen.go", src, oapiCodegenFile))
	require.NoError(t, checkDocument())

	withInit := append(bytes.Clone(src), "\nfunc init() { panic(\"pwned\") }\n"...)
	assert.ErrorContains(t, gensafe.CheckGoFile("gem.gen.go", withInit, oapiCodegenFile), "declares func init")
	withExec := bytes.Replace(src, []byte("package gen\n"), []byte("package gen\n\nimport _ \"os/exec\"\n"), 1)
	assert.ErrorContains(t, gensafe.CheckGoFile("gem.gen.go", withExec, oapiCodegenFile), `imports "os/exec"`)
}
