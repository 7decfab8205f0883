package shelltest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gem-go/gem-go/scripts/internal/testinputs"
)

// The binaries the tests run, each built once per test binary on first use
// (so tests that need none start at once), without the race detector: the
// stand-ins start on every gh, make and go call, and a race binary starts
// several times slower.
var (
	buildDir  string
	stubBuild = sync.OnceValues(func() (string, error) { return build("stub", "./internal/shelltest/stub") })
	// updatespec, specdiff, overlaycheck and goapidiff; after the stub, whose
	// build compiles the standard library they share (two go commands
	// building the same packages at once would both compile them).
	toolsBuild = sync.OnceValues(func() (string, error) {
		if _, err := stubBuild(); err != nil {
			return "", err
		}
		return build("tools", "./cmd/updatespec", "./cmd/specdiff", "./cmd/overlaycheck", "./cmd/goapidiff")
	})
)

func TestMain(m *testing.M) {
	// What the tests run in other processes (the scripts, the commands they build, the
	// workflows they read): go test's cache keys on it, so make test reuses a passing
	// result only while none of it changed.
	if err := testinputs.Declare(scriptsDir, filepath.Join(scriptsDir, "..", ".github")); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	dir, err := os.MkdirTemp("", "shelltest-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	buildDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// build builds packages of the scripts module into a directory of buildDir.
func build(name string, pkgs ...string) (string, error) {
	out := filepath.Join(buildDir, name)
	cmd := exec.Command("go", append([]string{"build", "-o", out + string(filepath.Separator)}, pkgs...)...)
	cmd.Dir = scriptsDir
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building %v: %v\n%s", pkgs, err, b)
	}
	return out, nil
}

// built returns what a build made, failing the test if it could not.
func built(t *testing.T, b func() (string, error)) string {
	t.Helper()
	dir, err := b()
	require.NoError(t, err)
	return dir
}

const scriptsDir = "../.."

// skipShort skips an end-to-end run of a script under -short: make test runs this
// module's tests with it, and make test-race, which CI runs after it, without it.
// The package's runs start about 4,600 processes (git, bash, go and the tools), and the
// first ones compile what the scripts build (with the other end-to-end runs, a third of a
// cold make test's CPU, for code that changes when the maintainers' loop does).
func skipShort(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("an end-to-end run of a script: make test-race runs it (go test without -short)")
	}
}

// docServer serves the scripts module's fixture documents at /NAME.json,
// garbage at /garbage.json, and 404 for anything else.
func docServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/garbage.json" {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<html><body>Gem is down for maintenance</body></html>")
			return
		}
		name := strings.TrimPrefix(r.URL.Path, "/")
		if strings.Contains(name, "/") || !strings.HasSuffix(name, ".json") {
			http.NotFound(w, r)
			return
		}
		data, err := os.ReadFile(filepath.Join(scriptsDir, "testdata", name))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(data)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// fixture is a repository shaped like gem-go's as far as the scripts care
// (api/, gen/, gemclient/, a go.mod, a v0.1.0 tag) with a bare "origin", the
// gh and make stubs, and the document server.
type fixture struct {
	t        *testing.T
	dir      string
	origin   string
	state    string
	stubs    string // gh and make, recording their calls
	pubStubs string // gh, and make and go that refuse to run: what publish finds in PATH
	srv      *httptest.Server
	runs     int
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	skipShort(t)
	f := &fixture{t: t, dir: t.TempDir()}
	f.origin = filepath.Join(f.dir, "origin.git")
	f.state = filepath.Join(f.dir, "state")
	f.stubs = filepath.Join(f.dir, "stubs")
	f.pubStubs = filepath.Join(f.dir, "pubstubs")
	require.NoError(t, os.MkdirAll(f.state, 0o755))
	stub := filepath.Join(built(t, stubBuild), "stub")
	for dir, tools := range map[string][]string{f.stubs: {"gh", "make"}, f.pubStubs: {"gh", "make", "go"}} {
		require.NoError(t, os.MkdirAll(dir, 0o755))
		for _, tool := range tools {
			script := fmt.Sprintf("#!/bin/sh\nSHELLTEST_STUB=%s exec '%s' \"$@\"\n", tool, stub)
			require.NoError(t, os.WriteFile(filepath.Join(dir, tool), []byte(script), 0o755))
		}
	}
	f.srv = docServer(t)

	f.git(f.dir, "init", "-q", "--bare", "-b", "main", f.origin)
	seed := filepath.Join(f.dir, "seed")
	f.git(f.dir, "clone", "-q", f.origin, seed)
	require.NoError(t, copyTree("testdata/repo", seed))
	f.write(seed, "go.mod", "module example.com/gemfixture\n\ngo 1.24\n")
	f.write(seed, "api/openapi.json", f.read(filepath.Join(scriptsDir, "testdata", "base.json")))
	f.write(seed, "api/overlay.yaml", f.read(filepath.Join(scriptsDir, "testdata", "overlay.yaml")))
	f.git(seed, "add", "-A")
	f.git(seed, "commit", "-q", "-m", "fixture")
	f.git(seed, "tag", "v0.1.0")
	f.git(seed, "push", "-q", "origin", "main", "v0.1.0")
	return f
}

