package warehouse

import (
	"bytes"
	"fmt"
	"io/fs"
	"text/template"
)

// EmbeddedSQL returns sql/<file> from a package's embedded files. The files
// are compiled into the binary, so a missing one is a programming error and
// panics at package initialisation, naming the file.
func EmbeddedSQL(fsys fs.FS, file string) string {
	b, err := fs.ReadFile(fsys, "sql/"+file)
	if err != nil {
		panic(fmt.Sprintf("embedded sql/%s: %v", file, err))
	}
	return string(b)
}

// RenderSQL executes an embedded SQL template (the one named name of t's
// set, or t itself when name is ""). The templates are compiled into the
// binary and parsed at start-up, so a failure is a programming error and
// panics, naming the template.
func RenderSQL(t *template.Template, name string, data any) string {
	var b bytes.Buffer
	var err error
	if name == "" {
		name, err = t.Name(), t.Execute(&b, data)
	} else {
		err = t.ExecuteTemplate(&b, name, data)
	}
	if err != nil {
		panic(fmt.Sprintf("embedded SQL template %s: %v", name, err))
	}
	return b.String()
}

// SQLFiles reads a package's embedded SQL files (under sql/) at start-up
// and remembers which it read, so that a test can check that none is dead.
type SQLFiles struct {
	fsys fs.FS
	read map[string]bool
}

// NewSQLFiles reads from fsys, the package's embedded files.
func NewSQLFiles(fsys fs.FS) *SQLFiles { return &SQLFiles{fsys: fsys, read: map[string]bool{}} }

// Must returns sql/<file> (see EmbeddedSQL) and records it as read.
func (f *SQLFiles) Must(file string) string {
	f.read[file] = true
	return EmbeddedSQL(f.fsys, file)
}

// Mark records sql/<file> as read by other means (a parsed template).
func (f *SQLFiles) Mark(file string) { f.read[file] = true }

// Unread lists the embedded files matching sql/<pattern> never read.
func (f *SQLFiles) Unread(pattern string) ([]string, error) {
	files, err := fs.Glob(f.fsys, "sql/"+pattern)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no embedded file matches sql/%s", pattern)
	}
	var out []string
	for _, p := range files {
		if !f.read[p[len("sql/"):]] {
			out = append(out, p)
		}
	}
	return out, nil
}
