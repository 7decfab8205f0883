// Package goapi compares the Go API of packages of a git repository's work
// tree with the same packages at an earlier revision (by default the last
// release tag) using golang.org/x/exp/apidiff, and turns the result into the
// version bump CHANGELOG.md's policy asks for.
//
// oasdiff judges Gem's document as an HTTP client sees it; this is the other
// half: what Go callers of the regenerated packages see.
package goapi

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/token"
	"go/types"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/exp/apidiff"
	"golang.org/x/mod/modfile"
	"golang.org/x/mod/semver"
	"golang.org/x/tools/go/packages"
)

// DefaultPackages are the root module's packages users import: the ones
// regenerated from Gem's document and the fake. DefaultPatterns adds the
// contrib modules.
var DefaultPackages = []string{"./gen", "./gemclient", "./gemtest"}

// DefaultPatterns are DefaultPackages and every package of each contrib
// module (contrib/<name> with its own go.mod) in the work tree of repo.
func DefaultPatterns(repo string) ([]string, error) {
	mods, err := filepath.Glob(filepath.Join(repo, "contrib", "*", "go.mod"))
	if err != nil {
		return nil, err
	}
	patterns := slices.Clone(DefaultPackages)
	for _, m := range mods {
		patterns = append(patterns, "./contrib/"+filepath.Base(filepath.Dir(m))+"/...")
	}
	return patterns, nil
}

// Options says what to compare.
type Options struct {
	// Repo is the root of the git work tree; the packages are compared as
	// they are in it, uncommitted changes included.
	Repo string
	// Packages are package patterns relative to Repo ("./gen", "./x/...").
	// A pattern inside a nested module (a directory with its own go.mod,
	// such as contrib/redislimit) is loaded in that module. Internal
	// packages are left out. Empty means DefaultPatterns; of those, the
	// ones that exist in neither tree are skipped.
	Packages []string
	// Base is the git revision to compare with. Empty means the last
	// release tag (LatestRelease), or Fallback when there is none; a nested
	// module is compared with its own last release tag (contrib/<name>/vX.Y.Z,
	// which the release makes with the root's), or else with the root's base.
	Base string
	// Fallback is the revision compared with when Base is empty and the
	// repository has no release tag yet (the spec-diff run's base commit).
	Fallback string
	// SpecBreaking says oasdiff found a breaking change in Gem's document;
	// by the policy it bumps the minor even when the Go API is unchanged.
	SpecBreaking bool
}

// Result is the comparison and the bump it calls for.
type Result struct {
	// Packages are the patterns compared.
	Packages []string
	// Base is the revision compared with; Release is the release tag it
	// names, empty when the repository has no release yet.
	Base, Release string
	// Modules are the modules compared and the base of each, root first.
	Modules []ModuleBase
	// Incompatible and Compatible are apidiff's messages, sorted.
	Incompatible, Compatible []string
	// SpecBreaking is Options.SpecBreaking.
	SpecBreaking bool
	// NoRelease says Base is the fallback: the repository has no release tag.
	NoRelease bool
	// Bump is "major", "minor" or "patch", and Next the version it gives;
	// both are empty when there is no release to bump.
	Bump, Next string
	// Why explains Bump by the policy.
	Why string
}

// ModuleBase is one module compared and the revision it is compared with.
type ModuleBase struct {
	// Dir is the module's directory relative to the repository's root,
	// slash-separated ("." for the root); Path its module path.
	Dir, Path string
	// Base is the revision compared with: the module's own last release tag
	// (vX.Y.Z, contrib/<name>/vX.Y.Z), or the root's base.
	Base string
	// Patterns are the package patterns compared, relative to Dir.
	Patterns []string
}

