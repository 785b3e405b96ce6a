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

// TestTypeErrorsInWords: a value of the wrong kind names its key and line in
// words instead of yaml.v3's "cannot unmarshal !!seq into config.Channels".
func TestTypeErrorsInWords(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ yaml, want string }{
		{"channels:\n  - name: x\n    channel: Y\n    source: [a]\n", "line 2: channels: expected a mapping with rules: (a list of rules), got a list"},
		{"attribution:\n  lookback_days: thirty\n", `line 2: attribution.lookback_days: expected a number, got text ("thirty")`},
		{"sources:\n  - name: a\n    dataset: touchpoints\n    path: x.csv\n    columns: [a, b]\n", "line 5: sources[0].columns: expected a mapping (key: value lines), got a list"},
	} {
		_, err := Parse([]byte(c.yaml), t.TempDir())
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q:\n got %v\nwant %q", c.yaml, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "unmarshal") {
			t.Errorf("%q: %v still speaks yaml.v3", c.yaml, err)
		}
	}
}
