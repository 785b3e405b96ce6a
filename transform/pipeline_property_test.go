package transform_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const propertyConfig = `warehouse:
  path: attrib.duckdb
timezone: UTC
currency: USD
sources:
  - name: web
    dataset: touchpoints
    path: data/touchpoints.csv
  - name: conversions
    dataset: conversions
    path: data/conversions.csv
attribution:
  lookback_days: 20
  lookback_days_by_type: {card_activated: 7}
  markov_order: 2
  models: [first_touch, last_touch, last_non_direct, linear, position_based, time_decay, markov, shapley, fractribution]
`

// writeSynthetic writes a seeded data set into dir: touches of `people` people on eight
// source/medium pairs (some rows carry both a cookie and a customer number, so stitching
// matters), and conversions of two types with revenue, some without any touch. With
// shuffle, the same rows are written in another order.
func writeSynthetic(t *testing.T, dir string, shuffle bool, people int) {
	t.Helper()
	rnd := rand.New(rand.NewPCG(7, 11))
	sm := [][2]string{{"google", "cpc"}, {"google", "organic"}, {"facebook", "paid_social"}, {"(direct)", "(none)"},
		{"newsletter", "email"}, {"bing", "cpc"}, {"partner.example.com", "referral"}, {"youtube", "video"}}
	base := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	touches := []string{}
	convs := []string{}
	for p := range people {
		cust := fmt.Sprintf("C%04d", p)
		cookie := fmt.Sprintf("ck%04d", p)
		n := 1 + rnd.IntN(7)
		for range n {
			at := base.Add(time.Duration(rnd.IntN(60*24*60)) * time.Minute)
			s := sm[rnd.IntN(len(sm))]
			id := ""
			switch rnd.IntN(3) {
			case 0:
				id = cookie + ","
			case 1:
				id = "," + cust
			default:
				id = cookie + "," + cust
			}
			touches = append(touches, fmt.Sprintf("%s,%s,%s,%s,camp%d", id, at.Format(time.RFC3339), s[0], s[1], rnd.IntN(3)))
		}
		if rnd.IntN(3) == 0 {
			typ := []string{"account_opened", "card_activated"}[rnd.IntN(2)]
			at := base.Add(time.Duration(rnd.IntN(70*24*60)) * time.Minute)
			convs = append(convs, fmt.Sprintf("%s,%s,%s,%d.%02d", cust, at.Format(time.RFC3339), typ, 10+rnd.IntN(500), rnd.IntN(100)))
		}
	}
	// People who convert without ever being touched.
	for p := range 15 {
		convs = append(convs, fmt.Sprintf("X%03d,2025-04-%02dT10:00:00Z,account_opened,99.50", p, 1+p))
	}
	if shuffle {
		r2 := rand.New(rand.NewPCG(99, 1))
		r2.Shuffle(len(touches), func(i, j int) { touches[i], touches[j] = touches[j], touches[i] })
		r2.Shuffle(len(convs), func(i, j int) { convs[i], convs[j] = convs[j], convs[i] })
	}
	files := map[string]string{
		"attrib.yaml":          propertyConfig,
		"data/touchpoints.csv": "anonymous_id,customer_id,occurred_at,source,medium,campaign\n" + strings.Join(touches, "\n") + "\n",
		"data/conversions.csv": "customer_id,occurred_at,conversion_type,revenue\n" + strings.Join(convs, "\n") + "\n",
	}
	writeFiles(t, dir, files)
}

// snapshot reads a published table in a fixed order, every value as text (floats with all
// 17 significant digits), so that two snapshots are equal only if the numbers are identical.
func snapshot(t *testing.T, db *sql.DB, query string) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, v := range vals {
			switch x := v.(type) {
			case float64:
				fmt.Fprintf(&b, "%.17g|", x)
			default:
				fmt.Fprintf(&b, "%v|", x)
			}
		}
		out = append(out, b.String())
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

const (
	creditsQuery = `SELECT conversion_id, model, touchpoint_id, channel, campaign, credit, revenue_credit::VARCHAR
		FROM attribution_credits ORDER BY conversion_id, model, touchpoint_id`
	removalQuery = `SELECT conversion_type, channel, removal_effect, conversions, revenue, markov_order
		FROM markov_removal_effects ORDER BY conversion_type, channel`
	pathsQuery = `SELECT conversion_id, person_id, conversion_type, path, touch_count FROM conversion_paths ORDER BY conversion_id`
)