// Compare loads the packages from the work tree and from the base revision
// and compares their exported API.
func Compare(ctx context.Context, o Options) (*Result, error) {
	explicit := len(o.Packages) > 0
	if !explicit {
		var err error
		if o.Packages, err = DefaultPatterns(o.Repo); err != nil {
			return nil, err
		}
	}
	r := &Result{Base: o.Base, SpecBreaking: o.SpecBreaking}
	if r.Base == "" {
		tag, err := LatestRelease(ctx, o.Repo)
		if err != nil {
			return nil, err
		}
		switch {
		case tag != "":
			r.Base, r.Release = tag, tag
		case o.Fallback != "":
			r.Base, r.NoRelease = o.Fallback, true
		default:
			return nil, errors.New("the repository has no release tag (v*) and no fallback revision was given")
		}
	} else if semver.IsValid(r.Base) && semver.Prerelease(r.Base) == "" {
		r.Release = r.Base
	}

	rootPath := modfile.ModulePath(must(os.ReadFile(filepath.Join(o.Repo, "go.mod"))))
	if rootPath == "" {
		return nil, fmt.Errorf("%s: no go.mod with a module line", o.Repo)
	}
	trees := map[string]string{} // base revision -> its extracted tree
	defer func() {
		for _, dir := range trees {
			os.RemoveAll(dir)
		}
	}()
	tree := func(rev string) (string, error) {
		if dir, ok := trees[rev]; ok {
			return dir, nil
		}
		dir, err := os.MkdirTemp("", "goapi-base-")
		if err != nil {
			return "", err
		}
		trees[rev] = dir
		return dir, Extract(ctx, o.Repo, rev, dir)
	}
	rootTree, err := tree(r.Base)
	if err != nil {
		return nil, err
	}
	mods, err := groupByModule(o.Repo, rootTree, o.Packages, explicit)
	if err != nil {
		return nil, err
	}
	for _, m := range mods {
		m.Base = r.Base
		if m.Dir != "." && o.Base == "" {
			tag, err := latestTag(ctx, o.Repo, m.Dir+"/")
			if err != nil {
				return nil, err
			}
			if tag != "" {
				m.Base = tag
			}
		}
		oldTree, err := tree(m.Base)
		if err != nil {
			return nil, err
		}
		oldMod, err := Load(ctx, filepath.Join(oldTree, filepath.FromSlash(m.Dir)), m.Patterns, true)
		if err != nil {
			return nil, fmt.Errorf("at %s: %w", m.Base, err)
		}
		newMod, err := Load(ctx, filepath.Join(o.Repo, filepath.FromSlash(m.Dir)), m.Patterns, !explicit)
		if err != nil {
			return nil, fmt.Errorf("in the work tree: %w", err)
		}
		// Every message names its package relative to the root module
		// ("./contrib/redislimit.Limiter"), whichever module it is in.
		oldMod.Path, newMod.Path = rootPath, rootPath
		for _, c := range apidiff.ModuleChanges(oldMod, newMod).Changes {
			if c.Compatible {
				r.Compatible = append(r.Compatible, c.Message)
			} else {
				r.Incompatible = append(r.Incompatible, c.Message)
			}
		}
		for _, p := range m.Patterns {
			r.Packages = append(r.Packages, "./"+path.Join(m.Dir, p))
		}
		r.Modules = append(r.Modules, *m)
	}
	slices.Sort(r.Compatible)
	slices.Sort(r.Incompatible)
	r.Bump, r.Next, r.Why = ComputeBump(r.Release, len(r.Incompatible) > 0, len(r.Compatible) > 0, o.SpecBreaking)
	if r.Release == "" && !r.NoRelease {
		r.Why = fmt.Sprintf("%s is not a release tag, so there is no version to bump", r.Base)
	}
	return r, nil
}

// ComputeBump applies CHANGELOG.md's versioning policy to the last release:
// incompatible Go API changes bump the major, or the minor while the major is
// 0; compatible additions bump the minor; a change oasdiff calls breaking that
// leaves the Go API as it was bumps the minor too (it changes behaviour);
// anything else is a patch. Without a release it returns empty strings and
// says why.
func ComputeBump(release string, incompatible, compatible, specBreaking bool) (bump, next, why string) {
	if release == "" {
		return "", "", "no release yet: the first version is a choice, not a bump"
	}
	major, minor, patch, ok := parseVersion(release)
	if !ok {
		return "", "", fmt.Sprintf("the last release %q is not a vMAJOR.MINOR.PATCH version", release)
	}
	switch {
	case incompatible && major > 0:
		return "major", fmt.Sprintf("v%d.0.0", major+1), "incompatible changes to the Go API"
	case incompatible:
		return "minor", fmt.Sprintf("v0.%d.0", minor+1), "incompatible changes to the Go API, which bump the minor while the SDK is v0 (list them under Breaking)"
	case compatible:
		return "minor", fmt.Sprintf("v%d.%d.0", major, minor+1), "compatible additions to the Go API (list them under Added)"
	case specBreaking:
		return "minor", fmt.Sprintf("v%d.%d.0", major, minor+1), "oasdiff found a breaking change that leaves the Go API as it was: Gem changed behaviour (list it under Changed)"
	default:
		return "patch", fmt.Sprintf("v%d.%d.%d", major, minor, patch+1), "nothing exported changed"
	}
}

