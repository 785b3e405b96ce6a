package queries_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"attrib/config"
	"attrib/queries"
	"attrib/warehouse"
)

// mmmBenchSetup builds the workload in SQL: three years of daily spend (2023-01-01 ..
// 2025-12-31, 1,096 days) for 15 spend channels (five flighted, five always on with two dark weeks
// a year, five pulsed), about 330 conversions a day of 3 types from a known response, one
// last_non_direct credit per conversion, and two experiments; then the evaluation step's working
// tables (BuildWith) so that BuildIncrementality can run alone.
var mmmBenchSetup = []string{
	`CREATE OR REPLACE TEMP TABLE touches (touchpoint_id VARCHAR, person_id VARCHAR, occurred_at TIMESTAMPTZ, channel VARCHAR,
	     channel_group VARCHAR, campaign VARCHAR, interaction VARCHAR)`,
	benchPersonTouches, benchIdentityMap,
	`CREATE OR REPLACE TEMP TABLE bench_mmm_channels AS
	 SELECT i AS ci, 'Channel ' || lpad(i::VARCHAR, 2, '0') AS channel, 1000 + 300 * i AS level FROM range(15) t(i)`,
	`CREATE OR REPLACE TEMP TABLE channel_map AS
	 SELECT channel AS k_channel, '' AS k_source, '' AS k_medium, '' AS k_campaign, '' AS k_interaction,
	        channel, 'online' AS channel_group, 'explicit' AS rule FROM bench_mmm_channels`,
	`CREATE OR REPLACE TEMP TABLE models AS SELECT 'last_non_direct' AS model`,
	`CREATE OR REPLACE TEMP TABLE bench_mmm_spend AS
	 SELECT DATE '2023-01-01' + d::INTEGER AS date, c.ci, c.channel,
	        round(CASE c.ci % 3
	            WHEN 0 THEN CASE WHEN (d // 28) % 2 = 0 THEN c.level * (0.6 + (hash(d // 7, c.ci) % 80) / 100.0) ELSE 0 END
	            WHEN 1 THEN CASE WHEN (d % 365) BETWEEN 150 + c.ci AND 163 + c.ci THEN 0 ELSE c.level * (0.5 + (hash(d // 7, c.ci) % 100) / 100.0) END
	            ELSE CASE WHEN (d + c.ci) % 14 < 2 THEN 3 * c.level ELSE 0 END
	        END, 2) AS spend
	 FROM range(1096) r(d), bench_mmm_channels c`,
	`INSERT INTO spend (spend_id, date, channel, spend, currency, spend_original, source_name, load_id)
	 SELECT 's' || date || ci, date, channel, spend, 'USD', spend, 'bench', 'l' FROM bench_mmm_spend WHERE spend > 0`,
	`CREATE OR REPLACE TEMP TABLE bench_mmm_days AS
	 SELECT date, round(200 + 20 * sin(2 * pi() * dayofyear(date) / 365.25) + sum(8 * spend / (spend + 1500))
	                    + (hash(date) % 21) - 10)::BIGINT AS n
	 FROM bench_mmm_spend GROUP BY date`,
	`INSERT INTO conversions (conversion_id, occurred_at, person_id, conversion_type, revenue, currency, revenue_original, source_name, load_id)
	 SELECT 'k' || date || '_' || j, date::TIMESTAMPTZ + to_seconds((hash(date, j) % 86400)::BIGINT), 'p' || date || '_' || j,
	        CASE WHEN j % 10 < 6 THEN 'account_opened' WHEN j % 10 < 9 THEN 'card_activated' ELSE 'loan_funded' END,
	        100, 'USD', 100, 'bench', 'l'
	 FROM bench_mmm_days, range(n) t(j)`,
	`CREATE TEMP TABLE all_credits AS
	 SELECT conversion_id, 'last_non_direct' AS model, conversion_id AS touchpoint_id,
	        'Channel ' || lpad((hash(conversion_id) % 15)::VARCHAR, 2, '0') AS channel, 'online' AS channel_group, '' AS campaign,
	        1.0 AS credit, CAST(revenue AS DECIMAL(38, 10)) AS revenue_credit, conversion_type, occurred_at AS converted_at
	 FROM conversions`,
	`INSERT INTO experiments (experiment_id, channel, start_date, end_date, incremental_conversions, standard_error, design, source_name, load_id)
	 VALUES ('geo', 'Channel 00', DATE '2025-03-01', DATE '2025-03-28', 150, 30, 'geo', 'bench', 'l'),
	        ('dark', 'Channel 01', DATE '2025-06-01', DATE '2025-06-14', 80, 20, 'go-dark', 'bench', 'l')`,
}

