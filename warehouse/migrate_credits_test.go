package warehouse

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
)

// TestCreditsMigration: migration 0045 turns a warehouse's attribution_credits table into the view
// over attribution_credits_rule_based and attribution_credits_data_driven without losing a row, the
// data-driven models' rows in the second table, and 0046 stores that part wide
// (attribution_credits_data_driven_wide, behind a view of the same rows): every row and its revenue
// credit come back as they were, the conversions' revenue recovered from their credits (c4: 99.99
// from credits of a third and two thirds); in a new warehouse the view is there, empty.
func TestCreditsMigration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.duckdb")
	w, err := Open(ctx, Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := w.DB().QueryRowContext(ctx, "SELECT count(*) FROM attribution_credits").Scan(&n); err != nil || n != 0 {
		t.Fatalf("new warehouse: attribution_credits has %d rows (%v), want an empty view", n, err)
	}
	// The warehouse as it was before 0045: one table of credits.
	old := []string{
		"DROP VIEW attribution_credits",
		"DROP VIEW attribution_credits_data_driven",
		"DROP TABLE attribution_credits_rule_based",
		"DROP TABLE attribution_credits_data_driven_wide",
		`CREATE TABLE attribution_credits AS SELECT * FROM (VALUES
			('c1', 'last_touch', 't1', 'Email', 'online', 'spring', 1.0::DOUBLE, 250.0::DECIMAL(38, 10), 'account_opened', TIMESTAMPTZ '2025-03-01 10:00:00+00'),
			('c1', 'markov', 't1', 'Email', 'online', 'spring', 1.0::DOUBLE, 250.0::DECIMAL(38, 10), 'account_opened', TIMESTAMPTZ '2025-03-01 10:00:00+00'),
			('c2', 'linear', 't2', 'Branch', 'offline', '', 0.5::DOUBLE, 0::DECIMAL(38, 10), 'card_activated', TIMESTAMPTZ '2025-03-02 10:00:00+00'),
			('c2', 'linear', 't3', 'Email', 'online', '', 0.5::DOUBLE, 0::DECIMAL(38, 10), 'card_activated', TIMESTAMPTZ '2025-03-02 10:00:00+00'),
			('c2', 'shapley', 't2', 'Branch', 'offline', '', 0.25::DOUBLE, 0::DECIMAL(38, 10), 'card_activated', TIMESTAMPTZ '2025-03-02 10:00:00+00'),
			('c3', 'fractribution', NULL, '(unattributed)', 'online', '', 1.0::DOUBLE, 80.0::DECIMAL(38, 10), 'loan_funded', TIMESTAMPTZ '2025-03-03 10:00:00+00'),
			('c4', 'markov', 't4', 'Search', 'online', 'brand', (1/3)::DOUBLE, CAST((1/3)::DOUBLE * 99.99 AS DECIMAL(38, 10)), 'loan_funded', TIMESTAMPTZ '2025-03-04 10:00:00+00'),
			('c4', 'markov', 't5', 'Email', 'online', '', (2/3)::DOUBLE, CAST((2/3)::DOUBLE * 99.99 AS DECIMAL(38, 10)), 'loan_funded', TIMESTAMPTZ '2025-03-04 10:00:00+00'),
			('c4', 'shapley', 't5', 'Email', 'online', '', 1.0::DOUBLE, 99.99::DECIMAL(38, 10), 'loan_funded', TIMESTAMPTZ '2025-03-04 10:00:00+00')
		) t(conversion_id, model, touchpoint_id, channel, channel_group, campaign, credit, revenue_credit, conversion_type, converted_at)`,
		"DELETE FROM attrib_migrations WHERE version IN (45, 46)",
	}
	for _, q := range old {
		if _, err := w.DB().ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	w, err = Open(ctx, Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	c, err := w.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	models := func(q string) []string {
		t.Helper()
		got, err := QueryStrings(ctx, c, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return got
	}
	if got, want := models("SELECT model FROM attribution_credits_rule_based ORDER BY ALL"), []string{"last_touch", "linear", "linear"}; !slices.Equal(got, want) {
		t.Errorf("rule-based part: %v, want %v", got, want)
	}
	if got, want := models("SELECT model FROM attribution_credits_data_driven ORDER BY ALL"), []string{"fractribution", "markov", "markov", "markov", "shapley", "shapley"}; !slices.Equal(got, want) {
		t.Errorf("data-driven part: %v, want %v", got, want)
	}
	row := "SELECT conversion_id || ' ' || model || ' ' || coalesce(touchpoint_id, '-') || ' ' || channel || ' ' || channel_group || ' ' || campaign || ' ' || credit || ' ' || revenue_credit || ' ' || conversion_type || ' ' || strftime(converted_at AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M') FROM attribution_credits ORDER BY ALL"
	want := []string{
		"c1 last_touch t1 Email online spring 1.0 250.0000000000 account_opened 2025-03-01 10:00",
		"c1 markov t1 Email online spring 1.0 250.0000000000 account_opened 2025-03-01 10:00",
		"c2 linear t2 Branch offline  0.5 0.0000000000 card_activated 2025-03-02 10:00",
		"c2 linear t3 Email online  0.5 0.0000000000 card_activated 2025-03-02 10:00",
		"c2 shapley t2 Branch offline  0.25 0.0000000000 card_activated 2025-03-02 10:00",
		"c3 fractribution - (unattributed) online  1.0 80.0000000000 loan_funded 2025-03-03 10:00",
		"c4 markov t4 Search online brand 0.3333333333333333 33.3300000000 loan_funded 2025-03-04 10:00",
		"c4 markov t5 Email online  0.6666666666666666 66.6600000000 loan_funded 2025-03-04 10:00",
		"c4 shapley t5 Email online  1.0 99.9900000000 loan_funded 2025-03-04 10:00",
	}
	if got := models(row); !slices.Equal(got, want) {
		t.Errorf("attribution_credits after the migration:\n%q\nwant\n%q", got, want)
	}
	wide := "SELECT conversion_id || ' ' || coalesce(touchpoint_id, '-') || ' ' || revenue || ' ' || coalesce(markov::VARCHAR, '-') || ' ' || coalesce(shapley::VARCHAR, '-') || ' ' || coalesce(fractribution::VARCHAR, '-') FROM attribution_credits_data_driven_wide ORDER BY ALL"
	if got, want := models(wide), []string{
		"c1 t1 250.0000 1.0 - -",
		"c2 t2 0.0000 - 0.25 -",
		"c3 - 80.0000 - - 1.0",
		"c4 t4 99.9900 0.3333333333333333 - -",
		"c4 t5 99.9900 0.6666666666666666 1.0 -",
	}; !slices.Equal(got, want) {
		t.Errorf("attribution_credits_data_driven_wide:\n%q\nwant\n%q", got, want)
	}
}
