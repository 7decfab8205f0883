// Package relnotes takes the notes of one release out of CHANGELOG.md
// (Keep a Changelog: a "## [X.Y.Z] - DATE" heading per version).
package relnotes

import (
	"bufio"
	"bytes"
	"fmt"
	"regexp"
	"strings"
)

// linkDef is a Markdown link reference definition ("[0.2.0]: https://..."),
// which Keep a Changelog puts after the last section.
var linkDef = regexp.MustCompile(`^\[[^\]]+\]:\s`)

// Section returns the body of the changelog's section for version ("v0.2.0"
// or "0.2.0"): the lines after its "## [0.2.0]" heading (a date or anything
// else may follow the brackets; "## [v0.2.0]" is accepted too) up to the next
// "## " heading, trimmed, without link reference definitions. A missing or
// empty section is an error: a release needs its notes written first.
func Section(changelog []byte, version string) (string, error) {
	want := strings.TrimPrefix(version, "v")
	if want == "" {
		return "", fmt.Errorf("no version given")
	}
	var (
		body  []string
		found bool
		in    bool
		fence bool
	)
	sc := bufio.NewScanner(bytes.NewReader(changelog))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fence = !fence
		}
		if !fence && strings.HasPrefix(line, "## ") {
			if in {
				break
			}
			if headingVersion(line) == want {
				found, in = true, true
			}
			continue
		}
		if in && !(!fence && linkDef.MatchString(line)) {
			body = append(body, line)
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	if !found {
		return "", fmt.Errorf("CHANGELOG.md has no section \"## [%s]\": write the release's notes there first", want)
	}
	notes := strings.TrimSpace(strings.Join(body, "\n"))
	if notes == "" {
		return "", fmt.Errorf("CHANGELOG.md's section \"## [%s]\" is empty", want)
	}
	return notes + "\n", nil
}

// headingVersion returns the version in "## [0.2.0] - 2026-12-01" without a
// leading v, or "".
func headingVersion(line string) string {
	rest := strings.TrimSpace(strings.TrimPrefix(line, "## "))
	if !strings.HasPrefix(rest, "[") {
		return ""
	}
	end := strings.Index(rest, "]")
	if end < 0 {
		return ""
	}
	return strings.TrimPrefix(rest[1:end], "v")
}
