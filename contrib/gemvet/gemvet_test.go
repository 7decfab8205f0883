package gemvet_test

import (
	"os"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/gem-go/gem-go/contrib/gemvet"
)

// testdata/src/a holds the misuses it must report (// want) and the uses it must leave.
func TestAnalyzer(t *testing.T) {
	// analysistest loads testdata in another process (go list): read it here too, so that
	// go test's cache keys on it.
	if _, err := os.ReadFile("testdata/src/a/a.go"); err != nil {
		t.Fatal(err)
	}
	analysistest.Run(t, analysistest.TestData(), gemvet.Analyzer, "a")
}
