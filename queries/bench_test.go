package queries_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"attrib/config"
	"attrib/queries"
	"attrib/warehouse"
)

// benchScale scales the benchmark data set: 1 (default) is the target of 10M touchpoints,
// 1M conversions and 50M activity events; ATTRIB_BENCH_SCALE=0.1 gives a tenth.
func benchScale(b *testing.B) float64 {
	if s := os.Getenv("ATTRIB_BENCH_SCALE"); s != "" {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f <= 0 {
			b.Fatalf("ATTRIB_BENCH_SCALE=%q", s)
		}
		return f
	}
	return 1
}

// benchSetup generates, directly in DuckDB SQL, the working tables a transform run leaves on its
// connection (touches, person_touches, channel_map, models, all_credits) and the raw tables Build
// reads (conversions, activity, spend): two years, 12 channels x 3 campaigns, 9 models, 1-4 touches
// per conversion, 3 conversion types, 2M people.
// benchPersonTouches is each person's first and last touch, which the transform keeps
// (attrib_state.person_touches) and hands to the evaluation as person_touches.
const benchPersonTouches = `CREATE OR REPLACE TEMP TABLE person_touches AS
	 SELECT person_id, min(occurred_at) AS first_touch_at, arg_min(channel, (occurred_at, touchpoint_id)) AS first_touch_channel,
	        max(occurred_at) AS last_touch_at
	 FROM touches GROUP BY person_id`

// benchIdentityMap stands for the stitch's identity_map, which sizes eval_person's passes: two
// identifiers a person.
const benchIdentityMap = `CREATE TABLE identity_map AS
	 SELECT person_id || ':' || i AS identifier, person_id FROM person_touches, range(2) r(i)`

var benchSetup = []string{
	`CREATE OR REPLACE TEMP TABLE bench_channels AS
	 SELECT i AS ci, ['Paid Search','Organic Search','Paid Social','Organic Social','Display','Email','Direct','Referral',
	                  'Branch','Call Centre','Direct Mail','TV'][i + 1] AS channel,
	        CASE WHEN i >= 8 THEN 'offline' ELSE 'online' END AS channel_group
	 FROM range(12) t(i)`,
	`CREATE OR REPLACE TEMP TABLE channel_map AS
	 SELECT channel AS k_channel, '' AS k_source, '' AS k_medium, 'c' || j AS k_campaign, '' AS k_interaction,
	        channel, channel_group, 'explicit' AS rule
	 FROM bench_channels, range(3) r(j)`,
	`CREATE OR REPLACE TEMP TABLE models AS
	 SELECT unnest(['first_touch','last_touch','last_non_direct','linear','position_based','time_decay','markov','shapley','fractribution']) AS model`,
	`CREATE OR REPLACE TEMP TABLE touches AS
	 SELECT 't' || i AS touchpoint_id, 'p' || (hash(i) % $people) AS person_id,
	        TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_seconds((hash(i * 3) % 63072000)::BIGINT) AS occurred_at,
	        c.channel, c.channel_group, 'c' || (hash(i * 5) % 3) AS campaign, 'visit' AS interaction
	 FROM range($touches) t(i) JOIN bench_channels c ON c.ci = (hash(i * 7) % 12)::BIGINT`,
	benchPersonTouches, benchIdentityMap,
	`INSERT INTO conversions (conversion_id, occurred_at, person_id, conversion_type, revenue, currency, revenue_original, source_name, load_id)
	 SELECT 'k' || i, TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_seconds((hash(i * 11) % 63072000)::BIGINT),
	        'p' || ((i * 7919) % $people),
	        CASE WHEN i % 10 < 6 THEN 'account_opened' WHEN i % 10 < 9 THEN 'card_activated' ELSE 'loan_funded' END,
	        ((hash(i * 13) % 50000) / 100.0)::DECIMAL(18, 4), 'USD', ((hash(i * 13) % 50000) / 100.0)::DECIMAL(18, 4), 'bench', 'l'
	 FROM range($conversions) t(i)`,
	`CREATE TEMP TABLE all_credits AS
	 WITH k AS (SELECT conversion_id, occurred_at, revenue, conversion_type, (1 + hash(conversion_id) % 4)::BIGINT AS n FROM conversions),
	 tj AS (SELECT k.*, unnest(range(k.n)) AS j FROM k)
	 SELECT tj.conversion_id, m.model, tj.conversion_id || '_' || tj.j AS touchpoint_id, c.channel, c.channel_group,
	        'c' || (hash(tj.conversion_id, tj.j) % 3) AS campaign, 1.0 / tj.n AS credit,
	        CAST(tj.revenue / tj.n AS DECIMAL(38, 10)) AS revenue_credit, tj.conversion_type, tj.occurred_at AS converted_at
	 FROM tj JOIN bench_channels c ON c.ci = (hash(tj.conversion_id, tj.j, 1) % 12)::BIGINT CROSS JOIN models m`,
	`INSERT INTO activity (activity_id, occurred_at, person_id, event, value, source_name, load_id)
	 SELECT 'a' || i, TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_seconds((hash(i * 17) % 63072000)::BIGINT),
	        'p' || (((i % $conversions) * 7919) % $people), 'login',
	        CASE WHEN i % 5 = 0 THEN ((hash(i) % 1000) / 100.0)::DECIMAL(18, 4) END, 'bench', 'l'
	 FROM range($activity) t(i)`,
	`INSERT INTO spend (spend_id, date, channel, campaign, spend, currency, spend_original, source_name, load_id)
	 SELECT 's' || d || '_' || c.ci || '_' || j, DATE '2024-01-01' + d::INTEGER, c.channel, 'c' || j,
	        (100 + hash(d, c.ci, j) % 900)::DECIMAL(18, 4), 'USD', (100 + hash(d, c.ci, j) % 900)::DECIMAL(18, 4), 'bench', 'l'
	 FROM range(730) r(d), bench_channels c, range(3) q(j)
	 WHERE c.channel NOT IN ('Direct', 'Organic Search', 'Organic Social', 'Referral')`,
}

