package overlaycheck

import (
	"context"
	"encoding/json"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/scripts/internal/goapi"
)

// The repository's document, overlay and generator configuration.
const (
	repoRoot    = "../../.."
	repoSpec    = repoRoot + "/api/openapi.json"
	repoOverlay = repoRoot + "/api/overlay.yaml"
	repoConfig  = repoRoot + "/oapi-codegen.yaml"
)

// renameAll returns the document with every component renamed, in the styles a
// generator of OpenAPI documents might use (CandidateResponse, Candidate1,
// gem_CandidateSchema), every $ref and security requirement rewritten to match,
// and the renames made.
func renameAll(t *testing.T, data []byte) ([]byte, renames) {
	t.Helper()
	var doc map[string]any
	require.NoError(t, json.Unmarshal(data, &doc))
	comps := doc["components"].(map[string]any)
	m := renames{}
	i := 0
	for _, sec := range slices.Sorted(maps.Keys(comps)) {
		section := comps[sec].(map[string]any)
		renamed := map[string]any{}
		for _, name := range slices.Sorted(maps.Keys(section)) {
			to := [...]string{name + "Response", name + "1", "gem_" + name + "Schema"}[i%3]
			i++
			require.NotContains(t, section, to)
			m.add(sec, name, to)
			renamed[to] = section[name]
		}
		comps[sec] = renamed
	}
	var walk func(v any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			for k, e := range t {
				if s, ok := e.(string); ok && k == "$ref" {
					t[k], _ = m.ref(s)
					continue
				}
				if reqs, ok := e.([]any); ok && k == "security" {
					for _, r := range reqs {
						req := r.(map[string]any)
						for scheme, scopes := range req {
							delete(req, scheme)
							req[m["securitySchemes"][scheme]] = scopes
						}
					}
				}
				walk(e)
			}
		case []any:
			for _, e := range t {
				walk(e)
			}
		}
	}
	walk(doc)
	out, err := json.MarshalIndent(doc, "", "  ")
	require.NoError(t, err)
	require.NotContains(t, string(out), `"#/components/schemas/Candidate"`)
	return out, m
}

// allRenamed writes the all-renamed variant of the repository's document and checks
// it against the repository's overlay, with the committed document as the base. The
// check runs once for the tests that share it; each gets its own copy of the variant.
func allRenamed(t *testing.T) (spec string, r *Report, m renames) {
	t.Helper()
	c := allRenamedOnce(t)
	require.NoError(t, c.err)
	spec = filepath.Join(t.TempDir(), "openapi.json")
	require.NoError(t, os.WriteFile(spec, c.variant, 0o644))
	return spec, c.report, c.renames
}

type allRenamedCheck struct {
	variant []byte
	renames renames
	report  *Report
	err     error
}

var (
	allRenamedMu     sync.Mutex
	allRenamedResult *allRenamedCheck
)

func allRenamedOnce(t *testing.T) *allRenamedCheck {
	allRenamedMu.Lock()
	defer allRenamedMu.Unlock()
	if allRenamedResult != nil {
		return allRenamedResult
	}
	c := &allRenamedCheck{}
	base, err := os.ReadFile(repoSpec)
	require.NoError(t, err)
	c.variant, c.renames = renameAll(t, base)
	dir, err := os.MkdirTemp("", "allrenamed-")
	require.NoError(t, err)
	defer os.RemoveAll(dir)
	spec := filepath.Join(dir, "openapi.json")
	require.NoError(t, os.WriteFile(spec, c.variant, 0o644))
	c.report, c.err = Check(spec, repoOverlay, WithBase("HEAD:api/openapi.json", base), WithGeneratorConfig(repoConfig))
	allRenamedResult = c
	return c
}

// applySuggestion writes the repository's overlay with the report's suggestion
// applied, as a maintainer pastes it, to a temporary file.
func applySuggestion(t *testing.T, r *Report) string {
	t.Helper()
	text, err := os.ReadFile(repoOverlay)
	require.NoError(t, err)
	fixed, err := r.Renames.ApplyTo(text)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "overlay.yaml")
	require.NoError(t, os.WriteFile(path, fixed, 0o644))
	return path
}

