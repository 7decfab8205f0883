package shelltest

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
)

// The stand-ins for gh, make and go: the scripts find small wrappers of those
// names first in PATH, which run the stub command (./stub, built once per test
// binary, without the race detector, so that each call starts fast) with
// SHELLTEST_STUB set. Each call is appended to calls.jsonl in SHELLTEST_STATE.

// call is one recorded invocation of a stub.
type call struct {
	Tool  string   `json:"tool"`
	Phase string   `json:"phase,omitempty"` // SHELLTEST_PHASE: prepare or publish
	Args  []string `json:"args"`
	// Body is the content of the --body-file / --notes-file the call
	// named, read when it was made (the scripts delete their temp files).
	Body string `json:"body,omitempty"`
}

// prState is the one pull request the gh stub knows about (pr.json).
type prState struct {
	Number int      `json:"number"`
	Draft  bool     `json:"draft"`
	Labels []string `json:"labels"`
	Title  string   `json:"title"`
	Body   string   `json:"body"`
}

// StubMain is the stub command: tool is SHELLTEST_STUB, args its arguments.
// It returns the exit status.
func StubMain(tool string, args []string) int {
	state := os.Getenv("SHELLTEST_STATE")
	c := call{Tool: tool, Phase: os.Getenv("SHELLTEST_PHASE"), Args: args}
	for i, a := range args {
		if (a == "--body-file" || a == "--notes-file" || a == "-F") && i+1 < len(args) {
			b, err := os.ReadFile(args[i+1])
			if err != nil {
				fmt.Fprintf(os.Stderr, "%s stub: %v\n", tool, err)
				return 1
			}
			c.Body = string(b)
		}
	}
	line, _ := json.Marshal(c)
	f, err := os.OpenFile(filepath.Join(state, "calls.jsonl"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Fprintf(f, "%s\n", line)
	f.Close()

	switch {
	case c.Phase == "publish" && tool != "gh":
		fmt.Fprintf(os.Stderr, "%s stub: publish must run nothing but git and gh\n", tool)
		return 1
	case tool == "gh":
		return ghStub(state, c)
	case tool == "make":
		return makeStub(args)
	}
	fmt.Fprintf(os.Stderr, "unknown stub %q\n", tool)
	return 1
}

// flagValues returns the values of every occurrence of flag name in args.
func flagValues(args []string, name string) []string {
	var out []string
	for i, a := range args {
		if a == name && i+1 < len(args) {
			out = append(out, args[i+1])
		}
	}
	return out
}

func readPR(state string) (*prState, error) {
	b, err := os.ReadFile(filepath.Join(state, "pr.json"))
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil
		}
		return nil, err
	}
	var pr prState
	return &pr, json.Unmarshal(b, &pr)
}

func writePR(state string, pr *prState) error {
	b, err := json.Marshal(pr)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(state, "pr.json"), b, 0o644)
}

func ghStub(state string, c call) int {
	args := c.Args
	fail := func(format string, a ...any) int {
		fmt.Fprintf(os.Stderr, "gh stub: "+format+"\n", a...)
		return 1
	}
	if len(args) < 2 {
		return fail("unexpected call %q", args)
	}
	pr, err := readPR(state)
	if err != nil {
		return fail("%v", err)
	}
	prNumber := func() (int, bool) {
		if len(args) < 3 || pr == nil {
			return 0, false
		}
		n, err := strconv.Atoi(args[2])
		return n, err == nil && n == pr.Number
	}
	switch args[0] + " " + args[1] {
	case "pr list":
		// The script asks for "NUMBER DRAFT HAS-BREAKING-LABEL" through --jq.
		if pr != nil {
			fmt.Printf("%d %t %t\n", pr.Number, pr.Draft, slices.Contains(pr.Labels, "breaking"))
		}
		return 0
	case "pr create":
		if pr != nil {
			return fail("a pull request for this branch already exists")
		}
		pr = &prState{Number: 7, Draft: slices.Contains(args, "--draft"), Labels: flagValues(args, "--label"), Body: c.Body}
		if t := flagValues(args, "--title"); len(t) > 0 {
			pr.Title = t[0]
		}
		fmt.Println("https://github.example/gem-go/gem-go/pull/7")
		return exitOf(writePR(state, pr))
	case "pr edit":
		if _, ok := prNumber(); !ok {
			return fail("no pull request %v", args)
		}
		for _, l := range flagValues(args, "--add-label") {
			if !slices.Contains(pr.Labels, l) {
				pr.Labels = append(pr.Labels, l)
			}
		}
		for _, l := range flagValues(args, "--remove-label") {
			i := slices.Index(pr.Labels, l)
			if i < 0 {
				return fail("label %q is not on the pull request", l)
			}
			pr.Labels = slices.Delete(pr.Labels, i, i+1)
		}
		if t := flagValues(args, "--title"); len(t) > 0 {
			pr.Title = t[0]
		}
		if c.Body != "" {
			pr.Body = c.Body
		}
		return exitOf(writePR(state, pr))
	case "pr ready":
		if _, ok := prNumber(); !ok {
			return fail("no pull request %v", args)
		}
		undo := slices.Contains(args, "--undo")
		if pr.Draft == undo {
			// gh itself refuses to mark a ready pull request ready.
			return fail("pull request is already in that state (draft: %t)", pr.Draft)
		}
		pr.Draft = undo
		return exitOf(writePR(state, pr))
	case "pr comment":
		if _, ok := prNumber(); !ok {
			return fail("no pull request %v", args)
		}
		return 0
	case "label create":
		return 0
	case "release create":
		return 0
	}
	if args[0] == "api" && os.Getenv("SHELLTEST_GH_API") == "fail" {
		return fail("HTTP 403: Resource not accessible by integration")
	}
	if args[0] == "api" {
		return 0
	}
	return fail("unexpected call %q", args)
}

func exitOf(err error) int {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// makeStub stands in for the root Makefile's generate and test targets:
// SHELLTEST_GENERATE is "ok" (copy the directory SHELLTEST_GEN_SRC over the
// work tree, as a regeneration would rewrite gen/) or "fail";
// SHELLTEST_TEST is "ok" or "fail".
func makeStub(args []string) int {
	if len(args) != 1 {
		fmt.Fprintf(os.Stderr, "make stub: unexpected call %q\n", args)
		return 2
	}
	switch args[0] {
	case "generate":
		if os.Getenv("SHELLTEST_GENERATE") == "fail" {
			fmt.Println("go generate ./gen/...")
			fmt.Fprintln(os.Stderr, "error applying overlay: action target $.paths['/v0/users'].get matched nothing")
			fmt.Fprintln(os.Stderr, "make: *** [Makefile:38: generate] Error 1")
			return 2
		}
		if src := os.Getenv("SHELLTEST_GEN_SRC"); src != "" {
			if err := copyTree(src, "."); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 2
			}
		}
		fmt.Println("go generate ./gen/... ./gemclient/...")
		return 0
	case "test":
		if os.Getenv("SHELLTEST_TEST") == "fail" {
			fmt.Println("--- FAIL: TestEveryOperationHasAMethod (0.00s)")
			fmt.Println("FAIL\tgithub.com/gem-go/gem-go/gemclient")
			fmt.Fprintln(os.Stderr, "make: *** [Makefile:24: test-race] Error 1")
			return 2
		}
		fmt.Println("ok  \tgithub.com/gem-go/gem-go/gemclient")
		return 0
	}
	fmt.Fprintf(os.Stderr, "make stub: no target %q\n", args[0])
	return 2
}

// copyTree copies the regular files under src into dst, keeping their paths.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}
