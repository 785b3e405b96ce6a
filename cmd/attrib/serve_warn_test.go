package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"attrib/config"
)

// TestServeEnvOnlyNeededToServe: with the serve section's ${VAR} unset,
// `attrib runs` and `attrib run` work and `attrib serve` refuses, naming the
// variable and its line.
func TestServeEnvOnlyNeededToServe(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := "warehouse: {path: w.duckdb}\npii: {key: k}\njobs:\n  - {name: daily, steps: [transform]}\n" +
		"serve:\n  http: 127.0.0.1:0\n  postgres: 127.0.0.1:0\n  users:\n    - name: analyst\n      password: ${ATTRIB_TEST_SURELY_UNSET_PW}\n"
	if err := os.WriteFile(filepath.Join(dir, "attrib.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out := runChild(t, dir, "run"); code != 0 || !strings.Contains(out, "status=succeeded") {
		t.Fatalf("attrib run with the serve variable unset: exit %d, %q", code, out)
	}
	if code, out := runChild(t, dir, "runs"); code != 0 || !strings.Contains(out, "succeeded") {
		t.Fatalf("attrib runs with the serve variable unset: exit %d, %q", code, out)
	}
	c := startChild(t, dir, "serve")
	code := c.wait(t, time.Minute)
	_, errOut := c.output()
	if code == 0 || !strings.Contains(errOut, "line 10: environment variable ATTRIB_TEST_SURELY_UNSET_PW is not set") {
		t.Fatalf("attrib serve with the variable unset: exit %d, stderr %q", code, errOut)
	}
}

// TestServeWarnsWhenNobodyCanLogIn: no users and no anonymous access warns;
// a user or anonymous access does not.
func TestServeWarnsWhenNobodyCanLogIn(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		serve string
		warn  bool
	}{
		{"serve:\n  http: 127.0.0.1:8080\n", true},
		{"serve:\n  anonymous: true\n", false},
		{"serve:\n  users:\n    - {name: a, token: t}\n", false},
	} {
		cfg, err := config.Parse([]byte(c.serve), t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := serveChecks(cfg, &buf); err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(buf.String(), "nobody can log in"); got != c.warn {
			t.Errorf("%q: warning %q, want warning=%v", c.serve, buf.String(), c.warn)
		}
	}
}

// TestChannelsBrokenConfig: `attrib channels` with an attrib.yaml that does
// not load fails with its line instead of printing the defaults.
func TestChannelsBrokenConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "attrib.yaml"), []byte("channels:\n  - name: x\n    channel: Y\n    source: [a]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := startChild(t, dir, "channels")
	code := c.wait(t, time.Minute)
	out, errOut := c.output()
	if code == 0 || out != "" || !strings.Contains(errOut, "line 2: channels: expected a mapping with rules:") {
		t.Fatalf("broken attrib.yaml: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	// channels: rules: as RULES.md documents it is read.
	if err := os.WriteFile(filepath.Join(dir, "attrib.yaml"), []byte("channels:\n  rules:\n    - name: x\n      channel: Y\n      source: [a]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out = runChild(t, dir, "channels")
	if code != 0 || !strings.Contains(out, "source in [a]") {
		t.Fatalf("good attrib.yaml: exit %d, stdout %q", code, out)
	}
	// No attrib.yaml at all: the defaults.
	if err := os.Remove(filepath.Join(dir, "attrib.yaml")); err != nil {
		t.Fatal(err)
	}
	if code, out = runChild(t, dir, "channels"); code != 0 || !strings.Contains(out, "Paid Search") {
		t.Fatalf("no attrib.yaml: exit %d, stdout %q", code, out)
	}
}
