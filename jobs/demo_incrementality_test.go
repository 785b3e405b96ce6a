package jobs

import (
	"context"
	"strings"
	"testing"

	"attrib/testkit"
)

// TestDemoIncrementality runs the whole pipeline on a 30,000-person demo and checks the media mix
// model against the demo's counterfactual truth (truth_incremental.csv: the same people simulated
// with each channel switched off):
//   - every fit is fitted with a baseline share between 0 and 1 (the baseline cannot be negative);
//   - Outdoor truly adds nothing: the 90% intervals of its incremental conversions include 0;
//   - TV leaves no touch, so every path model gives it 0; the model, calibrated by the demo's TV geo
//     test, has an interval for account openings that covers TV's true effect;
//   - on the channels the model measures, its shares of account openings are closer to the
//     counterfactual truth than last_touch's and markov's (model_accuracy, scope spend_channels);
//   - the budget keeps the total to the cent, moves within 0.7x..1.3x and change_factor is exactly
//     recommended / spend.
func TestDemoIncrementality(t *testing.T) {
	t.Parallel()
	dir := testkit.Demo(t, 30000, 1)
	cfg, w := openDir(t, dir)
	res := runOnce(t, cfg, w)
	var note string
	for _, s := range res.Steps {
		if s.Step == "incrementality" {
			note = s.Note
		}
	}
	if !strings.HasPrefix(note, "4 of 4 fits, day grain, 365 periods") {
		t.Errorf("incrementality step note %q", note)
	}
	db := w.DB()
	ctx := context.Background()
	rows, err := db.QueryContext(ctx, `SELECT conversion_type, status, baseline_share FROM mmm_fit ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		var typ, status string
		var share float64
		if err := rows.Scan(&typ, &status, &share); err != nil {
			t.Fatal(err)
		}
		n++
		if status != "fitted" || share < 0 || share > 1 {
			t.Errorf("%s: status %s, baseline share %v", typ, status, share)
		}
	}
	rows.Close()
	if n != 4 {
		t.Errorf("%d fits, want 4", n)
	}
	one := func(q string, dest ...any) {
		t.Helper()
		if err := db.QueryRowContext(ctx, q).Scan(dest...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var outdoorLow, outdoorLowAll float64
	one(`SELECT incremental_conversions_low FROM channel_incrementality WHERE channel = 'Outdoor' AND conversion_type = 'account_opened'`, &outdoorLow)
	one(`SELECT incremental_conversions_low FROM channel_incrementality WHERE channel = 'Outdoor' AND conversion_type = '(all)'`, &outdoorLowAll)
	if outdoorLow > 0 || outdoorLowAll > 0 {
		t.Errorf("Outdoor adds nothing, but its intervals start at %v (account_opened) and %v (all)", outdoorLow, outdoorLowAll)
	}
	var tvLow, tvHigh, tvTrue float64
	var tvMethod string
	one(`SELECT c.incremental_conversions_low, c.incremental_conversions_high, t.true_incremental_conversions, c.method
		FROM channel_incrementality c JOIN read_csv('`+dir+`/truth_incremental.csv') t USING (conversion_type, channel)
		WHERE c.channel = 'TV' AND c.conversion_type = 'account_opened'`, &tvLow, &tvHigh, &tvTrue, &tvMethod)
	if tvTrue <= 0 || tvLow > tvTrue || tvHigh < tvTrue || tvMethod != "mmm+experiments" {
		t.Errorf("TV account openings: true %v, interval [%v, %v], method %s", tvTrue, tvLow, tvHigh, tvMethod)
	}
	var mmm, lastTouch, markov float64
	one(`SELECT max(misallocated_share) FILTER (WHERE model = 'mmm'), max(misallocated_share) FILTER (WHERE model = 'last_touch'),
			max(misallocated_share) FILTER (WHERE model = 'markov')
		FROM model_accuracy WHERE truth = 'counterfactual' AND scope = 'spend_channels' AND channel = '(all)' AND conversion_type = 'account_opened'`,
		&mmm, &lastTouch, &markov)
	if !(mmm < lastTouch && mmm < markov) {
		t.Errorf("misallocated account openings on spend channels: mmm %v, last_touch %v, markov %v", mmm, lastTouch, markov)
	}
	var keeps, bounded, exact bool
	one(`SELECT sum(recommended_spend) = sum(round(spend, 2)), bool_and(change_factor BETWEEN 0.7 - 1e-9 AND 1.3 + 1e-9),
			bool_and(change_factor = recommended_spend::DOUBLE / spend::DOUBLE) FROM budget_recommendations WHERE spend > 0`, &keeps, &bounded, &exact)
	if !keeps || !bounded || !exact {
		t.Errorf("budget: total kept %v, within bounds %v, change_factor exact %v", keeps, bounded, exact)
	}
}