// fork copies the fixture's remote and the gh stand-in's state (its pull
// request, not its recorded calls) into a new fixture for t, sharing the
// stand-ins and the document server: subtests start from one setup.
func (f *fixture) fork(t *testing.T) *fixture {
	t.Helper()
	g := *f
	g.t, g.dir = t, t.TempDir()
	g.origin = filepath.Join(g.dir, "origin.git")
	g.state = filepath.Join(g.dir, "state")
	require.NoError(t, copyTree(f.origin, g.origin))
	require.NoError(t, os.MkdirAll(g.state, 0o755))
	if pr, err := os.ReadFile(filepath.Join(f.state, "pr.json")); err == nil {
		require.NoError(t, os.WriteFile(filepath.Join(g.state, "pr.json"), pr, 0o644))
	}
	return &g
}

// gitEnv isolates git from the machine's configuration and names the
// fixture's own commits' author.
func gitEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "GIT_") || strings.HasPrefix(kv, "GITHUB_") || strings.HasPrefix(kv, "GH_") ||
			strings.HasPrefix(kv, "GEM_") || strings.HasPrefix(kv, "SPEC_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
}

func (f *fixture) git(dir string, args ...string) string {
	f.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(gitEnv(), "GIT_AUTHOR_NAME=Maintainer", "GIT_AUTHOR_EMAIL=maintainer@example.com",
		"GIT_COMMITTER_NAME=Maintainer", "GIT_COMMITTER_EMAIL=maintainer@example.com")
	out, err := cmd.CombinedOutput()
	require.NoError(f.t, err, "git %v: %s", args, out)
	return strings.TrimSpace(string(out))
}