func parseVersion(v string) (major, minor, patch int, ok bool) {
	if !semver.IsValid(v) {
		return 0, 0, 0, false
	}
	_, err := fmt.Sscanf(semver.Canonical(strings.TrimSuffix(v, semver.Build(v))), "v%d.%d.%d", &major, &minor, &patch)
	return major, minor, patch, err == nil
}

// LatestRelease returns the highest tag of the form vMAJOR.MINOR.PATCH
// (semantic-version order; pre-releases such as v0.5.0-rc.1 are not
// releases), or "" when there is none.
func LatestRelease(ctx context.Context, repo string) (string, error) {
	return latestTag(ctx, repo, "")
}

// latestTag is LatestRelease for the tags prefix+vMAJOR.MINOR.PATCH (a nested
// module's, with the prefix "contrib/<name>/"); it returns the whole tag.
func latestTag(ctx context.Context, repo, prefix string) (string, error) {
	out, err := git(ctx, repo, nil, "tag", "--list", prefix+"v*")
	if err != nil {
		return "", err
	}
	latest := ""
	for _, tag := range strings.Fields(string(out)) {
		t := strings.TrimPrefix(tag, prefix)
		if !semver.IsValid(t) || semver.Prerelease(t) != "" || semver.Canonical(t) != t {
			continue
		}
		if latest == "" || semver.Compare(t, latest) > 0 {
			latest = t
		}
	}
	if latest == "" {
		return "", nil
	}
	return prefix + latest, nil
}

// groupByModule sorts patterns (relative to the repository's root) into the
// modules holding them, root first: a pattern belongs to the nearest
// directory above it with a go.mod, in the work tree or at the base (tree).
// Unless explicit, a pattern whose directory exists in neither is dropped.
func groupByModule(repo, tree string, patterns []string, explicit bool) ([]*ModuleBase, error) {
	exists := func(rel string) bool {
		for _, root := range []string{repo, tree} {
			if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(rel))); err == nil {
				return true
			}
		}
		return false
	}
	byDir := map[string]*ModuleBase{}
	var mods []*ModuleBase
	for _, p := range patterns {
		dots := strings.HasSuffix(p, "/...") || p == "..."
		rel := path.Clean(strings.TrimSuffix(strings.TrimSuffix(p, "..."), "/"))
		if strings.HasPrefix(rel, "../") || rel == ".." || path.IsAbs(rel) {
			return nil, fmt.Errorf("package pattern %q is outside the repository", p)
		}
		if !explicit && !exists(rel) {
			continue
		}
		dir := rel
		for dir != "." && !exists(path.Join(dir, "go.mod")) {
			dir = path.Dir(dir)
		}
		sub := "."
		switch {
		case rel == dir:
		case dir == ".":
			sub = "./" + rel
		default:
			sub = "./" + strings.TrimPrefix(rel, dir+"/")
		}
		if dots && sub == "." {
			sub = "./..."
		} else if dots {
			sub += "/..."
		}
		m := byDir[dir]
		if m == nil {
			goMod, err := os.ReadFile(filepath.Join(repo, filepath.FromSlash(dir), "go.mod"))
			if errors.Is(err, fs.ErrNotExist) {
				goMod, err = os.ReadFile(filepath.Join(tree, filepath.FromSlash(dir), "go.mod"))
			}
			if err != nil {
				return nil, err
			}
			m = &ModuleBase{Dir: dir, Path: modfile.ModulePath(goMod)}
			byDir[dir] = m
			mods = append(mods, m)
		}
		m.Patterns = append(m.Patterns, sub)
	}
	slices.SortStableFunc(mods, func(a, b *ModuleBase) int {
		switch {
		case a.Dir == b.Dir:
			return 0
		case a.Dir == ".":
			return -1
		case b.Dir == ".":
			return 1
		}
		return strings.Compare(a.Dir, b.Dir)
	})
	return mods, nil
}

func must[T any](v T, _ error) T { return v }

// Extract writes the tree of rev (committed files only) into dir.
func Extract(ctx context.Context, repo, rev, dir string) error {
	var archive bytes.Buffer
	if _, err := git(ctx, repo, &archive, "archive", "--format=tar", rev); err != nil {
		return err
	}
	tr := tar.NewReader(&archive)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("git archive %s: %w", rev, err)
		}
		name := path.Clean(h.Name)
		if !filepath.IsLocal(name) {
			return fmt.Errorf("git archive %s: unexpected path %q", rev, h.Name)
		}
		target := filepath.Join(dir, filepath.FromSlash(name))
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			f, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
			if err != nil {
				return err
			}
			_, err = io.Copy(f, tr)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
		}
		// Symlinks and the pax header git writes carry nothing the Go
		// packages need.
	}
}

