package transform

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

// The rule-based models run in SQL (sql/attribution/rule_credits.sql.tmpl). This file holds a Go reference of
// each, checked on hand-worked paths (TestRuleReference), and a property test that the SQL gives
// the reference's credits on random paths and settings on real DuckDB (TestRuleCreditsMatchReference).

// refFirstTouch gives all credit to the first of n > 0 touches.
func refFirstTouch(n int) []float64 {
	w := make([]float64, n)
	w[0] = 1
	return w
}

// refLastTouch gives all credit to the last of n > 0 touches.
func refLastTouch(n int) []float64 {
	w := make([]float64, n)
	w[n-1] = 1
	return w
}

// refLastNonDirect gives all credit to the last touch whose channel is not direct; when every
// touch is direct, the last touch gets it.
func refLastNonDirect(channels []string, direct string) []float64 {
	n := len(channels)
	w := make([]float64, n)
	for i := n - 1; i >= 0; i-- {
		if channels[i] != direct {
			w[i] = 1
			return w
		}
	}
	w[n-1] = 1
	return w
}

// refLinear gives each of n touches the same credit; repeats of a channel count as touches.
func refLinear(n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = 1 / float64(n)
	}
	return w
}

// refPositionBased gives a single touch all credit and two touches half each; with three or
// more, the first gets first, the last gets last and the middle touches share the rest equally.
func refPositionBased(n int, first, last float64) []float64 {
	w := make([]float64, n)
	switch n {
	case 1:
		w[0] = 1
	case 2:
		w[0], w[1] = 0.5, 0.5
	default:
		w[0], w[n-1] = first, last
		for i := 1; i < n-1; i++ {
			w[i] = (1 - first - last) / float64(n-2)
		}
	}
	return w
}

// refTimeDecay weights each touch by 2^(-age/halfLife) (ages in fractional days), normalised
// to sum 1, relative to the youngest touch so that old paths do not underflow.
func refTimeDecay(ages []float64, halfLife float64) []float64 {
	youngest := math.Inf(1)
	for _, a := range ages {
		youngest = min(youngest, a)
	}
	w := make([]float64, len(ages))
	total := 0.0
	for i, a := range ages {
		w[i] = math.Exp2(-(a - youngest) / halfLife)
		total += w[i]
	}
	for i := range w {
		w[i] /= total
	}
	return w
}

func assertCredits(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d weights %v, want %v", what, len(got), got, want)
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > tol {
			t.Errorf("%s: weight %d = %.17g, want %.17g", what, i, got[i], want[i])
		}
	}
}

// The reference on paths worked out by hand.
func TestRuleReference(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		got, want []float64
	}{
		{"first 1", refFirstTouch(1), []float64{1}},
		{"first 3", refFirstTouch(3), []float64{1, 0, 0}},
		{"last 3", refLastTouch(3), []float64{0, 0, 1}},
		{"linear 4", refLinear(4), []float64{0.25, 0.25, 0.25, 0.25}},
		{"last non-direct", refLastNonDirect([]string{"a", "b", "d", "d"}, "d"), []float64{0, 1, 0, 0}},
		{"last non-direct, last", refLastNonDirect([]string{"d", "b"}, "d"), []float64{0, 1}},
		{"last non-direct, all direct", refLastNonDirect([]string{"d", "d", "d"}, "d"), []float64{0, 0, 1}},
		{"position 1", refPositionBased(1, 0.4, 0.4), []float64{1}},
		{"position 2", refPositionBased(2, 0.4, 0.4), []float64{0.5, 0.5}},
		{"position 3", refPositionBased(3, 0.4, 0.4), []float64{0.4, 0.2, 0.4}},
		{"position 5", refPositionBased(5, 0.4, 0.4), []float64{0.4, 0.2 / 3, 0.2 / 3, 0.2 / 3, 0.4}},
		{"position 4 custom", refPositionBased(4, 0.3, 0.5), []float64{0.3, 0.1, 0.1, 0.5}},
		{"decay one", refTimeDecay([]float64{3.2}, 7), []float64{1}},
		// 2^-1 : 2^0 -> 1/3, 2/3.
		{"decay half-life", refTimeDecay([]float64{7, 0}, 7), []float64{1.0 / 3, 2.0 / 3}},
		// ages 14, 7, 0 days: 1/4 : 1/2 : 1 -> 1/7, 2/7, 4/7.
		{"decay three", refTimeDecay([]float64{14, 7, 0}, 7), []float64{1.0 / 7, 2.0 / 7, 4.0 / 7}},
		// Ancient paths keep their shape instead of underflowing to 0/0.
		{"decay old", refTimeDecay([]float64{1e6 + 7, 1e6}, 7), []float64{1.0 / 3, 2.0 / 3}},
		// Fractional days: 1.75 days with half-life 3.5 -> 2^-0.5.
		{"decay fractional", refTimeDecay([]float64{1.75, 0}, 3.5), []float64{math.Sqrt2 / 2 / (1 + math.Sqrt2/2), 1 / (1 + math.Sqrt2/2)}},
	}
	for _, tc := range cases {
		assertCredits(t, tc.name, tc.got, tc.want, 1e-15)
	}
}

// ruleSettings are the bound parameters of rule_credits.sql.tmpl.
type ruleSettings struct {
	direct            string
	halfLife          float64
	posFirst, posLast float64
}

// randomPath is one conversion's touches in path order: channels and ages in whole seconds.
type randomPath struct {
	channels []string
	ageSec   []int64
}