func (f *fixture) write(dir, name, content string) {
	f.t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	require.NoError(f.t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(f.t, os.WriteFile(p, []byte(content), 0o644))
}

func (f *fixture) read(path string) string {
	f.t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(f.t, err)
	return string(b)
}

// clone makes a fresh clone of origin, as actions/checkout does, or as a
// maintainer would to push to the pull request's branch.
func (f *fixture) clone(name string) string {
	f.t.Helper()
	dir := filepath.Join(f.dir, name)
	f.git(f.dir, "clone", "-q", f.origin, dir)
	return dir
}

// runResult is one run of a script; for spec-update-pr, of both its halves.
type runResult struct {
	code    int    // the exit status (publish's)
	prepare int    // prepare's exit status
	output  string // standard output and error, interleaved (prepare's, then publish's)
	summary string // what it wrote to GITHUB_STEP_SUMMARY (both jobs')
	reports string // prepare's result, as uploaded
}

// runOpts configures one spec-update-pr run.
type runOpts struct {
	doc      string // path on the document server, e.g. "new-optional-param.json"
	generate string // "ok" (default) or "fail"
	genSrc   string // testdata directory make generate copies over the work tree
	test     string // "ok" (default) or "fail"
	env      []string
	tamper   func(work, artifact string) // changes prepare's result (in work, its clone) before publish reads it
}

// specUpdate runs scripts/spec-update-pr as the workflow's two jobs do: prepare
// in a fresh clone of origin, without gh; then publish in another fresh clone,
// the base branch's, with prepare's result copied in as the artifact download
// would, and with make and go stand-ins that refuse to run.
func (f *fixture) specUpdate(o runOpts) runResult {
	f.t.Helper()
	p := f.prepare(o)
	artifact := filepath.Join(f.dir, fmt.Sprintf("artifact%d", f.runs))
	require.NoError(f.t, copyTree(p.reports, artifact))
	if o.tamper != nil {
		o.tamper(filepath.Join(f.dir, fmt.Sprintf("run%d", f.runs)), artifact)
	}
	r := f.publish(artifact, o.env...)
	r.prepare, r.reports = p.code, p.reports
	r.output = p.output + r.output
	r.summary = p.summary + r.summary
	return r
}

// specEnv is the environment both halves share.
func (f *fixture) specEnv(stubs, phase, summary string, extra []string) []string {
	return append(append(gitEnv(),
		"PATH="+stubs+string(os.PathListSeparator)+os.Getenv("PATH"),
		"SHELLTEST_STATE="+f.state,
		"SHELLTEST_PHASE="+phase,
		"GITHUB_STEP_SUMMARY="+summary,
		"GITHUB_SERVER_URL=https://github.example",
		"GITHUB_REPOSITORY=gem-go/gem-go",
		"GITHUB_RUN_ID=42",
		"GOFLAGS=-buildvcs=false",
		"GOTOOLCHAIN=local",
	), extra...)
}

// prepare runs the first half in a fresh clone; its result is r.reports.
func (f *fixture) prepare(o runOpts) runResult {
	f.t.Helper()
	f.runs++
	work := f.clone(fmt.Sprintf("run%d", f.runs))
	reports := filepath.Join(f.dir, fmt.Sprintf("reports%d", f.runs))
	summary := filepath.Join(f.dir, fmt.Sprintf("summary%d.md", f.runs))
	genSrc := ""
	if o.genSrc != "" {
		genSrc = mustAbs(f.t, filepath.Join("testdata", o.genSrc))
	}
	env := f.specEnv(f.stubs, "prepare", summary, append([]string{
		"SHELLTEST_GENERATE=" + o.generate,
		"SHELLTEST_GEN_SRC=" + genSrc,
		"SHELLTEST_TEST=" + o.test,
		"SPEC_TOOLS_BIN=" + built(f.t, toolsBuild),
		"SPEC_REPORTS=" + reports,
		"GEM_SPEC_URL=" + f.srv.URL + "/" + o.doc,
	}, o.env...))
	return f.runScript(work, env, summary, reports, mustAbs(f.t, filepath.Join(scriptsDir, "spec-update-pr")), "prepare")
}

// publish runs the second half in a fresh clone of origin's base branch with
// artifact, a copy of prepare's result, as the artifact download leaves it.
func (f *fixture) publish(artifact string, extra ...string) runResult {
	f.t.Helper()
	work := f.clone(fmt.Sprintf("publish%d", f.runs))
	summary := filepath.Join(f.dir, fmt.Sprintf("publish-summary%d.md", f.runs))
	env := f.specEnv(f.pubStubs, "publish", summary, append([]string{
		"SHELLTEST_TRAP=" + f.trap(),
		"SPEC_ARTIFACT=" + artifact,
		"SPEC_REPORTS=" + filepath.Join(f.dir, fmt.Sprintf("publish-reports%d", f.runs)),
	}, extra...))
	r := f.runScript(work, env, summary, artifact, mustAbs(f.t, filepath.Join(scriptsDir, "spec-update-pr")), "publish")
	f.checkHalves()
	return r
}

// trap is the file that booby-trapped code (testdata/gen-trap) creates if
// it ever runs in publish.
func (f *fixture) trap() string { return filepath.Join(f.dir, "pwned") }

// checkHalves asserts what the split is for: prepare, which runs Gem's
// document as code, never called gh, and publish, which holds the write
// token, never ran make, go or code from the branch.
func (f *fixture) checkHalves() {
	f.t.Helper()
	assert.NoFileExists(f.t, f.trap(), "code from the branch or the artifact ran in publish")
	for _, tool := range []string{"gh", "make", "go"} {
		for _, c := range f.calls(tool) {
			if tool == "gh" {
				assert.NotEqual(f.t, "prepare", c.Phase, "prepare called gh %v", c.Args)
			} else {
				assert.NotEqual(f.t, "publish", c.Phase, "publish ran %s %v", tool, c.Args)
			}
		}
	}
}

func (f *fixture) runScript(dir string, env []string, summary, reports string, script string, args ...string) runResult {
	f.t.Helper()
	// A guard against a hung script, not a measure: with an empty build cache on a
	// loaded two-core machine, a script that builds (govulncheck, release) takes minutes.
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", append([]string{script}, args...)...)
	cmd.Dir = dir
	// Temporary files a script makes (mktemp) go with the fixture.
	tmp := filepath.Join(f.dir, "tmp")
	require.NoError(f.t, os.MkdirAll(tmp, 0o755))
	cmd.Env = append(env, "TMPDIR="+tmp)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	require.NoError(f.t, ctx.Err(), "the script timed out:\n%s", out.String())
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		require.True(f.t, ok, "%v", err)
		code = ee.ExitCode()
	}
	s, _ := os.ReadFile(summary)
	return runResult{code: code, output: out.String(), summary: string(s), reports: reports}
}

