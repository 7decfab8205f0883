package goapi

import (
	"context"
	"fmt"
	"slices"

	"golang.org/x/exp/apidiff"
)

// CompareDirs compares the exported API of the packages matching patterns in two
// copies of one module, oldDir and newDir (work trees, no git involved), and returns
// apidiff's messages, sorted. overlaycheck's tests use it to show that a
// regenerated package kept its API.
func CompareDirs(ctx context.Context, oldDir, newDir string, patterns []string) (incompatible, compatible []string, err error) {
	oldMod, err := Load(ctx, oldDir, patterns, false)
	if err != nil {
		return nil, nil, fmt.Errorf("in %s: %w", oldDir, err)
	}
	newMod, err := Load(ctx, newDir, patterns, false)
	if err != nil {
		return nil, nil, fmt.Errorf("in %s: %w", newDir, err)
	}
	for _, c := range apidiff.ModuleChanges(oldMod, newMod).Changes {
		if c.Compatible {
			compatible = append(compatible, c.Message)
		} else {
			incompatible = append(incompatible, c.Message)
		}
	}
	slices.Sort(compatible)
	slices.Sort(incompatible)
	return incompatible, compatible, nil
}
