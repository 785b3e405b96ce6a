package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "attrib.yaml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadMinimalAndDefaults(t *testing.T) {
	t.Parallel()
	p := write(t, "warehouse:\n  path: data/w.duckdb\n")
	cfg, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(filepath.Dir(p), "data", "w.duckdb"); cfg.WarehousePath() != want {
		t.Errorf("warehouse path %s, want %s (relative to the config file)", cfg.WarehousePath(), want)
	}
	if cfg.Timezone != "UTC" || cfg.Currency != "USD" || cfg.Attribution.LookbackDays != 30 || len(cfg.Attribution.Models) != len(Models) {
		t.Errorf("defaults not applied: %+v", cfg)
	}
	if got := cfg.Lookback("x").Hours(); got != 720 {
		t.Errorf("lookback %v hours, want 720", got)
	}
}

func TestEmptyFileIsDefaults(t *testing.T) {
	t.Parallel()
	if _, err := Load(write(t, "")); err != nil {
		t.Fatal(err)
	}
}

func TestErrorsNameTheLine(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, text, want string
	}{
		{"unknown top key", "timezone: UTC\nwarehous:\n  path: x\n", `line 2: unknown key "warehous"`},
		{"unknown nested key", "warehouse:\n  path: x\n  memory: 1GB\n", `line 3: unknown key "memory"`},
		{"bad type", "attribution:\n  lookback_days: thirty\n", "line 2"},
		{"unknown dataset", "sources:\n  - name: a\n    dataset: clicks\n    path: x.csv\n", `line 2: sources[0] "a": unknown dataset "clicks"`},
		{"unknown column", "sources:\n  - name: a\n    dataset: spend\n    path: x.csv\n    columns: {cost: c}\n", `"cost" is not a column of dataset spend`},
		{"pii without key", "sources:\n  - name: a\n    dataset: touchpoints\n    path: x.csv\n    columns: {email: mail, occurred_at: t}\n", "no PII key"},
		{"bad schedule", "jobs:\n  - name: d\n    schedule: \"61 * * * *\"\n", `line 2: jobs[0] "d": schedule`},
		{"unknown step", "jobs:\n  - name: d\n    steps: [ingest, dance]\n", `unknown step "dance"`},
		{"unknown model", "attribution:\n  models: [magic]\n", `unknown model "magic"`},
		{"unset env", "pii:\n  key: ${ATTRIB_TEST_SURELY_UNSET}\n", "line 2: environment variable ATTRIB_TEST_SURELY_UNSET is not set"},
		{"bad timezone", "timezone: Mars/Base\n", `unknown time zone "Mars/Base"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			os.Unsetenv(EnvPIIKey)
			_, err := Load(write(t, c.text))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want it to contain %q", err, c.want)
			}
		})
	}
}

func TestMissingFile(t *testing.T) {
	t.Parallel()
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if err == nil || !strings.Contains(err.Error(), "does not exist") || !strings.Contains(err.Error(), "attrib init") {
		t.Fatalf("got %v", err)
	}
}

func TestEnvExpansion(t *testing.T) {
	t.Setenv("ATTRIB_TEST_KEY", "s3cret")
	cfg, err := Load(write(t, "pii:\n  key: ${ATTRIB_TEST_KEY}   # not ${NOT_EXPANDED_IN_COMMENTS}\n# ${NOR_HERE}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.PII.Key != "s3cret" {
		t.Fatalf("key %q", cfg.PII.Key)
	}
}

func TestFindPrecedence(t *testing.T) {
	t.Setenv(EnvConfig, "/etc/attrib.yaml")
	if Find("x.yaml") != "x.yaml" || Find("") != "/etc/attrib.yaml" {
		t.Fatal("explicit flag must win over ATTRIB_CONFIG")
	}
	t.Setenv(EnvConfig, "")
	if Find("") != DefaultFile {
		t.Fatal("default")
	}
}

func TestStarterConfigsParse(t *testing.T) {
	t.Setenv("ATTRIB_PII_KEY", "k")
	b, err := os.ReadFile("../cmd/attrib/starter.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse(b, t.TempDir()); err != nil {
		t.Fatalf("starter.yaml: %v", err)
	}
}
