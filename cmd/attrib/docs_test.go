package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"attrib/config"
)

// repoRoot is the module root, two folders up from cmd/attrib.
const repoRoot = "../.."

// mdLink matches a Markdown inline link or image target: [text](target) or
// [text](target "title").
var mdLink = regexp.MustCompile(`\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)`)

// autoLink matches <scheme:...> autolinks and bare web addresses.
var autoLink = regexp.MustCompile(`<[a-zA-Z][a-zA-Z0-9+.-]*:[^>\s]+>|\bhttps?://\S+`)

// localAddr is an address on the user's own machine, not a link out.
var localAddr = regexp.MustCompile(`^https?://(127\.0\.0\.1|localhost|\[::1\])([:/]|$)`)

// markdownFiles lists the repository's Markdown files (relative, slash-separated),
// leaving out .git and generated demo folders.
func markdownFiles(t *testing.T) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(repoRoot, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != repoRoot && (strings.HasPrefix(d.Name(), ".") || d.Name() == "attrib-demo" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(p, ".md") {
			rel, _ := filepath.Rel(repoRoot, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// proseLines drops fenced code blocks and inline code spans, where URLs are
// examples, not links.
func proseLines(text string) []string {
	var out []string
	fenced := false
	code := regexp.MustCompile("`[^`]*`")
	for _, ln := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(ln), "```") {
			fenced = !fenced
			out = append(out, "")
			continue
		}
		if fenced {
			out = append(out, "")
			continue
		}
		out = append(out, code.ReplaceAllString(ln, "``"))
	}
	return out
}

// TestDocsLinksStayInRepo: every relative link of every Markdown file
// resolves to a file or folder inside the repository, and no link leaves it
// (no web addresses, no path above the module root).
func TestDocsLinksStayInRepo(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	files := markdownFiles(t)
	if len(files) < 10 {
		t.Fatalf("found only %d Markdown files: %v", len(files), files)
	}
	for _, f := range files {
		raw, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		for i, ln := range proseLines(string(raw)) {
			for _, u := range autoLink.FindAllString(ln, -1) {
				u = strings.Trim(u, "<>")
				if localAddr.MatchString(u) {
					continue // the user's own machine (serve's default address)
				}
				t.Errorf("%s:%d: link out of the repository: %s", f, i+1, u)
			}
			for _, m := range mdLink.FindAllStringSubmatch(ln, -1) {
				target := m[1]
				if strings.HasPrefix(target, "#") {
					continue
				}
				if regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`).MatchString(target) {
					t.Errorf("%s:%d: link out of the repository: %s", f, i+1, target)
					continue
				}
				target, _, _ = strings.Cut(target, "#")
				abs := filepath.Clean(filepath.Join(root, filepath.Dir(f), target))
				if abs != root && !strings.HasPrefix(abs, root+string(filepath.Separator)) {
					t.Errorf("%s:%d: link %s leaves the repository", f, i+1, m[1])
					continue
				}
				if _, err := os.Stat(abs); err != nil {
					t.Errorf("%s:%d: link %s does not resolve: %v", f, i+1, m[1], err)
				}
			}
		}
	}
}

// TestInputsDocListsCanonicalColumns: docs/inputs.md names every dataset and
// every canonical column on the dataset's row, and no column the dataset lacks.
func TestInputsDocListsCanonicalColumns(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join(repoRoot, "docs", "inputs.md"))
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for _, ln := range strings.Split(string(raw), "\n") {
		if m := regexp.MustCompile("^\\| `([a-z_]+)` \\|").FindStringSubmatch(ln); m != nil {
			rows[m[1]] = ln
		}
	}
	quoted := regexp.MustCompile("`([a-z_]+)`")
	for _, ds := range config.Datasets {
		row, ok := rows[ds.Name]
		if !ok {
			t.Errorf("docs/inputs.md has no row for dataset %s", ds.Name)
			continue
		}
		named := map[string]bool{}
		for _, m := range quoted.FindAllStringSubmatch(row, -1)[1:] {
			named[m[1]] = true
		}
		for _, c := range ds.Columns {
			if !named[c.Name] && !(ds.Name == "identity_links" && c.Identifier && strings.Contains(row, "identifiers")) {
				t.Errorf("docs/inputs.md, %s: column %s missing", ds.Name, c.Name)
			}
		}
		for n := range named {
			if !ds.Has(n) {
				t.Errorf("docs/inputs.md, %s: %s is not a canonical column", ds.Name, n)
			}
		}
	}
	if len(rows) != len(config.Datasets) {
		t.Errorf("docs/inputs.md has %d dataset rows, config %d", len(rows), len(config.Datasets))
	}
}
