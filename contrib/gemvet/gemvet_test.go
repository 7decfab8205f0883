package gemvet_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/gem-go/gem-go/contrib/gemvet"
)

// testdata/src/a holds the misuses it must report (// want) and the uses it must leave.
func TestAnalyzer(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), gemvet.Analyzer, "a")
}
