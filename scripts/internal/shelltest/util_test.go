package shelltest

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func today() string { return time.Now().UTC().Format("2006-01-02") }

func removeFile(p string) error { return os.Remove(p) }

func getenv(k string) string { return os.Getenv(k) }

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	require.NoError(t, err)
	return a
}
