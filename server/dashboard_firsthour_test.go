package server

import (
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"

	"attrib/config"
	"attrib/testkit"
	"attrib/warehouse"
)

// TestDashboardTrendFlagsCurrency: the trend panel's weekly sums, the
// paid-as-organic flag and the reporting currency, on a channel_performance
// worked out by hand.
//
// Days Wed 2025-01-01 .. Sun 2025-01-12 (weeks of Mon 2024-12-30, 2025-01-06).
// Search: conversions 1 a day, spend 10 a day, revenue 30 a day.
// Organic Social: conversions 2 a day, spend 5 a day on 2025-01-06 only, revenue 4 a day.
// Organic Search: conversions 1 a day, no spend.
func TestDashboardTrendFlagsCurrency(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := &config.Config{Dir: t.TempDir(), Timezone: "Asia/Shanghai", Currency: "CNY"}
	cfg.Evaluation.AcquisitionModel = "last_non_direct"
	cfg.Warehouse.Path = "attrib.duckdb"
	cfg.Serve.Users = []config.User{{Name: "analyst", Password: testPassword, Token: "tok-analyst"}}
	w := testkit.Warehouse(t, warehouse.Options{Path: cfg.WarehousePath(), TimeZone: "UTC"})
	if _, err := w.DB().ExecContext(ctx, `CREATE TABLE channel_performance AS
		SELECT (DATE '2024-12-31' + d::INTEGER) AS date, ch AS channel, 'online' AS channel_group, '' AS campaign, '(all)' AS conversion_type,
		       'markov' AS model, 1 AS touchpoints,
		       CASE ch WHEN 'Search' THEN 1.0 WHEN 'Organic Social' THEN 2.0 ELSE 1.0 END::DOUBLE AS conversions,
		       CASE ch WHEN 'Search' THEN 30 WHEN 'Organic Social' THEN 4 ELSE 0 END::DECIMAL(18,2) AS revenue,
		       CASE WHEN ch = 'Search' THEN 10 WHEN ch = 'Organic Social' AND d = 6 THEN 5 ELSE NULL END::DECIMAL(18,2) AS spend,
		       0 AS impressions, 0 AS clicks
		FROM range(1, 13) r(d), (VALUES ('Search'), ('Organic Social'), ('Organic Search')) c(ch)`); err != nil {
		t.Fatal(err)
	}
	srv, err := New(ctx, w, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	c := httpClient{t: t, base: ts.URL, auth: func(r *http.Request) { r.Header.Set("Authorization", "Bearer tok-analyst") }}

	_, f := panelRows(t, c, "filters")
	if len(f) != 1 || f[0]["currency"] != "CNY" || f[0]["timezone"] != "Asia/Shanghai" || f[0]["acquisition_model"] != "last_non_direct" {
		t.Errorf("filters: %v, want currency CNY, timezone Asia/Shanghai, acquisition model last_non_direct", f)
	}

	_, rows := panelRows(t, c, "channels?model=markov")
	flags := map[string]bool{}
	for _, r := range rows {
		flags[toString(r["channel"])] = r["paid_as_organic"] == true
	}
	if want := map[string]bool{"Search": false, "Organic Social": true, "Organic Search": false}; len(flags) != 3 || flags["Search"] || !flags["Organic Social"] || flags["Organic Search"] {
		t.Errorf("paid_as_organic = %v, want %v", flags, want)
	}

	// Week of 2024-12-30 holds days 1..5 (Jan 1-5), the week of 2025-01-06 days 6..12.
	type key struct{ week, ch string }
	want := map[key][4]float64{ // conversions, spend, roas, days
		{"2024-12-30", "Search"}:         {5, 50, 3, 5},
		{"2025-01-06", "Search"}:         {7, 70, 3, 7},
		{"2024-12-30", "Organic Social"}: {10, 0, math.NaN(), 5},
		{"2025-01-06", "Organic Social"}: {14, 5, 28.0 / 5, 7},
		{"2024-12-30", "Organic Search"}: {5, 0, math.NaN(), 5},
		{"2025-01-06", "Organic Search"}: {7, 0, math.NaN(), 7},
	}
	_, rows = panelRows(t, c, "trend?model=markov")
	if len(rows) != len(want) {
		t.Fatalf("trend: %d rows, want %d: %v", len(rows), len(want), rows)
	}
	for _, r := range rows {
		k := key{toString(r["week_start"])[:10], toString(r["channel"])}
		wv, ok := want[k]
		if !ok {
			t.Errorf("trend: unexpected row %v", r)
			continue
		}
		spend := num(r["spend"])
		if math.IsNaN(spend) {
			spend = 0
		}
		got := [4]float64{num(r["conversions"]), spend, num(r["roas"]), num(r["days"])}
		for i := range got {
			if !(got[i] == wv[i] || math.IsNaN(got[i]) && math.IsNaN(wv[i]) || math.Abs(got[i]-wv[i]) < 1e-9) {
				t.Errorf("trend %v: %v, want %v", k, got, wv)
				break
			}
		}
	}
	// The channel filter narrows the trend to one channel.
	if _, rows = panelRows(t, c, "trend?model=markov&channel=Search"); len(rows) != 2 {
		t.Errorf("trend for Search: %d rows, want 2", len(rows))
	}
}