func TestAllRenamedIsMatched(t *testing.T) {
	_, r, m := allRenamed(t)
	require.NotNil(t, r.Renames)
	assert.Empty(t, r.Renames.Ambiguous)
	got := renames{}
	for _, rn := range r.Renames.Renamed {
		got.add(rn.Section, rn.Old, rn.New)
		assert.Equal(t, MatchSame, rn.Match, "%s %s", rn.Section, rn.Old)
	}
	assert.Equal(t, m, got, "every component is paired with its new name")

	// The Go names are those of the committed gen package.
	goNames := map[string]string{}
	for _, rn := range r.Renames.Renamed {
		goNames[rn.Section+"/"+rn.Old] = rn.GoName
	}
	assert.Equal(t, "Candidate", goNames["schemas/Candidate"])
	assert.Equal(t, "DEFAULTERROR", goNames["responses/DEFAULT_ERROR"])
	assert.Empty(t, goNames["headers/PAGINATION"], "headers name no Go type")

	// Every action that named a component is rewritten, and the strict overlay
	// fails on the variant without them.
	assert.False(t, r.Clean())
	assert.NotEmpty(t, r.Unmatched)
	for _, a := range r.Unmatched {
		assert.True(t, r.Renames.retargets(a.Number), "action %d (%s) is rewritten", a.Number, a.Target)
	}
	md := r.Markdown()
	assert.Contains(t, md, "## Renamed components (")
	assert.Contains(t, md, "```yaml\n"+r.Renames.Snippet()+"```")
	assert.Contains(t, md, "  - target: \"$.components.schemas.CandidateResponse\"\n    update: {x-go-name: Candidate}\n")
	assert.Contains(t, md, "  - target: \"$.components.responses."+m["responses"]["DEFAULT_ERROR"]+"\"\n    update: {x-go-name: DEFAULTERROR}\n")
}

func TestAllRenamedSuggestionSettlesTheOverlay(t *testing.T) {
	spec, r, _ := allRenamed(t)
	fixed := applySuggestion(t, r)

	base, err := os.ReadFile(repoSpec)
	require.NoError(t, err)
	after, err := Check(spec, fixed, WithBase("HEAD:api/openapi.json", base), WithGeneratorConfig(repoConfig))
	require.NoError(t, err)
	assert.True(t, after.Clean(), after.Markdown())
	assert.True(t, after.Renames.Settled())
	assert.Len(t, after.Renames.Renamed, len(r.Renames.Renamed))
	assert.Contains(t, after.Markdown(), "The overlay keeps every Go type name.")
	assert.False(t, generatorFails(t, spec, fixed), "the generator applies the fixed overlay")

	// The comments stay where they were, each rewritten action takes the place of
	// the old one, and the entries come after the last action.
	orig, err := os.ReadFile(repoOverlay)
	require.NoError(t, err)
	got, err := os.ReadFile(fixed)
	require.NoError(t, err)
	comments := func(text string) []string {
		var out []string
		for l := range strings.Lines(text) {
			if strings.HasPrefix(strings.TrimSpace(l), "#") {
				out = append(out, l)
			}
		}
		return out
	}
	assert.Equal(t, comments(string(orig)), comments(string(got))[:len(comments(string(orig)))])
	assert.Equal(t, strings.Count(string(orig), "\n")+2+2*len(r.Renames.Entries), strings.Count(string(got), "\n"))
	assert.True(t, strings.HasSuffix(string(got), r.Renames.entriesBlock()))
}

// TestAllRenamedKeepsGoAPI is the whole maintainer flow on the all-renamed variant:
// the suggestion pasted into a copy of the overlay, `make generate` in a copy of the
// module, and the exported API of gen and gemclient compared with the work tree's
// (goapidiff's library): no change. It takes 10 to 20 seconds on two cores once the
// generators are in Go's build cache; -short skips it.
func TestAllRenamedKeepsGoAPI(t *testing.T) {
	if testing.Short() {
		t.Skip("regenerates the SDK: make test-race runs it (go test without -short)")
	}
	spec, r, _ := allRenamed(t)
	fixed := applySuggestion(t, r)

	scratch := t.TempDir()
	copyModule(t, repoRoot, scratch)
	for src, dst := range map[string]string{spec: "api/openapi.json", fixed: "api/overlay.yaml"} {
		data, err := os.ReadFile(src)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(scratch, dst), data, 0o644))
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "make", "-C", scratch, "generate")
	cmd.Env = append(withoutEnv(os.Environ(), "GEN_OUTDIR"), "GOWORK=off")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "make generate on the all-renamed variant:\n%s", out)

	// The variant went through the generator: the embedded document differs.
	before, err := os.ReadFile(filepath.Join(repoRoot, "gen/gem.gen.go"))
	require.NoError(t, err)
	after, err := os.ReadFile(filepath.Join(scratch, "gen/gem.gen.go"))
	require.NoError(t, err)
	require.NotEqual(t, string(before), string(after))

	incompatible, compatible, err := goapi.CompareDirs(ctx, repoRoot, scratch, []string{"./gen", "./gemclient"})
	require.NoError(t, err)
	assert.Empty(t, incompatible, "Go API changes that break callers")
	assert.Empty(t, compatible, "Go API additions")
}

// copyModule copies the SDK's module (what `make generate` needs: not git, the
// scripts and contrib modules or build output) from src into dst.
func copyModule(t *testing.T, src, dst string) {
	t.Helper()
	skip := map[string]bool{"scripts": true, "contrib": true, "bin": true, "dist": true}
	require.NoError(t, filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil || rel == "." {
			return err
		}
		top := strings.Split(filepath.ToSlash(rel), "/")[0]
		if skip[top] || strings.HasPrefix(top, ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	}))
}

func withoutEnv(env []string, name string) []string {
	return slices.DeleteFunc(slices.Clone(env), func(kv string) bool { return strings.HasPrefix(kv, name+"=") })
}
