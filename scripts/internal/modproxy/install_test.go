package modproxy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/mod/module"
)

const repoRoot = "../../.."

// The server every program below talks to: Gem's GET /v0/users for the key
// "test-key", 403 otherwise.
const fakeGem = `
func fakeGem() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-API-Key") != "test-key" || r.URL.Path != "/v0/users" {
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, ` + "`" + `{"message":"Forbidden"}` + "`" + `)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, ` + "`" + `[{"email":"ada@example.com","id":"dXNlcnM6MQ==","name":"Ada"}]` + "`" + `)
	}))
}

func listUsers(opts ...gemclient.Option) {
	srv := fakeGem()
	defer srv.Close()
	c, err := gemclient.New("test-key", append(opts, gemclient.WithBaseURL(srv.URL))...)
	if err != nil {
		log.Fatal(err)
	}
	users, _, err := c.ListUsers(context.Background(), nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(users), "user:", users[0].GetEmail())
}
`

// What a user installs, the program they write with it, and what it prints.
var installs = []struct {
	get     string // the path given to go get, without a version
	program string // main.go's imports and main, around fakeGem
	want    string
	// standalone: the module does not require the root (gemvet); the program's import of
	// gemclient brings it when it is built.
	standalone bool
}{
	{
		get: "github.com/gem-go/gem-go/gemclient",
		program: `import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/gem-go/gem-go/gemclient"
)

func main() { listUsers() }
`,
		want: "1 user: ada@example.com\n",
	},
	{
		// Redis is down (nothing listens on the port): the limiter's fallback serves.
		get: "github.com/gem-go/gem-go/contrib/redislimit",
		program: `import (
	"context"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gem-go/gem-go/contrib/redislimit"
	"github.com/gem-go/gem-go/gemclient"
)

func main() {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	rdb := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer rdb.Close()
	lim, err := redislimit.New(rdb, "test-key", redislimit.WithFallback(1), redislimit.WithDecisionTimeout(time.Second))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(lim)
	listUsers(gemclient.WithLimiter(lim))
}
`,
		want: "redislimit.Limiter{key ",
	},
	{
		get: "github.com/gem-go/gem-go/contrib/otelgem",
		program: `import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/gem-go/gem-go/contrib/otelgem"
	"github.com/gem-go/gem-go/gemclient"
)

// The global (no-op) providers: the SDK's exporters are the service's choice, and
// compiling one here would only make the test slower.
func main() {
	obs, err := otelgem.New()
	if err != nil {
		log.Fatal(err)
	}
	listUsers(gemclient.WithObserver(obs))
}
`,
		want: "1 user: ada@example.com\n",
	},
	{
		get: "github.com/gem-go/gem-go/contrib/redischeckpoint",
		program: `import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/redis/go-redis/v9"

	"github.com/gem-go/gem-go/contrib/redischeckpoint"
	"github.com/gem-go/gem-go/gemclient"
)

// The store is built (no Redis is reached until the feed loads its checkpoint), and the
// SDK it goes with works.
func main() {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer rdb.Close()
	if _, err := redischeckpoint.New(rdb, "sync"); err != nil {
		log.Fatal(err)
	}
	listUsers()
}
`,
		want: "1 user: ada@example.com\n",
	},
	{
		get: "github.com/gem-go/gem-go/contrib/gemvet",
		program: `import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/gem-go/gem-go/contrib/gemvet"
	"github.com/gem-go/gem-go/gemclient"
)

// The analyzer is there to run; the SDK it checks works beside it.
func main() {
	fmt.Println(gemvet.Analyzer.Name)
	listUsers()
}
`,
		want:       "gemvet\n1 user: ada@example.com\n",
		standalone: true,
	},
}

