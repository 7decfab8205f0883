// Package genspec embeds the overlaid document (api/openapi.json with api/overlay.yaml
// applied) exactly as the generator saw it, for the SDK's own generators and tests. It
// parses with kin-openapi, so nothing users link may import it.
//
// Do not edit spec.gen.go: change api/overlay.yaml or the configuration and run
// `make generate`.
package genspec

// GEN_OUTDIR is unset normally, so the file is written here; `make verify-generated` sets it
// to a scratch directory and compares. The first step refuses a document whose names or text
// must not reach generated code (internal/gensafe; this package generates first), the last
// checks what oapi-codegen wrote.
//
//go:generate go run ../gensafe/gencheck -document ../../api/openapi.json
//go:generate go run -modfile=../../tools/go.mod github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config oapi-codegen.yaml -o ${GEN_OUTDIR}spec.gen.go ../../api/openapi.json
//go:generate go run ../gensafe/gencheck -package genspec -imports bytes,compress/flate,encoding/base64,fmt,net/url,path,strings,github.com/getkin/kin-openapi/openapi3 ${GEN_OUTDIR}spec.gen.go