// git runs git in repo and returns its standard output (or writes it to w).
func git(ctx context.Context, repo string, w io.Writer, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", repo}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if w != nil {
		cmd.Stdout = w
	}
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes(), nil
}

// Load type-checks the packages matching patterns in the module at dir and
// returns them as an apidiff module, internal packages left out. With
// skipMissing, a pattern whose directory does not exist (a package the base
// revision does not have yet) is skipped instead of failing.
func Load(ctx context.Context, dir string, patterns []string, skipMissing bool) (*apidiff.Module, error) {
	var use []string
	for _, p := range patterns {
		d := strings.TrimSuffix(strings.TrimSuffix(p, "..."), "/")
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(d))); err != nil && skipMissing && errors.Is(err, os.ErrNotExist) {
			continue
		}
		use = append(use, p)
	}
	m := &apidiff.Module{}
	if len(use) == 0 {
		return m, nil
	}
	cfg := &packages.Config{
		Context: ctx,
		Dir:     dir,
		Fset:    token.NewFileSet(),
		Mode:    packages.NeedName | packages.NeedTypes | packages.NeedModule,
		// The work tree's go.mod decides; a go.work around it must not.
		Env: append(os.Environ(), "GOWORK=off"),
	}
	pkgs, err := packages.Load(cfg, use...)
	if err != nil {
		return nil, err
	}
	var errs []error
	var tpkgs []*types.Package
	for _, p := range pkgs {
		for _, e := range p.Errors {
			errs = append(errs, fmt.Errorf("%s: %s", p.PkgPath, e))
		}
		if isInternal(p.PkgPath) || p.Types == nil {
			continue
		}
		if m.Path == "" && p.Module != nil {
			m.Path = p.Module.Path
		}
		tpkgs = append(tpkgs, p.Types)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	m.Packages = tpkgs
	return m, nil
}

func isInternal(pkgPath string) bool {
	return slices.Contains(strings.Split(pkgPath, "/"), "internal")
}

// MaxListed bounds each list of changes in Markdown; the rest are counted.
const MaxListed = 150

// Markdown renders the result as a section of the spec-diff pull request.
func (r *Result) Markdown() string {
	var b strings.Builder
	b.WriteString("## Go API changes (apidiff)\n\n")
	pk := make([]string, len(r.Packages))
	for i, p := range r.Packages {
		pk[i] = "`" + p + "`"
	}
	const apidiffLink = "[apidiff](https://pkg.go.dev/golang.org/x/exp/apidiff)"
	switch {
	case r.NoRelease:
		fmt.Fprintf(&b, "There is no release tag (`v*`) yet, so the exported API of %s on this branch is compared with `%s`, the commit this run started from, by %s.\n\n",
			strings.Join(pk, ", "), r.Base, apidiffLink)
	case r.Release != "":
		fmt.Fprintf(&b, "The exported API of %s on this branch, compared with the release `%s` by %s.\n\n",
			strings.Join(pk, ", "), r.Release, apidiffLink)
	default:
		fmt.Fprintf(&b, "The exported API of %s on this branch, compared with `%s` by %s.\n\n",
			strings.Join(pk, ", "), r.Base, apidiffLink)
	}
	for _, m := range r.Modules {
		switch {
		case m.Dir == ".":
		case m.Base != r.Base:
			fmt.Fprintf(&b, "The module `%s` is compared with its own release `%s`.\n\n", m.Path, m.Base)
		default:
			fmt.Fprintf(&b, "The module `%s` has no release of its own yet, so it is compared with `%s` too (its packages there, if any).\n\n", m.Path, m.Base)
		}
	}
	if r.Bump != "" {
		fmt.Fprintf(&b, "**Version bump: %s** (%s → %s): %s, by the policy in CHANGELOG.md.\n", r.Bump, r.Release, r.Next, r.Why)
	} else {
		fmt.Fprintf(&b, "**Version bump: none computed**: %s.\n", r.Why)
	}
	if len(r.Incompatible) == 0 && len(r.Compatible) == 0 {
		b.WriteString("\nNo exported identifier changed.\n")
	}
	list := func(title string, msgs []string) {
		if len(msgs) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n### %s (%d)\n\n", title, len(msgs))
		for i, m := range msgs {
			if i == MaxListed {
				fmt.Fprintf(&b, "- … and %d more\n", len(msgs)-MaxListed)
				break
			}
			fmt.Fprintf(&b, "- `%s`\n", strings.ReplaceAll(m, "`", "'"))
		}
	}
	list("Incompatible: break Go callers", r.Incompatible)
	list("Compatible", r.Compatible)
	return b.String()
}