// TestPipelineCreditsSumToOne: per conversion and model, credits sum to 1 and revenue credits
// to the conversion's revenue, for all nine models.
func TestPipelineCreditsSumToOne(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// 20,000 people give well over one Arrow batch (2,048 rows) of conversion touches, so
	// conversions span batch boundaries when the data-driven models read them.
	writeSynthetic(t, dir, false, 20000)
	cfg, w := openConfig(t, dir)
	res := runPipeline(t, cfg, w)
	if res.Conversions < 100 {
		t.Fatalf("only %d conversions: the data set does not exercise the models", res.Conversions)
	}
	ctx := context.Background()
	var groups, bad int
	var worstCredit, worstRevenue float64
	err := w.DB().QueryRowContext(ctx, `
		WITH s AS (
			SELECT k.conversion_id, k.model, sum(k.credit) AS credit, sum(k.revenue_credit) AS revenue_credit,
			       any_value(c.revenue) AS revenue
			FROM attribution_credits k JOIN conversion_paths c USING (conversion_id)
			GROUP BY ALL
		)
		SELECT count(*), count(*) FILTER (WHERE abs(credit - 1) > 1e-9 OR abs(revenue_credit - revenue) > 1e-6),
		       max(abs(credit - 1)), max(abs(revenue_credit - revenue))::DOUBLE
		FROM s`).Scan(&groups, &bad, &worstCredit, &worstRevenue)
	if err != nil {
		t.Fatal(err)
	}
	if want := int(res.Conversions) * 9; groups != want {
		t.Errorf("%d conversion x model groups, want %d (every conversion credited by all nine models)", groups, want)
	}
	if bad != 0 {
		t.Errorf("%d conversion x model groups do not sum to 1 / the revenue (worst %g / %g)", bad, worstCredit, worstRevenue)
	}
	// Every credited channel is a channel of the data (the data-driven credits are read
	// from Arrow batches whose memory is reused: strings must be copied).
	var foreign int
	if err := w.DB().QueryRowContext(ctx, `SELECT count(*) FROM attribution_credits
		WHERE channel <> '(unattributed)' AND channel NOT IN (SELECT DISTINCT channel FROM conversion_paths, unnest(string_split(path, ' > ')) AS u(channel))`).Scan(&foreign); err != nil {
		t.Fatal(err)
	}
	if foreign != 0 {
		t.Errorf("%d credits name a channel that no path has", foreign)
	}
	var touchRows int
	if err := w.DB().QueryRowContext(ctx, `SELECT sum(touch_count) FROM conversion_paths`).Scan(&touchRows); err != nil {
		t.Fatal(err)
	}
	if touchRows <= 2*2048 {
		t.Errorf("only %d conversion touches: the test must span several Arrow batches", touchRows)
	}
	// The conversions without a touch go to (unattributed) under every model.
	var unattributed int
	if err := w.DB().QueryRowContext(ctx, `SELECT count(DISTINCT conversion_id) FROM attribution_credits
		WHERE channel = '(unattributed)' AND credit = 1`).Scan(&unattributed); err != nil {
		t.Fatal(err)
	}
	if unattributed < 15 {
		t.Errorf("%d unattributed conversions, want at least the 15 people never touched", unattributed)
	}
}

// TestPipelineIgnoresRowOrder loads the same rows in two orders into two warehouses: every
// credit, path and removal effect is identical. A rerun on the same warehouse is too.
func TestPipelineIgnoresRowOrder(t *testing.T) {
	t.Parallel()
	dirA, dirB := t.TempDir(), t.TempDir()
	writeSynthetic(t, dirA, false, 400)
	writeSynthetic(t, dirB, true, 400)
	cfgA, wA := openConfig(t, dirA)
	cfgB, wB := openConfig(t, dirB)
	runPipeline(t, cfgA, wA)
	runPipeline(t, cfgB, wB)
	for _, q := range []string{creditsQuery, removalQuery, pathsQuery} {
		a, b := snapshot(t, wA.DB(), q), snapshot(t, wB.DB(), q)
		if len(a) == 0 {
			t.Fatalf("%s: no rows", q)
		}
		compareSnapshots(t, "shuffled input", q, a, b)
	}
	// A rerun (nothing new to load) recomputes everything and gives identical numbers.
	before := snapshot(t, wA.DB(), creditsQuery)
	runPipeline(t, cfgA, wA)
	compareSnapshots(t, "rerun", creditsQuery, before, snapshot(t, wA.DB(), creditsQuery))
}

