package transform_test

import (
	"context"
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// fixtureDir is snowplow dbt-snowplow-fractribution's integration test data (Apache-2.0).
const fixtureDir = "testdata/fractribution/fixture" // a copy of shared/fixtures/fractribution

func readFixtureCSV(t *testing.T, name string) []map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(fixtureDir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

// TestFractributionFixtureReport runs ingest + transform + evaluation on the fixture's
// sessions, conversions and spend with testdata/fractribution/attrib.yaml and compares
// channel_performance, summed over the window, with the package's expected report table:
// CONVERSIONS, REVENUE, SPEND and ROAS per channel for its "shapley" model (attrib's
// fractribution) and last_touch, to 1e-6. The expected numbers are snowplow's, not attrib's.
func TestFractributionFixtureReport(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	copyInto(t, dir, map[string]string{
		"attrib.yaml":          "testdata/fractribution/attrib.yaml",
		"data/sessions.csv":    filepath.Join(fixtureDir, "sessions.csv"),
		"data/conversions.csv": filepath.Join(fixtureDir, "conversions.csv"),
		"data/spend.csv":       filepath.Join(fixtureDir, "spend.csv"),
	})
	cfg, w := openConfig(t, dir)
	ctx := context.Background()
	runPipeline(t, cfg, w)

	// The paths attrib built equal the package's expected paths to conversion.
	wantPaths := map[string]string{}
	for _, r := range readFixtureCSV(t, "expected_paths_to_conversion.csv") {
		wantPaths[r["customer_id"]] = r["path"]
	}
	rows, err := w.DB().QueryContext(ctx, `SELECT c.customer_id, p.path FROM conversion_paths p JOIN conversions c USING (conversion_id)`)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		var cust, path string
		if err := rows.Scan(&cust, &path); err != nil {
			t.Fatal(err)
		}
		if want, ok := wantPaths[cust]; !ok || strings.ReplaceAll(want, "Organic_Search", "Organic Search") != path {
			t.Errorf("path of %s = %q, want %q", cust, path, want)
		}
		n++
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	if n != len(wantPaths) {
		t.Fatalf("%d conversion paths, want %d", n, len(wantPaths))
	}

	models := map[string]string{"shapley": "fractribution", "last_touch": "last_touch"}
	// attrib spells the GA4 channels its own way; the other names are kept as written.
	spelled := map[string]string{"Organic_Search": "Organic Search"}
	compared := 0
	for _, r := range readFixtureCSV(t, "expected_report_table.csv") {
		model := models[r["ATTRIBUTION_TYPE"]]
		ch := r["CHANNEL"]
		if c, ok := spelled[ch]; ok {
			ch = c
		}
		var conv, rev, spend float64
		var roas *float64
		err := w.DB().QueryRowContext(ctx, `
			SELECT coalesce(sum(conversions), 0), coalesce(CAST(sum(revenue) AS DOUBLE), 0), coalesce(CAST(sum(spend) AS DOUBLE), 0),
			       CAST(sum(revenue) AS DOUBLE) / nullif(CAST(sum(spend) AS DOUBLE), 0)
			FROM channel_performance
			WHERE conversion_type = 'conversion' AND model = ? AND channel = ?`, model, ch).Scan(&conv, &rev, &spend, &roas)
		if err != nil {
			t.Fatalf("%s %s: %v", model, r["CHANNEL"], err)
		}
		check := func(what string, got float64, col string) {
			want, err := strconv.ParseFloat(r[col], 64)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got-want) > 1e-6 {
				t.Errorf("%s %s %s = %.10f, want %.10f", model, r["CHANNEL"], what, got, want)
			}
		}
		check("conversions", conv, "CONVERSIONS")
		check("revenue", rev, "REVENUE")
		check("spend", spend, "SPEND")
		if roas == nil {
			t.Errorf("%s %s: roas is NULL", model, r["CHANNEL"])
		} else {
			check("roas", *roas, "ROAS")
		}
		compared++
	}
	if compared != 12 {
		t.Fatalf("compared %d report rows, want 12", compared)
	}
	// No credit goes anywhere else: 6 conversions per model, all on the report's channels.
	for _, model := range []string{"fractribution", "last_touch"} {
		var total float64
		if err := w.DB().QueryRowContext(ctx, `SELECT sum(credit) FROM attribution_credits WHERE model = ?
			AND channel IN ('Direct', 'Organic Search', 'Paid_Search_Other', 'Referral', 'Unmatched_Channel', 'Video')`, model).Scan(&total); err != nil {
			t.Fatal(err)
		}
		if math.Abs(total-6) > 1e-9 {
			t.Errorf("%s credits on the report's channels sum to %v, want 6", model, total)
		}
	}
}
