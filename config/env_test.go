package config

import (
	"strings"
	"testing"
)

// TestServeEnvOnlyForServe: an unset ${VAR} in the serve section does not
// stop loading (attrib runs, run, query, ingest work without it); ServeEnv
// names it with its line; outside serve it stays an error at load.
func TestServeEnvOnlyForServe(t *testing.T) {
	text := "warehouse:\n  path: a.duckdb\npii:\n  key: k\nserve:\n  http: 127.0.0.1:8080\n  users:\n    - name: analyst\n      password: ${ATTRIB_TEST_SURELY_UNSET_PW}\n  # ${IN_A_COMMENT}\ncurrency: EUR\n"
	cfg, err := Parse([]byte(text), t.TempDir())
	if err != nil {
		t.Fatalf("load with an unset serve variable: %v", err)
	}
	if cfg.Currency != "EUR" {
		t.Errorf("key after serve: currency = %q", cfg.Currency)
	}
	err = cfg.ServeEnv()
	if err == nil || !strings.Contains(err.Error(), "line 9: environment variable ATTRIB_TEST_SURELY_UNSET_PW is not set") {
		t.Errorf("ServeEnv = %v, want line 9 and the name", err)
	}
	if err != nil && strings.Contains(err.Error(), "IN_A_COMMENT") {
		t.Errorf("ServeEnv names a variable in a comment: %v", err)
	}

	t.Setenv("ATTRIB_TEST_SET_PW", "s3cret")
	cfg, err = Parse([]byte(strings.ReplaceAll(text, "ATTRIB_TEST_SURELY_UNSET_PW", "ATTRIB_TEST_SET_PW")), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.ServeEnv(); err != nil {
		t.Errorf("ServeEnv with the variable set: %v", err)
	}
	if cfg.Serve.Users[0].Password != "s3cret" {
		t.Errorf("password = %q", cfg.Serve.Users[0].Password)
	}

	// Outside serve (after it, at top level again) an unset variable is still an error.
	_, err = Parse([]byte("serve:\n  anonymous: true\npii:\n  key: ${ATTRIB_TEST_SURELY_UNSET_KEY}\n"), t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "line 4: environment variable ATTRIB_TEST_SURELY_UNSET_KEY is not set") {
		t.Errorf("unset variable outside serve: %v", err)
	}
}