// calls returns the recorded calls of tool since the last reset.
func (f *fixture) calls(tool string) []call {
	f.t.Helper()
	file, err := os.Open(filepath.Join(f.state, "calls.jsonl"))
	if os.IsNotExist(err) {
		return nil
	}
	require.NoError(f.t, err)
	defer file.Close()
	var out []call
	sc := bufio.NewScanner(file)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var c call
		require.NoError(f.t, json.Unmarshal(sc.Bytes(), &c))
		if c.Tool == tool {
			out = append(out, c)
		}
	}
	require.NoError(f.t, sc.Err())
	return out
}

// commands returns the recorded calls of tool as command lines, without
// the values of --body-file and --title, for comparing.
func (f *fixture) commands(tool string) []string {
	var out []string
	for _, c := range f.calls(tool) {
		var parts []string
		for i := 0; i < len(c.Args); i++ {
			a := c.Args[i]
			parts = append(parts, a)
			if (a == "--body-file" || a == "--title" || a == "--color" || a == "--description" || a == "--notes-file") && i+1 < len(c.Args) {
				i++
				parts = append(parts, "…")
			}
		}
		out = append(out, tool+" "+strings.Join(parts, " "))
	}
	return out
}

// resetCalls forgets the recorded calls (the pull request stays).
func (f *fixture) resetCalls() {
	f.t.Helper()
	err := os.Remove(filepath.Join(f.state, "calls.jsonl"))
	if !os.IsNotExist(err) {
		require.NoError(f.t, err)
	}
}

func (f *fixture) pr() *prState {
	f.t.Helper()
	pr, err := readPR(f.state)
	require.NoError(f.t, err)
	return pr
}

// remoteBranch returns the commit origin's branch points to, or "".
func (f *fixture) remoteBranch(name string) string {
	f.t.Helper()
	cmd := exec.Command("git", "rev-parse", "--verify", "--quiet", "refs/heads/"+name)
	cmd.Dir = f.origin
	cmd.Env = gitEnv()
	out, _ := cmd.Output()
	return strings.TrimSpace(string(out))
}

// isAncestor reports whether commit a is an ancestor of (or is) b in origin.
func (f *fixture) isAncestor(a, b string) bool {
	cmd := exec.Command("git", "merge-base", "--is-ancestor", a, b)
	cmd.Dir = f.origin
	cmd.Env = gitEnv()
	return cmd.Run() == nil
}

// log returns origin's commit subjects from base (exclusive) to tip.
func (f *fixture) log(rangeSpec string) []string {
	f.t.Helper()
	out := f.git(f.origin, "log", "--format=%s", rangeSpec)
	if out == "" {
		return nil
	}
	return strings.Split(out, "\n")
}
