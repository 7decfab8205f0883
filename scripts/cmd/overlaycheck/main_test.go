package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
)

const testdata = "../../testdata/"

func runCheck(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}

func TestExitStatus(t *testing.T) {
	overlay := "-overlay=" + testdata + "overlay.yaml"
	for _, tc := range []struct {
		spec  string
		extra []string
		want  int
		says  string
	}{
		{"base.json", nil, 0, "Every operation has an operationId"},
		{"new-endpoint.json", nil, 1, "operationId: ListProjects"},
		{"new-endpoint.json", []string{"-allow-unnamed"}, 0, "operationId: ListProjects"},
		{"removed-endpoint.json", []string{"-allow-unnamed"}, 1, "Overlay actions that match nothing (1)"},
	} {
		args := append([]string{"-spec=" + testdata + tc.spec, overlay}, tc.extra...)
		code, stdout, _ := runCheck(args...)
		assert.Equal(t, tc.want, code, "%v", args)
		assert.Contains(t, stdout, tc.says)
	}
}

func TestLoadError(t *testing.T) {
	code, _, stderr := runCheck("-spec="+testdata+"base.json", "-overlay="+testdata+"nope.yaml")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "overlaycheck: failed to parse overlay")
}
