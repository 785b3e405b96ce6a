package warehouse

import (
	"fmt"
	"io/fs"
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
