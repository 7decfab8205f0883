// Package gen holds the Go types of Gem's API v0, generated from Gem's OpenAPI document
// (api/openapi.json, with the SDK's fixes in api/overlay.yaml): the models that requests
// and responses carry (Candidate, CandidateCreate, CandidateUpdate, ...), the parameters of
// every operation (ListCandidatesParams, ...) and the enums. Programs make the calls with
// gemclient and use gen for these types; gen itself imports only the standard library.
//
// Responses are plain structs: an optional or nullable field is a pointer, nil when Gem
// left it out or sent null, and each has a nil-safe accessor (cand.GetFirstName() is ""
// when there is none); lists are slices; timestamps are UnixTime, dates Date. %v and %+v
// print a model's fields by name. Request bodies use pointers for optional fields
// (gemclient.Ptr builds one), and update bodies use Nullable for the fields Gem can clear:
//
//	gen.CandidateUpdate{Title: gen.Value("Analyst"), Location: gen.Null[string]()}
//
// gem.gen.go and models.gen.go are generated: change the overlay or oapi-codegen.yaml and
// run `make generate`; nullable.go, time.go and stringify.go are written by hand. The
// requests are built by gemclient's generated methods, and the server side the fake in
// gemtest implements is generated into internal/genserver, outside the public API.
package gen

// GEN_OUTDIR is unset normally, so the files are written here; `make verify-generated` sets
// it to a scratch directory and compares, so these lines are the only copy of the commands.
// The first refuses a document whose names or text must not reach generated code (see
// internal/gensafe); modelgen checks what oapi-codegen wrote before it writes its own file.
//
//go:generate go run ../internal/gensafe/gencheck -document ../api/openapi.json
//go:generate go run -modfile=../tools/go.mod github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config ../oapi-codegen.yaml -o ${GEN_OUTDIR}gem.gen.go ../api/openapi.json
// modelgen also wraps gem.gen.go's comments at 100 columns.
//go:generate go run ./internal/modelgen -in ${GEN_OUTDIR}gem.gen.go -o ${GEN_OUTDIR}models.gen.go
