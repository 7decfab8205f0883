// Package genspec embeds the overlaid document (api/openapi.json with api/overlay.yaml
// applied) exactly as the generator saw it, for the SDK's own generators and tests. It
// parses with kin-openapi, so nothing users link may import it.
//
// Do not edit spec.gen.go: change api/overlay.yaml or the configuration and run
// `make generate`.
package genspec

// GEN_OUTDIR is unset normally, so the file is written here; `make verify-generated` sets it
// to a scratch directory and compares.
//
//go:generate go run -modfile=../../tools/go.mod github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config oapi-codegen.yaml -o ${GEN_OUTDIR}spec.gen.go ../../api/openapi.json
