// Package gemvet is an analyzer (golang.org/x/tools/go/analysis) that reports a range over
// an iterator of items and errors, iter.Seq2[T, error], that drops the error:
//
//	for cand := range c.ListCandidatesAll(ctx, nil) { ... } // the error is never seen
//	for cand, _ := range c.ListCandidatesAll(ctx, nil) { ... }
//
// gemclient's ...All iterators yield a page's items and then, if a request fails, one last
// pair of a nil item and the error; ranging with one variable compiles, stops early at the
// failure, and loses the error, so a sync job would report a partial walk as complete. The
// check holds for any iter.Seq2 whose second type is error, not only gemclient's.
//
// Run it with `go run github.com/gem-go/gem-go/contrib/gemvet/cmd/gemvet@latest ./...`, or
// as a vet tool: `go vet -vettool=$(which gemvet) ./...`.
package gemvet

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
)

// Analyzer reports ranges over iter.Seq2[T, error] that drop the error.
var Analyzer = &analysis.Analyzer{
	Name:     "gemvet",
	Doc:      "report a range over iter.Seq2[T, error] (such as gemclient's ...All iterators) that drops the error",
	URL:      "https://github.com/gem-go/gem-go/tree/main/contrib/gemvet",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

func run(pass *analysis.Pass) (any, error) {
	in := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	in.Preorder([]ast.Node{(*ast.RangeStmt)(nil)}, func(n ast.Node) {
		r := n.(*ast.RangeStmt)
		if !yieldsError(pass.TypesInfo.TypeOf(r.X)) {
			return
		}
		switch {
		case r.Value == nil:
			pass.Reportf(r.For, "range over an iterator of items and errors with one variable drops the error: use for item, err := range ... and check err")
		case isBlank(r.Value):
			pass.Reportf(r.Value.Pos(), "the iterator's error is discarded with _: check it")
		}
	})
	return nil, nil
}

// yieldsError reports whether t is a func(yield func(T, error) bool), as iter.Seq2[T, error].
func yieldsError(t types.Type) bool {
	if t == nil {
		return false
	}
	sig, ok := t.Underlying().(*types.Signature)
	if !ok || sig.Params().Len() != 1 || sig.Results().Len() != 0 {
		return false
	}
	yield, ok := sig.Params().At(0).Type().Underlying().(*types.Signature)
	if !ok || yield.Params().Len() != 2 || yield.Results().Len() != 1 {
		return false
	}
	return types.Identical(yield.Params().At(1).Type(), types.Universe.Lookup("error").Type())
}

func isBlank(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == "_"
}
