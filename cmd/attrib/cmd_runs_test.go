package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"attrib/config"
	"attrib/jobs"
	"attrib/server"
	"attrib/testkit"
	"attrib/warehouse"
)

// TestRunsViaServe: while serve holds the warehouse, `attrib runs` reads the
// runs through its HTTP API, times in the configured zone.
func TestRunsViaServe(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	ln := testkit.Listen(t)
	yaml := "warehouse:\n  path: attrib.duckdb\ntimezone: Asia/Shanghai\npii: {key: k}\njobs:\n  - {name: daily, steps: [transform]}\n" +
		"serve:\n  http: " + ln.Addr().String() + "\n  users:\n    - name: analyst\n      token: tok-1\n"
	cfgPath := filepath.Join(dir, "attrib.yaml")
	if err := os.WriteFile(cfgPath, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	w := testkit.Warehouse(t, warehouse.Options{Path: cfg.WarehousePath(), TimeZone: cfg.Timezone})
	r, err := jobs.NewRunner(ctx, w, cfg)
	if err != nil {
		t.Fatal(err)
	}
	j, _ := cfg.Job("")
	if _, err := r.Run(ctx, j, jobs.TriggerManual); err != nil {
		t.Fatal(err)
	}
	want, err := jobs.Recent(ctx, w.DB(), 5)
	if err != nil || len(want) != 1 {
		t.Fatalf("runs in the warehouse: %v %v", want, err)
	}
	srv, err := server.New(ctx, w, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	hs := &http.Server{Handler: srv.Handler()}
	go hs.Serve(ln)
	defer hs.Close()

	cmd := newRunsCmd(&globalFlags{config: cfgPath})
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetArgs([]string{"--steps"})
	cmd.SetContext(ctx)
	if err := cmd.Execute(); err != nil {
		t.Fatalf("attrib runs while serve runs: %v", err)
	}
	sh, _ := time.LoadLocation("Asia/Shanghai")
	started := want[0].StartedAt.In(sh).Format("2006-01-02 15:04:05") + " CST"
	got := out.String()
	if !strings.Contains(got, want[0].RunID) || !strings.Contains(got, started) || !strings.Contains(got, "succeeded") || !strings.Contains(got, "transform=") {
		t.Fatalf("runs via serve, want run %s started %s:\n%s", want[0].RunID, started, got)
	}
}
