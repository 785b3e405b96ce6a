package server

import "testing"

// TestEverySQLFileLoaded: each embedded SQL file is read when the package
// initialises, so none is dead and a wrong name fails at start-up.
func TestEverySQLFileLoaded(t *testing.T) {
	t.Parallel()
	unread, err := sqlFiles.Unread("*.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range unread {
		t.Errorf("%s is embedded but never loaded", p)
	}
}
