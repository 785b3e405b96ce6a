package server

import (
	"context"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"attrib/config"
	"attrib/testkit"
	"attrib/warehouse"
)

const testPassword = "s3cret-pw"

// fixtureSQL creates a few evaluation-shaped tables with every type the
// PostgreSQL endpoint encodes.
const fixtureSQL = `
CREATE TABLE channel_performance AS
SELECT DATE '2025-01-01' + (i % 10)::INTEGER AS date,
       ['Paid Search','Email','Branch'][(i % 3) + 1] AS channel,
       CASE WHEN i % 3 = 2 THEN 'offline' ELSE 'online' END AS channel_group,
       'c' || (i % 4) AS campaign, 'account_opened' AS conversion_type,
       ['last_touch','markov'][(i % 2) + 1] AS model,
       i AS touchpoints, (i * 0.5)::DECIMAL(18,4) AS conversions,
       (i * 10.25)::DECIMAL(18,2) AS revenue, (i * 3)::DECIMAL(18,2) AS spend,
       0::BIGINT AS impressions, 0::BIGINT AS clicks,
       NULL::DOUBLE AS cpa, NULL::DOUBLE AS roas, NULL::DOUBLE AS roi
FROM range(1, 61) t(i);
CREATE TABLE type_zoo AS SELECT
  1::TINYINT AS ti, 2::SMALLINT AS si, 3::INTEGER AS i4, 4::BIGINT AS i8, 12345678901234567890::HUGEINT AS hi,
  1.5::FLOAT AS f4, 2.25::DOUBLE AS f8, 12.50::DECIMAL(10,2) AS dec, true AS b, 'héllo, 世界' AS s,
  DATE '2025-03-04' AS d, TIME '12:34:56.5' AS tm, TIMESTAMP '2025-03-04 05:06:07.123' AS ts,
  TIMESTAMPTZ '2025-03-04 05:06:07+00' AS tstz, INTERVAL '1 year 2 months 3 days 04:05:06.5' AS iv,
  [1, 2, NULL] AS li, ['a b', 'c', NULL] AS ls, {'x': 1, 'y': 'z'} AS st, '{"k": [1, 2]}'::JSON AS js,
  '\xDE\xAD'::BLOB AS bl, '3f0a6a40-7e3e-4c4c-9d1e-1a2b3c4d5e6f'::UUID AS u, NULL::INTEGER AS n;
`

type testEnv struct {
	cfg *config.Config
	w   *warehouse.Warehouse
	srv *Server
	pg  string // host:port of the PostgreSQL endpoint
}

// newTestEnv opens a warehouse with the fixture tables, makes a Server and
// serves PostgreSQL on a loopback port until the test ends.
func newTestEnv(t *testing.T, mutate func(*config.Config)) *testEnv {
	t.Helper()
	return newTestEnvTB(t, mutate)
}

func newTestEnvTB(t testing.TB, mutate func(*config.Config)) *testEnv {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	cfg := &config.Config{Dir: dir, Timezone: "UTC"}
	cfg.Warehouse.Path = "attrib.duckdb"
	cfg.Serve.Users = []config.User{{Name: "analyst", Password: testPassword, Token: "tok-analyst"}}
	if mutate != nil {
		mutate(cfg)
	}
	w := testkit.Warehouse(t, warehouse.Options{Path: cfg.WarehousePath(), TimeZone: "UTC"})
	if _, err := w.DB().ExecContext(ctx, fixtureSQL); err != nil {
		t.Fatal(err)
	}
	srv, err := New(ctx, w, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ln := testkit.Listen(t)
	pctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- srv.ServePostgresListener(pctx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("ServePostgres: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("ServePostgres did not stop")
		}
	})
	return &testEnv{cfg: cfg, w: w, srv: srv, pg: ln.Addr().String()}
}

// psql runs the real psql client against the endpoint.
func (e *testEnv) psql(t *testing.T, user, password string, args ...string) (string, error) {
	t.Helper()
	path, err := exec.LookPath("psql")
	if err != nil {
		t.Fatalf("psql is not installed (apt-get install postgresql-client): %v", err)
	}
	host, port, _ := net.SplitHostPort(e.pg)
	all := append([]string{"-X", "-h", host, "-p", port, "-U", user, "-d", "attrib", "-v", "ON_ERROR_STOP=1"}, args...)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, all...)
	cmd.Env = append(os.Environ(), "PGPASSWORD="+password, "PGSSLMODE=disable", "PGCONNECT_TIMEOUT=10", "PAGER=", "PSQLRC=/dev/null", "HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// psqlEnv runs psql as analyst with extra environment (later entries win).
func (e *testEnv) psqlEnv(t *testing.T, env []string, args ...string) (string, error) {
	t.Helper()
	path, err := exec.LookPath("psql")
	if err != nil {
		t.Fatalf("psql is not installed: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, append([]string{"-X", "-U", "analyst", "-d", "attrib"}, args...)...)
	cmd.Env = append(append(os.Environ(), "PGPASSWORD="+testPassword, "PSQLRC=/dev/null", "HOME="+t.TempDir()), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func mustContain(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}