// BenchmarkIncrementality times BuildIncrementality (four media mix model fits with 200-replicate
// bootstrap intervals and experiments, and the five tables) on three years of daily data with 15
// spend channels, and reports the process's peak RSS during it, and, as the DuckDB share, the time
// the same run spends in reading its series from DuckDB (the window and spend queries).
//
//	go test -tags duckdb_arrow -run '^$' -bench BenchmarkIncrementality -benchtime 3x ./queries
func BenchmarkIncrementality(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	c := benchConn(b, warehouse.Options{Path: filepath.Join(dir, "bench.duckdb"), Threads: 2})
	for _, s := range mmmBenchSetup {
		if _, err := c.ExecContext(ctx, s); err != nil {
			b.Fatalf("setup: %v\n%s", err, s)
		}
	}
	cfg, err := config.Parse([]byte("warehouse: {path: bench.duckdb}\ntimezone: UTC\ncurrency: USD\npii: {key: k}\nattribution: {models: [last_non_direct]}\n"), dir)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := queries.BuildWith(ctx, c, cfg, queries.Options{}); err != nil {
		b.Fatal(err)
	}
	var convs int64
	if err := c.QueryRowContext(ctx, "SELECT count(*) FROM conversions").Scan(&convs); err != nil {
		b.Fatal(err)
	}
	// DuckDB's share: the statements that read the model's inputs, timed alone.
	t0 := time.Now()
	for _, q := range []string{
		"SELECT count(*) FROM (SELECT channel, date, sum(spend) FROM spend_daily GROUP BY ALL)",
		"SELECT count(*) FROM (SELECT c.conversion_type, z.day, count(*), sum(c.revenue) FROM conversions c JOIN eval_days z ON z.q = epoch_us(c.occurred_at) // 900000000 GROUP BY ALL)",
	} {
		var n int64
		if err := c.QueryRowContext(ctx, q).Scan(&n); err != nil {
			b.Fatal(err)
		}
	}
	read := time.Since(t0)
	b.ResetTimer()
	var peak float64
	var res queries.IncrementalityResult
	start := time.Now()
	for range b.N {
		resetPeakRSS()
		if err := warehouse.DropNext(ctx, c, queries.IncrementalityTables); err != nil {
			b.Fatal(err)
		}
		if res, err = queries.BuildIncrementality(ctx, c, cfg); err != nil {
			b.Fatal(err)
		}
		peak = max(peak, peakRSSMiB())
	}
	per := time.Since(start) / time.Duration(b.N)
	b.StopTimer()
	if res.Fitted != 4 {
		b.Fatalf("%d fits: %s", res.Fitted, res.Note)
	}
	b.ReportMetric(peak, "peak_RSS_MiB")
	b.ReportMetric(float64(convs), "conversions")
	b.ReportMetric(read.Seconds(), "duckdb_read_s")
	b.ReportMetric(per.Seconds()/read.Seconds(), "x_duckdb_read")
	b.Logf("%s", res.Note)
}

// benchConn opens a warehouse and one connection to it, both closed when the
// benchmark ends.
func benchConn(b *testing.B, o warehouse.Options) *sql.Conn {
	ctx := context.Background()
	w, err := warehouse.Open(ctx, o)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { w.Close() })
	c, err := w.DB().Conn(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	return c
}
