package warehouse

import (
	"context"
	"database/sql"
	"strings"
	"testing"
)

func TestPublishRangeReplacesOnlyTheRange(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := openInMemory(t)
	err := w.Conn(ctx, func(c *sql.Conn) error {
		for _, s := range []string{
			`CREATE TABLE perf (date DATE, channel VARCHAR, conversions DOUBLE)`,
			`INSERT INTO perf VALUES ('2025-01-01', 'A', 1), ('2025-01-02', 'A', 2), ('2025-01-03', 'A', 3)`,
			`CREATE TABLE paths (conversion_id VARCHAR, converted_at TIMESTAMPTZ)`,
			`INSERT INTO paths VALUES ('c1', '2025-01-01 10:00:00+00'), ('c2', '2025-01-02 10:00:00+00')`,
			`CREATE TABLE credits (conversion_id VARCHAR, credit DOUBLE)`,
			`INSERT INTO credits VALUES ('c1', 1), ('c2', 1)`,
			// The new build: every day changed, and a new conversion c3 on day 2.
			`CREATE TABLE _next_perf (channel VARCHAR, date DATE, conversions DOUBLE)`,
			`INSERT INTO _next_perf VALUES ('A', '2025-01-01', 10), ('A', '2025-01-02', 20), ('B', '2025-01-02', 5), ('A', '2025-01-03', 30)`,
			`CREATE TABLE _next_paths (conversion_id VARCHAR, converted_at TIMESTAMPTZ)`,
			`INSERT INTO _next_paths VALUES ('c1', '2025-01-01 10:00:00+00'), ('c2', '2025-01-02 10:00:00+00'), ('c3', '2025-01-02 11:00:00+00')`,
			`CREATE TABLE _next_credits (conversion_id VARCHAR, credit DOUBLE)`,
			`INSERT INTO _next_credits VALUES ('c1', 0.5), ('c1', 0.5), ('c2', 0.25), ('c2', 0.75), ('c3', 1)`,
		} {
			if _, err := c.ExecContext(ctx, s); err != nil {
				return err
			}
		}
		tables := []RangeTable{
			{Table: "perf", DateColumn: "date"},
			{Table: "paths", DateColumn: "converted_at"},
			{Table: "credits", DateColumn: "converted_at", Parent: "paths", Key: "conversion_id"},
		}
		return PublishRange(ctx, c, tables, "2025-01-02", "2025-01-02")
	})
	if err != nil {
		t.Fatal(err)
	}
	var got string
	q := `SELECT (SELECT string_agg(date || ':' || channel || '=' || conversions, ' ' ORDER BY date, channel) FROM perf) || ' | ' ||
	             (SELECT string_agg(conversion_id, ' ' ORDER BY conversion_id) FROM paths) || ' | ' ||
	             (SELECT string_agg(conversion_id || '=' || credit, ' ' ORDER BY conversion_id, credit) FROM credits)`
	if err := w.DB().QueryRowContext(ctx, q).Scan(&got); err != nil {
		t.Fatal(err)
	}
	want := "2025-01-01:A=1.0 2025-01-02:A=20.0 2025-01-02:B=5.0 2025-01-03:A=3.0 | c1 c2 c3 | c1=1.0 c2=0.25 c2=0.75 c3=1.0"
	if got != want {
		t.Fatalf("after PublishRange:\n got %s\nwant %s", got, want)
	}
	// Without a published table (no full run yet) it refuses and changes nothing.
	err = w.Conn(ctx, func(c *sql.Conn) error {
		if _, err := c.ExecContext(ctx, `CREATE TABLE _next_fresh (date DATE)`); err != nil {
			return err
		}
		return PublishRange(ctx, c, []RangeTable{{Table: "perf", DateColumn: "date"}, {Table: "fresh", DateColumn: "date"}}, "2025-01-01", "2025-01-03")
	})
	if err == nil || !strings.Contains(err.Error(), "a full run must come first") {
		t.Fatalf("want a refusal, got %v", err)
	}
	var sum float64
	if err := w.DB().QueryRowContext(ctx, `SELECT sum(conversions) FROM perf`).Scan(&sum); err != nil || sum != 29 {
		t.Fatalf("perf sums to %v after a refused publish (%v), want 29 (unchanged)", sum, err)
	}
}
