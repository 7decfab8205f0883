package testinputs

import (
	"os"
	"path/filepath"
	"testing"
)

func TestDeclareReadsEveryFile(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"a.sh", "cmd/x/main.go", ".git/HEAD"} {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := Declare(dir, filepath.Join(dir, "a.sh")); err != nil {
		t.Fatal(err)
	}
	if err := Declare(filepath.Join(dir, "missing")); err == nil {
		t.Error("a root that does not exist is an error")
	}
}
