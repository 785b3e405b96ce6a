package queries_test

import (
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestModelAccuracyGolden scores the golden data's path models against two truth files.
//
// Credits to real channels ((unattributed) left out), account_opened: last_touch gives Paid Search 2
// (A, and B's path Email > Paid Search) and Email 1 (F): shares 2/3, 1/3; linear gives Paid Search
// 1 + 0.5 and Email 0.5 + 1: shares 1/2, 1/2.
//
// Earliest cause (truth.csv shares: Paid Search 0.25, Email 0.75, Display 0), all channels:
// last_touch errors |2/3 - 1/4| = 5/12, |1/3 - 3/4| = 5/12, 0: mean 5/18 = 0.277778, misallocated
// 5/12 = 0.416667; linear errors 1/4, 1/4, 0: mean 1/6, misallocated 1/4.
//
// Counterfactual (truth_incremental.csv conversions: Paid Search 1, Email 3, TV 2, Display 0: shares
// 1/6, 1/2, 1/3, 0), all channels: last_touch errors 1/2, 1/6, 1/3, 0: mean 1/4, misallocated 1/2.
// Its (all) rows (Paid Search 1, Email 3, Direct 1: shares 0.2, 0.6, 0.2) against last_touch over all
// types (Paid Search 2, Email 1, Direct 1 for E's card: 0.5, 0.25, 0.25): errors 0.3, 0.35, 0.05, mean
// 0.233333, misallocated 0.35. The data is too short for a media mix model, so there are no
// spend_channels rows.
func TestModelAccuracyGolden(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	truth := filepath.Join(dir, "truth.csv")
	inc := filepath.Join(dir, "truth_incremental.csv")
	write := func(p, s string) {
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(truth, "conversion_type,channel,true_conversions,true_share\n"+
		"account_opened,Paid Search,1,0.25\naccount_opened,Email,3,0.75\naccount_opened,Display,0,0\naccount_opened,(baseline),1,\n")
	write(inc, "conversion_type,channel,true_incremental_conversions,true_incremental_revenue,true_share\n"+
		"account_opened,Paid Search,1,100,\naccount_opened,Email,3,300,\naccount_opened,TV,2,200,\naccount_opened,Display,0,0,\n"+
		"(all),Paid Search,1,100,\n(all),Email,3,300,\n(all),Direct,1,20,\n")
	yaml := goldenYAML + "evaluation: {truth_file: " + truth + ", incremental_truth_file: " + inc + "}\n"
	c := evalRun(t, yaml, goldenData()...)
	got := query(t, c, `SELECT truth, scope, model, conversion_type, abs_error, misallocated_share FROM model_accuracy
		WHERE channel = '(all)' AND model IN ('last_touch', 'linear') ORDER BY truth, conversion_type, model`)
	want := map[string][2]float64{
		"counterfactual|all_channels|last_touch|(all)":          {0.7 / 3, 0.35},
		"counterfactual|all_channels|last_touch|account_opened": {0.25, 0.5},
		"earliest_cause|all_channels|last_touch|account_opened": {5.0 / 18, 5.0 / 12},
		"earliest_cause|all_channels|linear|account_opened":     {1.0 / 6, 0.25},
	}
	seen := 0
	for _, r := range got {
		k := strings.Join([]string{r[0].(string), r[1].(string), r[2].(string), r[3].(string)}, "|")
		w, ok := want[k]
		if !ok {
			continue
		}
		seen++
		if e, m := norm(r[4]).(float64), norm(r[5]).(float64); math.Abs(e-w[0]) > 1e-9 || math.Abs(m-w[1]) > 1e-9 {
			t.Errorf("%s: abs_error %v misallocated %v, want %v %v", k, e, m, w[0], w[1])
		}
	}
	if seen != len(want) {
		t.Errorf("found %d of the %d expected summary rows in %s", seen, len(want), fmtRows(got))
	}
	expectRows(t, c, `SELECT channel, true_share, attributed_share FROM model_accuracy
		WHERE truth = 'counterfactual' AND model = 'last_touch' AND conversion_type = 'account_opened' AND channel <> '(all)' ORDER BY channel`, [][]any{
		{"Display", 0.0, 0.0}, {"Email", 0.5, 1.0 / 3}, {"Paid Search", 1.0 / 6, 2.0 / 3}, {"TV", 1.0 / 3, 0.0},
	})
	expectRows(t, c, `SELECT count(*) FROM model_accuracy WHERE scope = 'spend_channels'`, [][]any{{0.0}})
}

// TestModelAccuracyMMM: on the simulated market (no touches, so every path model credits only
// (unattributed) and has no spend-channel credit) the media mix model is scored on the spend channels
// against the simulation's true contributions (switching a channel off removes exactly its additive
// contribution): its share per channel is its incremental conversions over their sum, the truth's
// likewise, and abs_error their difference.
func TestModelAccuracyMMM(t *testing.T) {
	t.Parallel()
	m := simulateMarket(3)
	dir := t.TempDir()
	inc := filepath.Join(dir, "truth_incremental.csv")
	var b strings.Builder
	b.WriteString("conversion_type,channel,true_incremental_conversions\n")
	total := 0.0
	trueConv := map[string]float64{}
	for _, ch := range mmmChannels {
		trueConv[ch.name] = sum(m.contrib[ch.name], 0, m.days)
		total += trueConv[ch.name]
		b.WriteString("(all)," + ch.name + "," + ftoa(trueConv[ch.name]) + "\n")
	}
	if err := os.WriteFile(inc, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	c := evalRun(t, goldenYAML+"evaluation: {incremental_truth_file: "+inc+"}\n", writeMarket(t, m, 3)...)
	fitted := map[string]float64{}
	var fsum float64
	for _, r := range query(t, c, `SELECT channel, incremental_conversions FROM channel_incrementality WHERE conversion_type = '(all)'`) {
		fitted[r[0].(string)] = norm(r[1]).(float64)
		fsum += fitted[r[0].(string)]
	}
	rows := query(t, c, `SELECT channel, true_share, attributed_share, abs_error FROM model_accuracy
		WHERE truth = 'counterfactual' AND scope = 'spend_channels' AND model = 'mmm' AND conversion_type = '(all)' AND channel <> '(all)' ORDER BY channel`)
	if len(rows) != len(mmmChannels) {
		t.Fatalf("%d mmm rows: %s", len(rows), fmtRows(rows))
	}
	var mean float64
	for _, r := range rows {
		ch := r[0].(string)
		ts, as := trueConv[ch]/total, fitted[ch]/fsum
		if !same(r[1], ts) || !same(r[2], as) || !same(r[3], math.Abs(as-ts)) {
			t.Errorf("%s: true %v attributed %v error %v, want %v %v %v", ch, norm(r[1]), norm(r[2]), norm(r[3]), ts, as, math.Abs(as-ts))
		}
		mean += math.Abs(as-ts) / float64(len(rows))
	}
	expectRows(t, c, `SELECT abs_error FROM model_accuracy WHERE truth = 'counterfactual' AND scope = 'spend_channels'
		AND model = 'mmm' AND conversion_type = '(all)' AND channel = '(all)'`, [][]any{{mean}})
	// Path models credit no spend channel here: their spend-scope shares are all 0.
	expectRows(t, c, `SELECT count(*) FROM model_accuracy WHERE scope = 'spend_channels' AND model <> 'mmm' AND attributed_share > 0`, [][]any{{0.0}})
}

func ftoa(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
