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