// What issue 17 found: go get of a contrib module failed in a fresh module
// until the root was required by hand. Here gemclient and each contrib module
// is fetched with go get from a file-based proxy holding the repository's
// modules at the next version (a pre-release of it: installVersion), as a
// release publishes them, in a fresh module with no network (GOPROXY: that
// proxy, then the module cache's own download directory), and the program
// written with it builds and runs.
func TestGoGetFromAReleaseProxy(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program with each module from a module proxy: make test-race runs it (go test without -short)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	modcache := strings.TrimSpace(goOut(t, ctx, repoRoot, nil, "env", "GOMODCACHE"))

	// Every dependency's zip in the module cache (only missing ones are fetched,
	// through the ordinary proxy).
	mods, err := Modules(ctx, repoRoot)
	require.NoError(t, err)
	for _, m := range mods {
		goOut(t, ctx, filepath.Join(repoRoot, m.Dir), nil, "mod", "download")
	}

	next, err := NextVersion(ctx, repoRoot)
	require.NoError(t, err)
	version := installVersion(t, next, modcache, mods)
	proxy := t.TempDir()
	_, err = Write(ctx, repoRoot, proxy, version, time.Now())
	require.NoError(t, err)

	env := isolatedEnv(
		"GOPROXY=file://"+filepath.ToSlash(proxy)+",file://"+filepath.ToSlash(filepath.Join(modcache, "cache", "download")),
		"GOFLAGS=-mod=mod -modcacherw",
		"GOSUMDB=off",
		"GOTOOLCHAIN=local",
		"GOWORK=off",
		"GOMODCACHE="+modcache,
		// Any network access fails at once.
		"HTTP_PROXY=http://127.0.0.1:9", "HTTPS_PROXY=http://127.0.0.1:9", "NO_PROXY=",
	)
	for _, in := range installs {
		user := t.TempDir()
		goOut(t, ctx, user, env, "mod", "init", "example.com/user")
		out := goOut(t, ctx, user, env, "get", in.get)
		module := strings.TrimSuffix(in.get, "/gemclient")
		assert.Contains(t, out, "go: added "+module+" "+version, "go get %s", in.get)
		if !in.standalone {
			// The root comes with a contrib module: its go.mod requires the release.
			assert.Equal(t, "github.com/gem-go/gem-go "+version+"\n", goOut(t, ctx, user, env, "list", "-m", "github.com/gem-go/gem-go"))
		}
		require.NoError(t, os.WriteFile(filepath.Join(user, "main.go"),
			[]byte("package main\n\n"+in.program+fakeGem), 0o644))
		goOut(t, ctx, user, env, "build", "-o", "prog", ".")
		run := exec.CommandContext(ctx, filepath.Join(user, "prog"))
		got, err := run.CombinedOutput()
		require.NoError(t, err, "%s: %s", in.get, got)
		assert.Contains(t, string(got), in.want, in.get)
		goMod, err := os.ReadFile(filepath.Join(user, "go.mod"))
		require.NoError(t, err)
		assert.Contains(t, string(goMod), "github.com/gem-go/gem-go "+version)
	}
}

// installVersion is the version the modules are published at: the next
// release's, with a pre-release suffix naming this work tree
// (v0.1.0-installtest-3fa9c1d2e4b5). The fresh modules use the machine's
// module cache, so every other module's packages are in the directories that
// make test's own builds compiled them from, and the build cache has them (a
// module cache of its own, or -trimpath, compiled go-redis, OpenTelemetry and
// x/tools again: 40 s of CPU when cold). A gem-go version made here must never
// be taken for a published one: no release has this suffix, and the version is
// removed from the module cache before the run and after it (each run
// republishes the same version from the work tree as it is then).
func installVersion(t *testing.T, next, modcache string, mods []Module) string {
	t.Helper()
	abs, err := filepath.Abs(repoRoot)
	require.NoError(t, err)
	sum := sha256.Sum256([]byte(abs))
	version := next + "-installtest-" + hex.EncodeToString(sum[:6])
	remove := func() {
		for _, m := range mods {
			escaped, err := module.EscapePath(m.Path)
			require.NoError(t, err)
			dir := filepath.Join(modcache, filepath.FromSlash(escaped)+"@"+version)
			require.NoError(t, os.RemoveAll(dir))
			downloads := filepath.Join(modcache, "cache", "download", filepath.FromSlash(escaped), "@v")
			files, err := filepath.Glob(filepath.Join(downloads, version+".*"))
			require.NoError(t, err)
			for _, f := range files {
				require.NoError(t, os.Remove(f))
			}
			// The versions the cache lists as a proxy (GOPROXY=off reads them).
			list := filepath.Join(downloads, "list")
			if data, err := os.ReadFile(list); err == nil {
				kept := strings.Join(slices.DeleteFunc(strings.SplitAfter(string(data), "\n"), func(l string) bool { return strings.TrimSpace(l) == version }), "")
				if kept == "" {
					require.NoError(t, os.Remove(list))
				} else {
					require.NoError(t, os.WriteFile(list, []byte(kept), 0o644))
				}
			}
		}
	}
	remove()
	t.Cleanup(remove)
	return version
}

// isolatedEnv is the process's environment without the go command's
// settings that would change what these runs resolve, plus extra.
func isolatedEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "GOPROXY", "GOFLAGS", "GOSUMDB", "GONOSUMDB", "GONOSUMCHECK", "GOPRIVATE", "GONOPROXY", "GOINSECURE",
			"GOTOOLCHAIN", "GOWORK", "GOMODCACHE", "GOENV", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY",
			"http_proxy", "https_proxy", "no_proxy":
			continue
		}
		env = append(env, kv)
	}
	return append(append(env, "GOENV=off"), extra...)
}

// goOut runs the go command in dir (env nil: this process's) and returns its
// combined output; a failure fails the test.
func goOut(t *testing.T, ctx context.Context, dir string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go %s in %s: %s", strings.Join(args, " "), dir, out)
	return string(out)
}
