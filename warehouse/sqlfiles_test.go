package warehouse

import "testing"

// TestEverySQLFileLoaded: each embedded publish statement is read at
// start-up (migrations are all applied by Migrate and tested there).
func TestEverySQLFileLoaded(t *testing.T) {
	t.Parallel()
	unread, err := publishFiles.Unread("*.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range unread {
		t.Errorf("%s is embedded but never loaded", p)
	}
}
