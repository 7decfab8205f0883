// Package modproxy writes a file-based Go module proxy (GOPROXY=file://DIR)
// holding the repository's modules, the root and each contrib/<name>, at one
// version, as a release would publish them: the files git tracks (what `git
// archive` of the release commit holds; their work-tree content, so uncommitted
// edits count), zipped with golang.org/x/mod/zip, and each contrib module's
// requirement of the root set to that version, as `scripts/release tag` sets it.
//
// Its test proves that what a release publishes installs with `go get` in a
// fresh module, with nothing else than the proxy and the module cache.
package modproxy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
	"golang.org/x/mod/zip"
)

// Module is one module of the repository.
type Module struct {
	Dir  string // relative to the repository's root, slash-separated: "." or "contrib/<name>"
	Path string // its module path
}

// Modules returns the root module and the contrib modules (contrib/<name>
// with a go.mod that git tracks), root first.
func Modules(ctx context.Context, repo string) ([]Module, error) {
	files, err := trackedFiles(ctx, repo)
	if err != nil {
		return nil, err
	}
	dirs := []string{"."}
	for _, f := range files {
		if parts := strings.Split(f, "/"); len(parts) == 3 && parts[0] == "contrib" && parts[2] == "go.mod" {
			dirs = append(dirs, path.Dir(f))
		}
	}
	slices.Sort(dirs[1:])
	var mods []Module
	for _, d := range dirs {
		data, err := os.ReadFile(filepath.Join(repo, filepath.FromSlash(d), "go.mod"))
		if err != nil {
			return nil, err
		}
		p := modfile.ModulePath(data)
		if p == "" {
			return nil, fmt.Errorf("%s/go.mod has no module line", d)
		}
		mods = append(mods, Module{Dir: d, Path: p})
	}
	return mods, nil
}

// NextVersion is the version a release of the work tree would get at least:
// the patch after the last vX.Y.Z tag, or v0.1.0 (the first release) when
// there is none.
func NextVersion(ctx context.Context, repo string) (string, error) {
	out, err := git(ctx, repo, "tag", "--list", "v*")
	if err != nil {
		return "", err
	}
	latest := ""
	for _, t := range strings.Fields(string(out)) {
		if semver.IsValid(t) && semver.Prerelease(t) == "" && semver.Canonical(t) == t && (latest == "" || semver.Compare(t, latest) > 0) {
			latest = t
		}
	}
	if latest == "" {
		return "v0.1.0", nil
	}
	var major, minor, patch int
	if _, err := fmt.Sscanf(latest, "v%d.%d.%d", &major, &minor, &patch); err != nil {
		return "", fmt.Errorf("the last release %s: %w", latest, err)
	}
	return fmt.Sprintf("v%d.%d.%d", major, minor, patch+1), nil
}

// Write writes every module of repo at version into the proxy directory dir
// (created if needed) and returns them. A module's .info carries the time
// given.
func Write(ctx context.Context, repo, dir, version string, at time.Time) ([]Module, error) {
	if !semver.IsValid(version) || semver.Build(version) != "" {
		return nil, fmt.Errorf("%q is not a module version", version)
	}
	mods, err := Modules(ctx, repo)
	if err != nil {
		return nil, err
	}
	tracked, err := trackedFiles(ctx, repo)
	if err != nil {
		return nil, err
	}
	root := mods[0].Path
	for _, m := range mods {
		goMod, err := os.ReadFile(filepath.Join(repo, filepath.FromSlash(m.Dir), "go.mod"))
		if err != nil {
			return nil, err
		}
		if m.Dir != "." {
			if goMod, err = RequireRoot(goMod, root, version); err != nil {
				return nil, fmt.Errorf("%s/go.mod: %w", m.Dir, err)
			}
		}
		if err := writeModule(repo, dir, m, version, goMod, tracked, at); err != nil {
			return nil, fmt.Errorf("%s: %w", m.Path, err)
		}
	}
	return mods, nil
}

// RequireRoot returns goMod with its requirement of the module root set to
// version, as `scripts/release tag` sets it (go mod edit -require). A go.mod
// that does not require root is returned as it is.
func RequireRoot(goMod []byte, root, version string) ([]byte, error) {
	f, err := modfile.Parse("go.mod", goMod, nil)
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(f.Require, func(r *modfile.Require) bool { return r.Mod.Path == root }) {
		return goMod, nil
	}
	if err := f.AddRequire(root, version); err != nil {
		return nil, err
	}
	return f.Format()
}

func writeModule(repo, dir string, m Module, version string, goMod []byte, tracked []string, at time.Time) error {
	var files []zip.File
	prefix := ""
	if m.Dir != "." {
		prefix = m.Dir + "/"
	}
	for _, name := range tracked {
		rel, ok := strings.CutPrefix(name, prefix)
		if !ok {
			continue
		}
		if rel == "go.mod" {
			files = append(files, dataFile{name: rel, data: goMod})
			continue
		}
		full := filepath.Join(repo, filepath.FromSlash(name))
		info, err := os.Lstat(full)
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted in the work tree: the release would not have it
		}
		if err != nil {
			return err
		}
		files = append(files, diskFile{name: rel, path: full, info: info})
	}
	escaped, err := module.EscapePath(m.Path)
	if err != nil {
		return err
	}
	vdir := filepath.Join(dir, filepath.FromSlash(escaped), "@v")
	if err := os.MkdirAll(vdir, 0o755); err != nil {
		return err
	}
	var z bytes.Buffer
	if err := zip.Create(&z, module.Version{Path: m.Path, Version: version}, files); err != nil {
		return err
	}
	info, err := json.Marshal(struct {
		Version string
		Time    time.Time
	}{version, at.UTC()})
	if err != nil {
		return err
	}
	for ext, data := range map[string][]byte{".zip": z.Bytes(), ".mod": goMod, ".info": info} {
		if err := os.WriteFile(filepath.Join(vdir, version+ext), data, 0o644); err != nil {
			return err
		}
	}
	list, err := os.ReadFile(filepath.Join(vdir, "list"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if !slices.Contains(strings.Fields(string(list)), version) {
		list = append(list, version+"\n"...)
	}
	return os.WriteFile(filepath.Join(vdir, "list"), list, 0o644)
}

// trackedFiles lists the files git tracks in repo, slash-separated.
func trackedFiles(ctx context.Context, repo string) ([]string, error) {
	out, err := git(ctx, repo, "ls-files", "-z")
	if err != nil {
		return nil, err
	}
	var files []string
	for _, f := range strings.Split(string(out), "\x00") {
		if f != "" {
			files = append(files, f)
		}
	}
	return files, nil
}

func git(ctx context.Context, repo string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", repo}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

type diskFile struct {
	name, path string
	info       fs.FileInfo
}

func (f diskFile) Path() string                 { return f.name }
func (f diskFile) Lstat() (fs.FileInfo, error)  { return f.info, nil }
func (f diskFile) Open() (io.ReadCloser, error) { return os.Open(f.path) }

type dataFile struct {
	name string
	data []byte
}

func (f dataFile) Path() string                 { return f.name }
func (f dataFile) Lstat() (fs.FileInfo, error)  { return dataInfo(f), nil }
func (f dataFile) Open() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(f.data)), nil }

type dataInfo dataFile

func (i dataInfo) Name() string       { return path.Base(i.name) }
func (i dataInfo) Size() int64        { return int64(len(i.data)) }
func (i dataInfo) Mode() fs.FileMode  { return 0o644 }
func (i dataInfo) ModTime() time.Time { return time.Time{} }
func (i dataInfo) IsDir() bool        { return false }
func (i dataInfo) Sys() any           { return nil }
