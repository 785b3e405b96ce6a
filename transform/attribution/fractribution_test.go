package attribution

import (
	"encoding/csv"
	"os"
	"slices"
	"strconv"
	"testing"
)

func fitFractribution(t *testing.T, ch *channels, rows ...PathCount) *Fractribution {
	t.Helper()
	f, err := FitFractribution(rows, ch.n())
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// DESIGN.md known answer (fractribution's documented example).
func TestFractributionGolden(t *testing.T) {
	t.Parallel()
	ch := newChannels("Direct", "PSG", "PSB")
	f := fitFractribution(t, ch,
		PathCount{Steps: ch.path("Direct>PSG"), Conversions: 19, Nulls: 549},
		PathCount{Steps: ch.path("Direct>PSB"), Conversions: 17, Nulls: 250},
		PathCount{Steps: ch.path("PSG>PSB"), Conversions: 7, Nulls: 357},
		PathCount{Steps: ch.path("Direct>PSG>PSB"), Conversions: 1, Nulls: 10},
	)
	// P = 1/11; leave-one-out: 1/11 - 7/364, 1/11 - 17/267, 1/11 - 19/568, normalised.
	want := []float64{0.458373, 0.174188, 0.367439}
	assertWeights(t, "Direct>PSG>PSB", credit(t, f, ch.path("Direct>PSG>PSB")), want, 1e-6)
	// Raw touches collapsed by the exposure transform share their position's credit.
	got := credit(t, f, ch.path("Direct>Direct>PSG>PSB"))
	assertWeights(t, "Direct>Direct>PSG>PSB", got, []float64{want[0] / 2, want[0] / 2, want[1], want[2]}, 1e-6)
}

func TestFractributionFallbacks(t *testing.T) {
	t.Parallel()
	ch := newChannels("A", "B", "C")
	f := fitFractribution(t, ch,
		PathCount{Steps: ch.path("A>B"), Conversions: 1, Nulls: 1},
		PathCount{Steps: ch.path("A"), Conversions: 3, Nulls: 1},
		PathCount{Steps: ch.path("B"), Conversions: 1, Nulls: 9},
		PathCount{Steps: ch.path("C"), Nulls: 4},
	)
	// P(A>B) = 0.5; without A: P(B) = 0.1 -> 0.4; without B: P(A) = 0.75 -> negative -> 0.
	assertWeights(t, "clipped", credit(t, f, ch.path("A>B")), []float64{1, 0}, 1e-15)
	// Unknown path: P = 0, every contribution 0 -> last touch.
	assertWeights(t, "unknown", credit(t, f, ch.path("C>B>A")), []float64{0, 0, 1}, 0)
	// One channel gets everything, even with P = 0.
	assertWeights(t, "single", credit(t, f, ch.path("C>C")), []float64{0.5, 0.5}, 0)
	// A>B>A: counterfactuals B>A (absent) and A>A (never an exposure path) are 0.
	f2 := fitFractribution(t, ch,
		PathCount{Steps: ch.path("A>B>A"), Conversions: 1, Nulls: 1},
		PathCount{Steps: ch.path("A>B"), Conversions: 1, Nulls: 3},
	)
	// P = 0.5; without position 0: P(B>A) = 0 -> 0.5; position 1: P(A>A) = 0 -> 0.5;
	// position 2: P(A>B) = 0.25 -> 0.25. Normalised 0.4, 0.4, 0.2.
	assertWeights(t, "repeat", credit(t, f2, ch.path("A>B>A")), []float64{0.4, 0.4, 0.2}, 1e-15)
}

func TestFractributionMergesAfterExposure(t *testing.T) {
	t.Parallel()
	ch := newChannels("A", "B")
	// A>A>B and A>B are one exposure path: 2 conv / 2 null, so P(A>B) = 0.5.
	f := fitFractribution(t, ch,
		PathCount{Steps: ch.path("A>A>B"), Conversions: 1, Nulls: 2},
		PathCount{Steps: ch.path("A>B"), Conversions: 1},
		PathCount{Steps: ch.path("A"), Conversions: 1, Nulls: 3},
		PathCount{Steps: ch.path("B"), Conversions: 1, Nulls: 4},
	)
	// without A: 0.5 - 0.2 = 0.3; without B: 0.5 - 0.25 = 0.25.
	assertWeights(t, "merged", credit(t, f, ch.path("A>B")), []float64{0.3 / 0.55, 0.25 / 0.55}, 1e-15)
}

func readCSV(t *testing.T, name string) []map[string]string {
	t.Helper()
	fh, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	rows, err := csv.NewReader(fh).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]string
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

func parseNum(t *testing.T, s string) float64 {
	t.Helper()
	if s == "" {
		return 0
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Snowplow's dbt-snowplow-fractribution integration test: the channel report of its
// "shapley" (simplified leave-one-out) and last_touch models.
func TestFractributionSnowplowFixture(t *testing.T) {
	t.Parallel()
	const dir = "../testdata/fractribution/fixture/" // a copy of shared/fixtures/fractribution
	ch := newChannels()
	var summary []PathCount
	for _, r := range readCSV(t, dir+"expected_path_summary.csv") {
		summary = append(summary, PathCount{
			Steps:       ch.path(r["transformed_path"]),
			Conversions: parseNum(t, r["conversions"]),
			Nulls:       parseNum(t, r["non_conversions"]),
			Value:       parseNum(t, r["revenue"]),
		})
	}
	f, err := FitFractribution(summary, ch.n())
	if err != nil {
		t.Fatal(err)
	}
	type totals struct{ conv, rev []float64 }
	got := map[string]*totals{
		"shapley":    {make([]float64, ch.n()), make([]float64, ch.n())},
		"last_touch": {make([]float64, ch.n()), make([]float64, ch.n())},
	}
	for _, r := range readCSV(t, dir+"expected_paths_to_conversion.csv") {
		steps := ch.path(r["transformed_path"])
		if len(ch.names) != len(got["shapley"].conv) {
			t.Fatalf("conversion path %q has a channel missing from the path summary", r["transformed_path"])
		}
		revenue := parseNum(t, r["revenue"])
		for model, w := range map[string][]float64{"shapley": credit(t, f, steps), "last_touch": lastTouch(len(steps))} {
			for i, c := range steps {
				got[model].conv[c] += w[i]
				got[model].rev[c] += w[i] * revenue
			}
		}
	}
	seen := 0
	for _, r := range readCSV(t, dir+"expected_report_table.csv") {
		model := r["ATTRIBUTION_TYPE"]
		c, ok := ch.ids[r["CHANNEL"]]
		if !ok {
			t.Fatalf("report channel %q not in the path summary", r["CHANNEL"])
		}
		assertNear(t, model+" conversions "+r["CHANNEL"], got[model].conv[c], parseNum(t, r["CONVERSIONS"]), 1e-6)
		assertNear(t, model+" revenue "+r["CHANNEL"], got[model].rev[c], parseNum(t, r["REVENUE"]), 1e-6)
		seen++
	}
	if seen != 2*ch.n() {
		t.Errorf("compared %d report rows, want %d", seen, 2*ch.n())
	}
}

func TestFractributionIgnoresInputOrder(t *testing.T) {
	t.Parallel()
	for _, paths := range [][]PathCount{genPaths(5000, 13), fractional(genPaths(5000, 14))} {
		checkFractributionOrderFree(t, paths)
	}
}

func checkFractributionOrderFree(t *testing.T, paths []PathCount) {
	t.Helper()
	totals := func(ps []PathCount) []float64 {
		f, err := FitFractribution(ps, len(benchWeights))
		if err != nil {
			t.Fatal(err)
		}
		conv, value, err := ChannelTotals(f, ps, len(benchWeights))
		if err != nil {
			t.Fatal(err)
		}
		return append(conv, value...)
	}
	if a, b := totals(paths), totals(shuffled(paths, 2)); !slices.Equal(a, b) {
		t.Errorf("totals differ after shuffling:\n%v\n%v", a, b)
	}
}

func TestFractributionRejects(t *testing.T) {
	t.Parallel()
	if _, err := FitFractribution([]PathCount{{Steps: []int32{0}, Nulls: -1}}, 1); err == nil {
		t.Error("negative nulls: no error")
	}
	f, err := FitFractribution([]PathCount{{Steps: []int32{0}, Conversions: 1}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, steps := range [][]int32{nil, {1}} {
		if _, err := f.Credit(steps); err == nil {
			t.Errorf("Credit(%v): no error", steps)
		}
	}
}
