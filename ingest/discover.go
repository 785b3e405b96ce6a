package ingest

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// partial reports names that are still being written by convention.
func partial(name string) bool {
	base := filepath.Base(name)
	lower := strings.ToLower(base)
	for _, suf := range []string{".tmp", ".part", ".partial", ".crdownload", ".filepart"} {
		if strings.HasSuffix(lower, suf) {
			return true
		}
	}
	return strings.HasPrefix(base, ".") || strings.HasPrefix(base, "~")
}

// discover expands a source path (file, glob or folder) into sorted data files.
// Files named like partial downloads are left out; with a done marker, only
// files whose marker exists are returned (the marker itself never is).
func discover(pattern, doneMarker string) ([]string, error) {
	var candidates []string
	info, err := os.Stat(pattern)
	switch {
	case err == nil && info.IsDir():
		err := filepath.WalkDir(pattern, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if p != pattern && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				return nil
			}
			candidates = append(candidates, p)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", pattern, err)
		}
	case err == nil:
		candidates = []string{pattern}
	default:
		matches, gerr := filepath.Glob(pattern)
		if gerr != nil {
			return nil, fmt.Errorf("bad path pattern %s: %w", pattern, gerr)
		}
		for _, m := range matches {
			if fi, err := os.Stat(m); err == nil && !fi.IsDir() {
				candidates = append(candidates, m)
			}
		}
	}
	var out []string
	for _, c := range candidates {
		if partial(c) {
			continue
		}
		if doneMarker != "" {
			if strings.HasSuffix(c, doneMarker) {
				continue
			}
			if _, err := os.Stat(c + doneMarker); err != nil {
				continue
			}
		}
		out = append(out, c)
	}
	sort.Strings(out)
	return out, nil
}