func compareSnapshots(t *testing.T, what, q string, a, b []string) {
	t.Helper()
	if len(a) != len(b) {
		t.Errorf("%s: %d rows vs %d rows for %s", what, len(a), len(b), q)
		return
	}
	diff := 0
	for i := range a {
		if a[i] != b[i] {
			if diff < 5 {
				t.Errorf("%s: row %d differs:\n %s\n %s", what, i, a[i], b[i])
			}
			diff++
		}
	}
	if diff > 0 {
		t.Errorf("%s: %d of %d rows differ for %s", what, diff, len(a), q)
	}
}

// TestPipelinePathTransforms: with remove_if_not_all(Direct) the data-driven models give Direct
// no credit on any path that has another channel (the rule-based models still do), credits
// still sum to 1, and markov_order 3 is what was fitted. With frequency, Markov's states are
// "channel(count)" and credits still land on the touches' own channels.
func TestPipelinePathTransforms(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct{ transforms, order string }{
		{"[remove_if_not_all(Direct)]", "3"},
		{"[frequency]", "1"},
	} {
		dir := t.TempDir()
		writeSynthetic(t, dir, false, 400)
		yaml := strings.Replace(propertyConfig, "markov_order: 2", "markov_order: "+tc.order+"\n  path_transforms: "+tc.transforms, 1)
		if err := os.WriteFile(filepath.Join(dir, "attrib.yaml"), []byte(yaml), 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, w := openConfig(t, dir)
		runPipeline(t, cfg, w)
		var bad, groups int
		if err := w.DB().QueryRowContext(ctx, `
			WITH s AS (SELECT conversion_id, model, sum(credit) AS credit FROM attribution_credits GROUP BY ALL)
			SELECT count(*), count(*) FILTER (WHERE abs(credit - 1) > 1e-9) FROM s`).Scan(&groups, &bad); err != nil {
			t.Fatal(err)
		}
		if bad != 0 || groups == 0 {
			t.Errorf("%s: %d of %d conversion x model groups do not sum to 1", tc.transforms, bad, groups)
		}
		var order int
		if err := w.DB().QueryRowContext(ctx, `SELECT min(markov_order) FROM markov_removal_effects`).Scan(&order); err != nil {
			t.Fatal(err)
		}
		if want := tc.order; want != fmt.Sprint(order) {
			t.Errorf("%s: markov_order %d, want %s", tc.transforms, order, want)
		}
		var mixedDirect, ruleDirect float64
		if err := w.DB().QueryRowContext(ctx, `
			WITH mixed AS (SELECT conversion_id FROM conversion_paths WHERE path LIKE '%Direct%' AND replace(path, 'Direct', '') SIMILAR TO '.*[A-Za-z].*')
			SELECT coalesce(sum(credit) FILTER (WHERE model IN ('markov', 'shapley', 'fractribution')), 0),
			       coalesce(sum(credit) FILTER (WHERE model = 'linear'), 0)
			FROM attribution_credits WHERE channel = 'Direct' AND conversion_id IN (SELECT conversion_id FROM mixed)`).Scan(&mixedDirect, &ruleDirect); err != nil {
			t.Fatal(err)
		}
		if ruleDirect == 0 {
			t.Fatalf("%s: no mixed paths with Direct in the data set", tc.transforms)
		}
		removes := strings.Contains(tc.transforms, "remove_if_not_all")
		if removes && mixedDirect != 0 {
			t.Errorf("%s: data-driven models gave Direct %v on paths with other channels, want 0", tc.transforms, mixedDirect)
		}
		if !removes && mixedDirect == 0 {
			t.Errorf("%s: data-driven models gave Direct nothing on mixed paths", tc.transforms)
		}
		var states int
		if err := w.DB().QueryRowContext(ctx, `SELECT count(*) FROM markov_removal_effects WHERE channel LIKE '%(_)'`).Scan(&states); err != nil {
			t.Fatal(err)
		}
		if freq := strings.Contains(tc.transforms, "frequency"); freq != (states > 0) {
			t.Errorf("%s: %d frequency states in markov_removal_effects", tc.transforms, states)
		}
		var stray int
		if err := w.DB().QueryRowContext(ctx, `SELECT count(*) FROM attribution_credits WHERE channel LIKE '%(_)' AND channel <> '(unattributed)'`).Scan(&stray); err != nil {
			t.Fatal(err)
		}
		if stray != 0 {
			t.Errorf("%s: %d credits on a frequency state instead of a channel", tc.transforms, stray)
		}
	}
}
