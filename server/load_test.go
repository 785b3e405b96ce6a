package server

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"attrib/jobs"
	"attrib/testkit"
)

// loadQueries are what analysts and BI tools send: aggregates, point
// reads and a catalog listing.
var loadQueries = []struct {
	sql  string
	args func(i int) []any
}{
	{"SELECT channel, sum(revenue) AS revenue, sum(conversions) AS conversions FROM channel_performance WHERE model = $1 GROUP BY channel ORDER BY 2 DESC", func(i int) []any { return []any{[]string{"markov", "last_touch", "shapley"}[i%3]} }},
	{"SELECT count(*), sum(credit) FROM attribution_credits WHERE model = $1", func(i int) []any { return []any{"linear"} }},
	{"SELECT conversion_id, path, touch_count FROM conversion_paths ORDER BY conversion_id LIMIT 50 OFFSET $1", func(i int) []any { return []any{i % 100} }},
	{"SELECT model, channel, removal_effect FROM markov_removal_effects ORDER BY 1, 2", func(int) []any { return nil }},
	{"SELECT table_name FROM information_schema.tables ORDER BY 1", func(int) []any { return nil }},
}

// runLoad runs clients x perClient queries on the PostgreSQL endpoint, each
// client on its own connection, and returns the latencies and errors.
func runLoad(ctx context.Context, addr, password string, clients, perClient int) ([]time.Duration, []error) {
	var mu sync.Mutex
	var lat []time.Duration
	var errs []error
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			conn, err := pgx.Connect(ctx, "postgres://analyst:"+password+"@"+addr+"/attrib?sslmode=disable")
			if err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
				return
			}
			defer conn.Close(ctx)
			mine := make([]time.Duration, 0, perClient)
			for i := 0; i < perClient; i++ {
				q := loadQueries[(c+i)%len(loadQueries)]
				start := time.Now()
				rows, err := conn.Query(ctx, q.sql, q.args(i)...)
				n := 0
				if err == nil {
					for rows.Next() {
						n++
					}
					err = rows.Err()
				}
				if err == nil && n == 0 {
					err = fmt.Errorf("no rows from %s", q.sql)
				}
				mine = append(mine, time.Since(start))
				if err != nil {
					mu.Lock()
					errs = append(errs, fmt.Errorf("client %d query %d: %w", c, i, err))
					mu.Unlock()
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}(c)
	}
	wg.Wait()
	return lat, errs
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[int(p*float64(len(s)-1))]
}

// TestLoadWhileRunWrites: 32 clients x 200 queries on loopback while the
// pipeline reruns on the same warehouse and the snapshot is swapped under
// the clients: no errors. Latencies are logged (see docs/BENCHMARKS.md;
// BenchmarkLoad32x200 measures them).
func TestLoadWhileRunWrites(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("load test: not in -short")
	}
	lat, errs, runErr := loadWhileRun(t, 32, 200)
	if runErr != nil {
		t.Fatalf("pipeline run during the load: %v", runErr)
	}
	for i, err := range errs {
		if i < 5 {
			t.Error(err)
		}
	}
	if len(errs) > 0 || len(lat) != 32*200 {
		t.Fatalf("%d errors, %d of %d queries answered", len(errs), len(lat), 32*200)
	}
	t.Logf("32 clients x 200 queries: p50 %v, p95 %v, max %v", percentile(lat, 0.5), percentile(lat, 0.95), percentile(lat, 1))
}

func loadWhileRun(t testing.TB, clients, perClient int) ([]time.Duration, []error, error) {
	cfg, w := demoWarehouse(t, 2000)
	cfg.Serve.Users = append(cfg.Serve.Users, cfg.Serve.Users[0])
	cfg.Serve.Users[1].Name, cfg.Serve.Users[1].Password = "analyst", testPassword
	ctx := context.Background()
	srv, err := New(ctx, w, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ln := testkit.Listen(t)
	pctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- srv.ServePostgresListener(pctx, ln) }()
	defer func() { cancel(); <-done }()

	// The pipeline reruns (a scheduled run) while the clients query; when it
	// finishes the snapshot is refreshed under them.
	runDone := make(chan error, 1)
	go func() {
		r, err := jobs.NewRunner(ctx, w, cfg)
		if err == nil {
			job, _ := cfg.Job("")
			_, err = r.Run(ctx, job, jobs.TriggerManual)
		}
		if err == nil {
			err = srv.Refresh(ctx)
		}
		runDone <- err
	}()
	lat, errs := runLoad(ctx, ln.Addr().String(), testPassword, clients, perClient)
	return lat, errs, <-runDone
}
