package jobs

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"attrib/config"
	"attrib/ingest"
	"attrib/testkit"
	"attrib/warehouse"
)

// copyTree copies the files below src into dst.
func copyTree(tb testing.TB, src, dst string) {
	tb.Helper()
	if err := testkit.CopyTree(src, dst); err != nil {
		tb.Fatal(err)
	}
}

// openDir loads dir's config and opens its warehouse (closed when the test
// ends; callers may close it earlier).
func openDir(tb testing.TB, dir string) (*config.Config, *warehouse.Warehouse) {
	tb.Helper()
	return testkit.OpenDir(tb, dir)
}

// openTestdata copies a testdata folder into a temp dir and opens its
// warehouse, closed when the test ends.
func openTestdata(t *testing.T, src string) (*config.Config, *warehouse.Warehouse) {
	t.Helper()
	return testkit.OpenDir(t, testkit.CopyDir(t, src))
}

// openSmall opens a copy of the hand-made data set testdata/small.
func openSmall(t *testing.T) (*config.Config, *warehouse.Warehouse) {
	t.Helper()
	return openTestdata(t, "testdata/small")
}

func runOnce(t *testing.T, cfg *config.Config, w *warehouse.Warehouse) RunResult {
	t.Helper()
	ctx := context.Background()
	r, err := NewRunner(ctx, w, cfg)
	if err != nil {
		t.Fatal(err)
	}
	job, _ := cfg.Job("")
	res, err := r.Run(ctx, job, TriggerManual)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return res
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// TestSmallPipeline checks every number of a hand-made data set.
//
// People (after stitching: ck1 and C1 are one person through a login):
//
//	P1: Paid Search (google/cpc, 2025-01-01 10:00), Direct (2025-01-03 10:00);
//	    converts 2025-01-05 10:00 in branch as C1, revenue 100.
//	P2: Paid Social (facebook/cpc, 2025-01-02 12:00); converts 2025-01-10 12:00 as ck2, revenue 50;
//	    Email on 2025-01-20 comes after the conversion and is not in its path.
//	P3: C3 converts 2025-01-15 with no touch at all: (unattributed), revenue 30.
//
// Expected credits (P1):
//
//	first_touch, last_non_direct: Paid Search 1      last_touch: Direct 1
//	linear, position_based (2 touches: 50/50): 0.5 / 0.5
//	time_decay, half-life 7 days: ages 4 and 2 days, weights 2^(-4/7) = 0.672950096
//	and 2^(-2/7) = 0.820348300; shares 0.672950096/1.493298396 = 0.4506507 and 0.5493493
func TestSmallPipeline(t *testing.T) {
	t.Parallel()
	cfg, w := openSmall(t)
	ctx := context.Background()
	res := runOnce(t, cfg, w)

	// Ingest accounting: web has 5 rows, one with an unparseable time (line 6 of the file).
	byName := map[string]ingest.FileResult{}
	for _, f := range res.Ingest.Files {
		byName[filepath.Base(f.Path)] = f
	}
	if f := byName["web.csv"]; f.Read != 5 || f.Loaded != 4 || f.Rejected != 1 || f.Status != ingest.Loaded {
		t.Fatalf("web.csv: %+v", f)
	}
	var line int
	var field, reason string
	if err := w.DB().QueryRowContext(ctx, "SELECT line, field, reason FROM rejected_rows").Scan(&line, &field, &reason); err != nil {
		t.Fatal(err)
	}
	if line != 6 || field != "occurred_at" || reason != `unparseable time "not a time"` {
		t.Fatalf("rejected row: line %d field %s reason %s", line, field, reason)
	}

	// Stitching: ck1 and C1 are one person.
	var persons int
	if err := w.DB().QueryRowContext(ctx, "SELECT count(DISTINCT person_id) FROM conversions").Scan(&persons); err != nil {
		t.Fatal(err)
	}
	if persons != 3 {
		t.Fatalf("persons with conversions = %d, want 3", persons)
	}

	// Paths.
	paths := map[float64]string{}
	rows, err := w.DB().QueryContext(ctx, "SELECT CAST(revenue AS DOUBLE), path, touch_count FROM conversion_paths")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var rev float64
		var p string
		var n int
		if err := rows.Scan(&rev, &p, &n); err != nil {
			t.Fatal(err)
		}
		paths[rev] = p
	}
	rows.Close()
	want := map[float64]string{100: "Paid Search > Direct", 50: "Paid Social", 30: "(unattributed)"}
	for k, v := range want {
		if paths[k] != v {
			t.Errorf("path of the %v conversion = %q, want %q", k, paths[k], v)
		}
	}

	// Credits per model and channel.
	credit := func(model, ch string) float64 {
		var c float64
		err := w.DB().QueryRowContext(ctx, "SELECT coalesce(sum(credit), 0) FROM attribution_credits WHERE model = ? AND channel = ?", model, ch).Scan(&c)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	wd := math.Pow(2, -4.0/7) / (math.Pow(2, -4.0/7) + math.Pow(2, -2.0/7))
	checks := []struct {
		model, ch string
		want      float64
	}{
		{"first_touch", "Paid Search", 1}, {"first_touch", "Direct", 0},
		{"last_touch", "Direct", 1}, {"last_touch", "Paid Search", 0},
		{"last_non_direct", "Paid Search", 1}, {"last_non_direct", "Direct", 0},
		{"linear", "Paid Search", 0.5}, {"linear", "Direct", 0.5},
		{"position_based", "Paid Search", 0.5},
		{"time_decay", "Paid Search", wd}, {"time_decay", "Direct", 1 - wd},
		{"last_touch", "Paid Social", 1}, {"last_touch", "(unattributed)", 1}, {"last_touch", "Email", 0},
	}
	for _, c := range checks {
		if got := credit(c.model, c.ch); !near(got, c.want) {
			t.Errorf("%s %s = %v, want %v", c.model, c.ch, got, c.want)
		}
	}
	if got := credit("time_decay", "Paid Search"); math.Abs(got-0.4506507) > 1e-6 {
		t.Errorf("time-decay share %v, want 0.4506507 (worked out by hand)", got)
	}

	// channel_performance: spend on its day, ratios NULL where the divisor is zero.
	var spend, roas float64
	var cpa any
	err = w.DB().QueryRowContext(ctx, `SELECT CAST(spend AS DOUBLE), cpa, roas FROM channel_performance
		WHERE date = DATE '2025-01-01' AND channel = 'Paid Search' AND campaign = 'brand' AND model = 'last_touch' AND conversion_type = 'account_opened'`).Scan(&spend, &cpa, &roas)
	if err != nil {
		t.Fatal(err)
	}
	if spend != 200 || cpa != nil || roas != 0 {
		t.Errorf("Paid Search 2025-01-01 last_touch: spend %v cpa %v roas %v; want 200, NULL, 0", spend, cpa, roas)
	}
	// Paid Social converts on 2025-01-10, a day without spend: cpa and roas are NULL (no spend).
	var revenue float64
	var cpa2, roas2 any
	err = w.DB().QueryRowContext(ctx, `SELECT CAST(revenue AS DOUBLE), cpa, roas FROM channel_performance
		WHERE date = DATE '2025-01-10' AND channel = 'Paid Social' AND model = 'last_touch' AND conversion_type = '(all)'`).Scan(&revenue, &cpa2, &roas2)
	if err != nil {
		t.Fatal(err)
	}
	if revenue != 50 || cpa2 != nil || roas2 != nil {
		t.Errorf("Paid Social 2025-01-10: revenue %v cpa %v roas %v; want 50, NULL, NULL", revenue, cpa2, roas2)
	}
	var tvSpend float64
	if err := w.DB().QueryRowContext(ctx, `SELECT CAST(sum(spend) AS DOUBLE) FROM channel_performance WHERE channel = 'TV' AND model = 'linear' AND conversion_type = 'account_opened'`).Scan(&tvSpend); err != nil {
		t.Fatal(err)
	}
	if tvSpend != 500 {
		t.Errorf("TV spend %v, want 500 (a channel with spend and no conversions)", tvSpend)
	}

	// A second run loads nothing new and gives the same credits.
	res2 := runOnce(t, cfg, w)
	for _, f := range res2.Ingest.Files {
		if f.Status != ingest.Skipped {
			t.Errorf("second run: %s %s", f.Path, f.Status)
		}
	}
	if got := credit("last_touch", "Direct"); got != 1 {
		t.Errorf("after rerun last_touch Direct = %v", got)
	}
	var runs int
	if err := w.DB().QueryRowContext(ctx, "SELECT count(*) FROM pipeline_runs WHERE status = 'succeeded'").Scan(&runs); err != nil {
		t.Fatal(err)
	}
	if runs != 2 {
		t.Errorf("pipeline_runs succeeded = %d, want 2", runs)
	}
}