// BenchmarkEvaluationTables times queries.Build (every evaluation table) on the generated data and
// reports the process's peak RSS during Build (VmHWM, reset before each Build).
//
//	go test -tags duckdb_arrow -run '^$' -bench BenchmarkEvaluationTables -benchtime 1x ./queries
func BenchmarkEvaluationTables(b *testing.B) {
	ctx := context.Background()
	scale := benchScale(b)
	n := func(x float64) int64 { return int64(x * scale) }
	dir := b.TempDir()
	c := benchConn(b, warehouse.Options{Path: filepath.Join(dir, "bench.duckdb"), Threads: 2, MemoryLimit: "3GB"})
	sizes := []sql.NamedArg{sql.Named("people", n(2e6)), sql.Named("touches", n(10e6)),
		sql.Named("conversions", n(1e6)), sql.Named("activity", n(50e6))}
	for _, s := range benchSetup {
		var args []any
		for _, a := range sizes {
			if strings.Contains(s, "$"+a.Name) {
				args = append(args, a)
			}
		}
		if _, err := c.ExecContext(ctx, s, args...); err != nil {
			b.Fatalf("setup: %v\n%s", err, s)
		}
	}
	cfg, err := config.Parse([]byte("warehouse: {path: bench.duckdb}\ntimezone: UTC\ncurrency: USD\npii: {key: k}\nattribution:\n  models: [first_touch, last_touch, last_non_direct, linear, position_based, time_decay, markov, shapley, fractribution]\n"), dir)
	if err != nil {
		b.Fatal(err)
	}
	var credits int64
	if err := c.QueryRowContext(ctx, "SELECT count(*) FROM all_credits").Scan(&credits); err != nil {
		b.Fatal(err)
	}
	steps := map[string]time.Duration{}
	cpu := map[string]float64{}
	lastCPU := 0.0
	timed := queries.Options{Timed: func(step string, d time.Duration) {
		steps[step] += d
		now := cpuSeconds()
		cpu[step] += now - lastCPU
		lastCPU = now
	}}
	b.ResetTimer()
	var peak float64
	cpu0 := cpuSeconds()
	for range b.N {
		resetPeakRSS()
		lastCPU = cpuSeconds()
		if err := warehouse.DropNext(ctx, c, queries.Published); err != nil {
			b.Fatal(err)
		}
		if _, err := queries.BuildWith(ctx, c, cfg, timed); err != nil {
			b.Fatal(err)
		}
		if _, err := queries.BuildIncrementality(ctx, c, cfg); err != nil {
			b.Fatal(err)
		}
		peak = max(peak, peakRSSMiB())
	}
	b.StopTimer()
	b.ReportMetric(peak, "peak_RSS_MiB")
	b.ReportMetric((cpuSeconds()-cpu0)/float64(b.N), "cpu_s/op")
	b.ReportMetric(float64(credits), "credit_rows")
	var line []string
	for _, step := range slices.Sorted(maps.Keys(steps)) {
		line = append(line, fmt.Sprintf("%s %.2fs (cpu %.2fs)", step, steps[step].Seconds()/float64(b.N), cpu[step]/float64(b.N)))
	}
	b.Logf("per Build, wall (cpu of both cores): %s", strings.Join(line, ", "))
	for _, t := range queries.Published {
		var rows int64
		err := c.QueryRowContext(ctx, "SELECT count(*) FROM "+warehouse.QuoteIdent("_next_"+t)).Scan(&rows)
		if err == sql.ErrNoRows || err != nil && t == "model_accuracy" {
			continue // model_accuracy needs a truth file
		}
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("%s: %d rows", t, rows)
	}
}

// cpuSeconds is the user + system CPU time of this process so far (all threads).
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// resetPeakRSS resets the kernel's peak RSS counter (VmHWM) of this process.
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSSMiB reads VmHWM from /proc/self/status (0 where unavailable).
func peakRSSMiB() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}