// randomPaths draws n paths of 1 to 9 touches over four channels (one in four all on "Direct",
// so last-non-direct's fallback runs), touch ages up to 30 days, ascending in time.
func randomPaths(rnd *rand.Rand, n int) []randomPath {
	names := []string{"Direct", "Search", "Social", "Email"}
	paths := make([]randomPath, n)
	for i := range paths {
		k := 1 + rnd.IntN(9)
		allDirect := rnd.IntN(4) == 0
		age := int64(rnd.IntN(30 * 86400))
		for range k {
			ch := names[rnd.IntN(len(names))]
			if allDirect {
				ch = "Direct"
			}
			paths[i].channels = append(paths[i].channels, ch)
			paths[i].ageSec = append(paths[i].ageSec, age)
			age -= rnd.Int64N(age/2 + 1)
		}
	}
	return paths
}

// loadConvTouches fills conv_touches (the columns conversion_touches builds) with the paths:
// conversion i is "c<i>", its touches "c<i>t<pos>", all converting at one instant.
func loadConvTouches(ctx context.Context, c *sql.Conn, paths []randomPath) error {
	var conv, tp, ch []string
	var ageUs, pos, n []int64
	for i, p := range paths {
		for j := range p.channels {
			conv = append(conv, fmt.Sprintf("c%d", i))
			tp = append(tp, fmt.Sprintf("c%dt%d", i, j+1))
			ch = append(ch, p.channels[j])
			ageUs = append(ageUs, p.ageSec[j]*1e6)
			pos = append(pos, int64(j+1))
			n = append(n, int64(len(p.channels)))
		}
	}
	_, err := c.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE conv_touches AS
SELECT conversion_id, 'p' || conversion_id AS person_id, 'account_opened' AS conversion_type,
       TIMESTAMP '2025-06-01 12:00:00' AS converted_at, 100.0 AS revenue, touchpoint_id, channel,
       'online' AS channel_group, '' AS campaign,
       TIMESTAMP '2025-06-01 12:00:00' - to_microseconds(age_us) AS occurred_at, pos, n
FROM (SELECT unnest(?::VARCHAR[]) AS conversion_id, unnest(?::VARCHAR[]) AS touchpoint_id,
             unnest(?::VARCHAR[]) AS channel, unnest(?::BIGINT[]) AS age_us,
             unnest(?::BIGINT[]) AS pos, unnest(?::BIGINT[]) AS n)`, conv, tp, ch, ageUs, pos, n)
	return err
}

// ruleReference is every model's credit per touch of path p, keyed by model.
func ruleReference(p randomPath, s ruleSettings) map[string][]float64 {
	n := len(p.channels)
	ages := make([]float64, n)
	for i, a := range p.ageSec {
		ages[i] = float64(a) / 86400
	}
	return map[string][]float64{
		"first_touch":     refFirstTouch(n),
		"last_touch":      refLastTouch(n),
		"last_non_direct": refLastNonDirect(p.channels, s.direct),
		"linear":          refLinear(n),
		"position_based":  refPositionBased(n, s.posFirst, s.posLast),
		"time_decay":      refTimeDecay(ages, s.halfLife),
	}
}

// The SQL rule-based models give the reference's credit to every touch (a touch without a row
// has credit 0) on random paths, direct channels, half-lives and position weights.
func TestRuleCreditsMatchReference(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := memConn(t)
	// A data-driven model in the list must not get rule-based credits.
	models := []string{"first_touch", "last_touch", "last_non_direct", "linear", "position_based", "time_decay", "markov"}
	if _, err := c.ExecContext(ctx, sqlModels, models); err != nil {
		t.Fatal(err)
	}
	rnd := rand.New(rand.NewPCG(13, 17))
	settings := []ruleSettings{{"Direct", 7, 0.4, 0.4}, {"Search", 0.5, 0, 0}, {"Nowhere", 30, 0.5, 0.5}, {"Direct", 2.25, 1, 0}}
	for range 5 {
		pf := rnd.Float64()
		settings = append(settings, ruleSettings{"Direct", 0.25 + 20*rnd.Float64(), pf, (1 - pf) * rnd.Float64()})
	}
	for _, s := range settings {
		paths := randomPaths(rnd, 300)
		if err := loadConvTouches(ctx, c, paths); err != nil {
			t.Fatal(err)
		}
		if _, err := c.ExecContext(ctx, sqlRuleCredits.get(pathData{}), s.direct, s.halfLife, s.posFirst, s.posLast); err != nil {
			t.Fatal(err)
		}
		got := map[string]float64{}
		rows, err := c.QueryContext(ctx, "SELECT model || '/' || touchpoint_id, credit FROM rule_credits")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var k string
			var v float64
			if err := rows.Scan(&k, &v); err != nil {
				t.Fatal(err)
			}
			got[k] = v
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		want := 0
		for i, p := range paths {
			for model, w := range ruleReference(p, s) {
				for j, wj := range w {
					k := fmt.Sprintf("%s/c%dt%d", model, i, j+1)
					if wj > 0 {
						want++
					}
					if math.Abs(got[k]-wj) > 1e-12 {
						t.Fatalf("settings %+v, path %v ages %v: %s credit = %.17g, want %.17g", s, p.channels, p.ageSec, k, got[k], wj)
					}
				}
			}
		}
		if len(got) != want {
			t.Errorf("settings %+v: %d credit rows, want %d (one per touch with credit)", s, len(got), want)
		}
	}
}
