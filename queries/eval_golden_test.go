package queries_test

import (
	"fmt"
	"strings"
	"testing"
)

const goldenYAML = `
warehouse: {path: attrib.duckdb}
timezone: UTC
currency: USD
pii: {key: test-key}
attribution:
  lookback_days: 30
  models: [last_touch, last_non_direct, linear]
`

// goldenData is the hand-made data set of the golden tests. Everything is in UTC; the
// evaluation defaults apply (month periods, acquisition = first account_opened under
// last_non_direct, LTV and retention at 12 months, churn after 90 days, active = activity
// in the last 30 days, activated = activity within 30 days of the acquisition).
//
//	A  Paid Search 2024-01-05 10:00; account_opened 2024-01-10 10:00, revenue 100;
//	   activity 2024-01-20 10:00 (value 10), 2024-02-15 10:00 (5), 2025-01-05 10:00 (0),
//	   2025-01-20 10:00 (7): the latest event of all, so as_of = 2025-01-20 10:00.
//	B  Email 2024-01-12 09:00, Paid Search 2024-01-14 09:00; account_opened 2024-01-15 09:00,
//	   revenue 50 (delivered as EUR 40, converted at ingest); activity 2024-01-20 09:00 (3)
//	   only: a person active in month 0 only.
//	C  no touch; account_opened 2024-02-03 12:00, revenue 30: a conversion with no touch
//	   ((unattributed)), alone in the February cohort: a cohort with one person.
//	D  Display 2024-01-07 10:00, never converts.
//	E  Direct 2024-02-10 10:00; card_activated 2024-02-11 10:00, revenue 20 (not the
//	   acquisition type, so never acquired).
//	F  Email 2024-03-01 10:00; account_opened 2024-03-02 00:00, revenue 200; activity
//	   2024-03-10 10:00 (0) and every day 2024-11-01..30 at 12:00 (1 each, 30 events), then silent.
//	Spend: Paid Search 140 on 2024-01-05 and 20 on 2024-01-25 (a day with spend and no other
//	data); Display 200 on 2024-01-07 (EUR 160 converted: a channel with spend and no
//	conversions); Email has no spend.
func goldenData() []stmt {
	s := []stmt{
		touch("tA1", "A", "2024-01-05 10:00:00+00", "Paid Search"),
		touch("tB1", "B", "2024-01-12 09:00:00+00", "Email"),
		touch("tB2", "B", "2024-01-14 09:00:00+00", "Paid Search"),
		touch("tD1", "D", "2024-01-07 10:00:00+00", "Display"),
		touch("tE1", "E", "2024-02-10 10:00:00+00", "Direct"),
		touch("tF1", "F", "2024-03-01 10:00:00+00", "Email"),
		conversion("cA", "A", "2024-01-10 10:00:00+00", "account_opened", 100),
		{`INSERT INTO conversions (conversion_id, occurred_at, customer_id, conversion_type, revenue, currency, revenue_original, source_name, load_id)
			VALUES ('cB', TIMESTAMPTZ '2024-01-15 09:00:00+00', 'B', 'account_opened', 50, 'EUR', 40, 'test', 'l')`, nil},
		conversion("cC", "C", "2024-02-03 12:00:00+00", "account_opened", 30),
		conversion("cE", "E", "2024-02-11 10:00:00+00", "card_activated", 20),
		conversion("cF", "F", "2024-03-02 00:00:00+00", "account_opened", 200),
		spendRow("s1", "2024-01-05", "Paid Search", 140),
		spendRow("s2", "2024-01-25", "Paid Search", 20),
		{`INSERT INTO spend (spend_id, date, channel, spend, currency, spend_original, source_name, load_id)
			VALUES ('s3', DATE '2024-01-07', 'Display', 200, 'EUR', 160, 'test', 'l')`, nil},
		activityRow("aA1", "A", "2024-01-20 10:00:00+00", 10),
		activityRow("aA2", "A", "2024-02-15 10:00:00+00", 5),
		activityRow("aA3", "A", "2025-01-05 10:00:00+00", 0),
		activityRow("aA4", "A", "2025-01-20 10:00:00+00", 7),
		activityRow("aB1", "B", "2024-01-20 09:00:00+00", 3),
		activityRow("aF0", "F", "2024-03-10 10:00:00+00", 0),
	}
	for d := 1; d <= 30; d++ {
		s = append(s, activityRow(fmt.Sprintf("aF%d", d), "F", fmt.Sprintf("2024-11-%02d 12:00:00+00", d), 1))
	}
	return s
}

// Lifetime values (conversions and activity value from acquisition to acquisition + 12 months):
//
//	A 100 + 10 + 5 + 0 = 115 (the 7 of 2025-01-20 is after 2025-01-10 10:00, outside the horizon)
//	B 50 + 3 = 53    C 30    F 200 + 0 + 30 x 1 = 230
func TestChannelROIGolden(t *testing.T) {
	t.Parallel()
	c := evalRun(t, goldenYAML, goldenData()...)
	const cols = `SELECT period_start, period_end, channel, conversion_type, model, spend, conversions, revenue, cac, roas, roi,
		acquired, ltv, ltv_to_cac, payback_days, retention_eligible, retention_rate, retention_target FROM channel_roi `
	// Paid Search, January 2024: spend 140 + 20 = 160 on every type's row; A (credit 1 under every model)
	// and B (path Email > Paid Search: 1 under last_touch and last_non_direct, 0.5 under linear).
	//   last_*: conversions 2, revenue 100 + 50 = 150, cac 160/2 = 80, roas 150/160 = 0.9375, roi -0.0625
	//   linear: conversions 1.5, revenue 100 + 25 = 125, cac 160/1.5 = 106.666667, roas 0.78125, roi -0.21875
	// Acquired in January under last_non_direct with Paid Search: A and B, ltv (115 + 53)/2 = 84;
	// ltv_to_cac 84/80 = 1.05 and 84/106.666667 = 0.7875.
	// Payback: mean cumulative value of A and B by whole days after acquisition:
	//   day 0: (100 + 50)/2 = 75; day 5 (B's 3): 76.5; day 10 (A's 10): 81.5; day 36 (A's 5): 84.
	//   cac 80 is first reached on day 10; cac 106.67 never (NULL).
	// Retention: A is eligible (2025-01-10 10:00 <= as_of) and retained (activity 2025-01-05 in the 30 days
	// before); B is eligible (2025-01-15 09:00 <= as_of) and not retained: 1/2 = 0.5, target 0.7.
	// card_activated rows carry the full spend with no conversions: cac NULL, roas 0, roi -1.
	expectRows(t, c, cols+`WHERE period_start = DATE '2024-01-01' AND channel = 'Paid Search' ORDER BY conversion_type, model`, [][]any{
		{"2024-01-01 00:00", "2024-01-31 00:00", "Paid Search", "(all)", "last_non_direct", 160.0, 2.0, 150.0, 80.0, 0.9375, -0.0625, nil, nil, nil, nil, nil, nil, nil},
		{"2024-01-01 00:00", "2024-01-31 00:00", "Paid Search", "(all)", "last_touch", 160.0, 2.0, 150.0, 80.0, 0.9375, -0.0625, nil, nil, nil, nil, nil, nil, nil},
		{"2024-01-01 00:00", "2024-01-31 00:00", "Paid Search", "(all)", "linear", 160.0, 1.5, 125.0, 160 / 1.5, 0.78125, -0.21875, nil, nil, nil, nil, nil, nil, nil},
		{"2024-01-01 00:00", "2024-01-31 00:00", "Paid Search", "account_opened", "last_non_direct", 160.0, 2.0, 150.0, 80.0, 0.9375, -0.0625, 2.0, 84.0, 1.05, 10.0, 2.0, 0.5, 0.7},
		{"2024-01-01 00:00", "2024-01-31 00:00", "Paid Search", "account_opened", "last_touch", 160.0, 2.0, 150.0, 80.0, 0.9375, -0.0625, 2.0, 84.0, 1.05, 10.0, 2.0, 0.5, 0.7},
		{"2024-01-01 00:00", "2024-01-31 00:00", "Paid Search", "account_opened", "linear", 160.0, 1.5, 125.0, 160 / 1.5, 0.78125, -0.21875, 2.0, 84.0, 0.7875, nil, 2.0, 0.5, 0.7},
		{"2024-01-01 00:00", "2024-01-31 00:00", "Paid Search", "card_activated", "last_non_direct", 160.0, 0.0, 0.0, nil, 0.0, -1.0, nil, nil, nil, nil, nil, nil, nil},
		{"2024-01-01 00:00", "2024-01-31 00:00", "Paid Search", "card_activated", "last_touch", 160.0, 0.0, 0.0, nil, 0.0, -1.0, nil, nil, nil, nil, nil, nil, nil},
		{"2024-01-01 00:00", "2024-01-31 00:00", "Paid Search", "card_activated", "linear", 160.0, 0.0, 0.0, nil, 0.0, -1.0, nil, nil, nil, nil, nil, nil, nil},
	})
	// Display: spend 200 (the converted EUR amount, not the 160 delivered), no conversions: cac NULL,
	// roas 0, roi -1; nobody acquired (0), so ltv, ltv_to_cac, payback and retention are NULL.
	// Email in January under linear: 0.5 of B (revenue 25) and no spend: every spend ratio NULL.
	// (unattributed) in February: C, acquired 1, ltv 30, no spend: cac NULL; C's 12 months end
	// 2025-02-03, after as_of: eligible 0, retention NULL.
	// Email in March: F, conversions 1, revenue 200, acquired 1, ltv 230.
	expectRows(t, c, cols+`WHERE conversion_type = 'account_opened' AND (channel = 'Display' AND model = 'linear'
		OR channel = 'Email' AND model = 'linear' AND period_start = DATE '2024-01-01' OR channel = '(unattributed)' AND model = 'last_non_direct'
		OR channel = 'Email' AND period_start = DATE '2024-03-01' AND model = 'last_non_direct') ORDER BY period_start, channel`, [][]any{
		{"2024-01-01 00:00", "2024-01-31 00:00", "Display", "account_opened", "linear", 200.0, 0.0, 0.0, nil, 0.0, -1.0, 0.0, nil, nil, nil, 0.0, nil, 0.7},
		{"2024-01-01 00:00", "2024-01-31 00:00", "Email", "account_opened", "linear", 0.0, 0.5, 25.0, nil, nil, nil, 0.0, nil, nil, nil, 0.0, nil, 0.7},
		{"2024-02-01 00:00", "2024-02-29 00:00", "(unattributed)", "account_opened", "last_non_direct", 0.0, 1.0, 30.0, nil, nil, nil, 1.0, 30.0, nil, nil, 0.0, nil, 0.7},
		{"2024-03-01 00:00", "2024-03-31 00:00", "Email", "account_opened", "last_non_direct", 0.0, 1.0, 200.0, nil, nil, nil, 1.0, 230.0, nil, nil, 0.0, nil, 0.7},
	})
	// Spend summed over one conversion type and model is counted once: 160 + 200 = 360.
	expectRows(t, c, `SELECT sum(spend) FROM channel_roi WHERE conversion_type = 'account_opened' AND model = 'linear'`, [][]any{{360.0}})
	// Money stays DECIMAL; ratios are DOUBLE.
	expectRows(t, c, `SELECT typeof(spend), typeof(revenue), typeof(cac), typeof(ltv) FROM channel_roi LIMIT 1`,
		[][]any{{"DECIMAL(38,4)", "DECIMAL(38,10)", "DOUBLE", "DOUBLE"}})
}

// TestChannelROIWeeklyLinearAcquisition: period week (Monday to Sunday) and acquisition model linear.
// Under linear B's credit is Email 0.5 and Paid Search 0.5, a tie that goes to the alphabetically first
// channel: B is acquired by Email. Paid Search, account_opened, last_non_direct, by week:
//
//	2024-01-01..07: spend 140, no conversion      2024-01-08..14: A converts (1), acquired A: ltv 115
//	2024-01-15..21: B converts (1), acquired nobody under Paid Search (B went to Email)
//	2024-01-22..28: spend 20 (2024-01-25)
func TestChannelROIWeeklyLinearAcquisition(t *testing.T) {
	t.Parallel()
	yaml := goldenYAML + "evaluation: {period: week, acquisition_model: linear}\n"
	c := evalRun(t, yaml, goldenData()...)
	expectRows(t, c, `SELECT period_start, period_end, spend, conversions, acquired, ltv FROM channel_roi
		WHERE channel = 'Paid Search' AND conversion_type = 'account_opened' AND model = 'last_non_direct' ORDER BY period_start`, [][]any{
		{"2024-01-01 00:00", "2024-01-07 00:00", 140.0, 0.0, 0.0, nil},
		{"2024-01-08 00:00", "2024-01-14 00:00", 0.0, 1.0, 1.0, 115.0},
		{"2024-01-15 00:00", "2024-01-21 00:00", 0.0, 1.0, 0.0, nil},
		{"2024-01-22 00:00", "2024-01-28 00:00", 20.0, 0.0, 0.0, nil},
	})
	// B's acquisition (week of 2024-01-15) is Email's: acquired 1, ltv 53.
	expectRows(t, c, `SELECT acquisition_channel FROM lifecycle WHERE acquired_at = TIMESTAMPTZ '2024-01-15 09:00:00+00'`, [][]any{{"Email"}})
	expectRows(t, c, `SELECT acquired, ltv FROM channel_roi WHERE channel = 'Email' AND period_start = DATE '2024-01-15'
		AND conversion_type = 'account_opened' AND model = 'linear'`, [][]any{{1.0, 53.0}})
}

// TestModelComparisonGolden: account_opened has 4 conversions (A, B, C, F) under every model.
//
//	last_non_direct / last_touch: Paid Search 2 (A, B) = 0.5, Email 1 (F) = 0.25, (unattributed) 1 (C) = 0.25
//	linear: Paid Search 1 + 0.5 = 1.5 = 0.375, Email 0.5 + 1 = 1.5 = 0.375, (unattributed) 0.25
//	revenue (total 380): last_*: 150, 200, 30; linear: 125, 225, 30.
//	card_activated: Direct 1 = 1.0 (revenue 20) everywhere. (all): 5 conversions, revenue 400.
func TestModelComparisonGolden(t *testing.T) {
	t.Parallel()
	c := evalRun(t, goldenYAML, goldenData()...)
	expectRows(t, c, `SELECT channel, model, conversions, conversion_share, revenue, revenue_share, min_share, max_share
		FROM model_comparison WHERE conversion_type = 'account_opened' ORDER BY channel, model`, [][]any{
		{"(unattributed)", "last_non_direct", 1.0, 0.25, 30.0, 30.0 / 380, 0.25, 0.25},
		{"(unattributed)", "last_touch", 1.0, 0.25, 30.0, 30.0 / 380, 0.25, 0.25},
		{"(unattributed)", "linear", 1.0, 0.25, 30.0, 30.0 / 380, 0.25, 0.25},
		{"Email", "last_non_direct", 1.0, 0.25, 200.0, 200.0 / 380, 0.25, 0.375},
		{"Email", "last_touch", 1.0, 0.25, 200.0, 200.0 / 380, 0.25, 0.375},
		{"Email", "linear", 1.5, 0.375, 225.0, 225.0 / 380, 0.25, 0.375},
		{"Paid Search", "last_non_direct", 2.0, 0.5, 150.0, 150.0 / 380, 0.375, 0.5},
		{"Paid Search", "last_touch", 2.0, 0.5, 150.0, 150.0 / 380, 0.375, 0.5},
		{"Paid Search", "linear", 1.5, 0.375, 125.0, 125.0 / 380, 0.375, 0.5},
	})
	expectRows(t, c, `SELECT conversion_type, channel, conversions, conversion_share, revenue FROM model_comparison
		WHERE model = 'last_non_direct' AND conversion_type <> 'account_opened' ORDER BY conversion_type, channel`, [][]any{
		{"(all)", "(unattributed)", 1.0, 0.2, 30.0},
		{"(all)", "Direct", 1.0, 0.2, 20.0},
		{"(all)", "Email", 1.0, 0.2, 200.0},
		{"(all)", "Paid Search", 2.0, 0.4, 150.0},
		{"card_activated", "Direct", 1.0, 1.0, 20.0},
	})
}

// TestFunnelGolden: persons enter in the month of their first touch under its channel; C (no touch)
// is not in the funnel. Depth as of 2025-01-20 10:00:
//
//	A (Paid Search, Jan): converted, activated (2024-01-20 within 30 days), active (2 events in the
//	   last 30 days), retained (2025-01-05 in the 30 days before 2025-01-10) -> all 5 stages
//	B (Email, Jan): converted, activated (2024-01-20), not active -> 3 stages
//	D (Display, Jan): reached only. E (Direct, Feb): reached only (card_activated is not acquisition).
//	F (Email, Mar): converted, activated (2024-03-10), not active -> 3 stages
//
// January, all channels: 3, 2, 2, 1, 1; rates from previous -, 2/3, 1, 1/2, 1; from first 1, 2/3, 2/3, 1/3, 1/3.
func TestFunnelGolden(t *testing.T) {
	t.Parallel()
	c := evalRun(t, goldenYAML, goldenData()...)
	third := 1.0 / 3
	expectRows(t, c, `SELECT channel, stage, stage_order, persons, rate_from_previous, rate_from_first FROM funnel
		WHERE period_start = DATE '2024-01-01' ORDER BY channel, stage_order`, [][]any{
		{"(all)", "reached", 1.0, 3.0, nil, 1.0},
		{"(all)", "converted", 2.0, 2.0, 2 * third, 2 * third},
		{"(all)", "activated", 3.0, 2.0, 1.0, 2 * third},
		{"(all)", "active", 4.0, 1.0, 0.5, third},
		{"(all)", "retained", 5.0, 1.0, 1.0, third},
		{"Display", "reached", 1.0, 1.0, nil, 1.0},
		{"Display", "converted", 2.0, 0.0, 0.0, 0.0},
		{"Display", "activated", 3.0, 0.0, nil, 0.0}, // 0/0: NULL
		{"Display", "active", 4.0, 0.0, nil, 0.0},
		{"Display", "retained", 5.0, 0.0, nil, 0.0},
		{"Email", "reached", 1.0, 1.0, nil, 1.0},
		{"Email", "converted", 2.0, 1.0, 1.0, 1.0},
		{"Email", "activated", 3.0, 1.0, 1.0, 1.0},
		{"Email", "active", 4.0, 0.0, 0.0, 0.0},
		{"Email", "retained", 5.0, 0.0, nil, 0.0},
		{"Paid Search", "reached", 1.0, 1.0, nil, 1.0},
		{"Paid Search", "converted", 2.0, 1.0, 1.0, 1.0},
		{"Paid Search", "activated", 3.0, 1.0, 1.0, 1.0},
		{"Paid Search", "active", 4.0, 1.0, 1.0, 1.0},
		{"Paid Search", "retained", 5.0, 1.0, 1.0, 1.0},
	})
	// February: E under Direct and (all); March: F under Email and (all); 5 stages each: 20 + 10 + 10 rows.
	expectRows(t, c, `SELECT period_start, channel, string_agg(persons::VARCHAR, ',' ORDER BY stage_order) FROM funnel
		WHERE period_start > DATE '2024-01-01' GROUP BY ALL ORDER BY ALL`, [][]any{
		{"2024-02-01 00:00", "(all)", "1,0,0,0,0"},
		{"2024-02-01 00:00", "Direct", "1,0,0,0,0"},
		{"2024-03-01 00:00", "(all)", "1,1,1,0,0"},
		{"2024-03-01 00:00", "Email", "1,1,1,0,0"},
	})
	expectRows(t, c, `SELECT count(*) FROM funnel`, [][]any{{40.0}})
}

// TestCohortRetentionGolden: cohorts by month of the acquisition conversion, offsets up to the month of
// as_of (2025-01): January 2024 offsets 0..12, February 0..11, March 0..10.
//
//	2024-01 Paid Search (A, B: 2 people): offset 0 both (2024-01-20) = 1.0; offset 1 A (2024-02-15) = 0.5;
//	  offset 12 A (2025-01-05, 2025-01-20) = 0.5; B is active in month 0 only; other offsets 0.
//	2024-02 (unattributed) (C alone: a cohort of one person), no activity: 0 at every offset.
//	2024-03 Email (F): offset 0 (2024-03-10) and 8 (November) = 1.0.
func TestCohortRetentionGolden(t *testing.T) {
	t.Parallel()
	c := evalRun(t, goldenYAML, goldenData()...)
	expectRows(t, c, `SELECT cohort_start, channel, period_offset, cohort_size, retained, retention_rate FROM cohort_retention
		WHERE channel <> '(all)' AND retained > 0 ORDER BY ALL`, [][]any{
		{"2024-01-01 00:00", "Paid Search", 0.0, 2.0, 2.0, 1.0},
		{"2024-01-01 00:00", "Paid Search", 1.0, 2.0, 1.0, 0.5},
		{"2024-01-01 00:00", "Paid Search", 12.0, 2.0, 1.0, 0.5},
		{"2024-03-01 00:00", "Email", 0.0, 1.0, 1.0, 1.0},
		{"2024-03-01 00:00", "Email", 8.0, 1.0, 1.0, 1.0},
	})
	expectRows(t, c, `SELECT channel, count(*), min(period_offset), max(period_offset), sum(retained), min(cohort_size), max(cohort_size)
		FROM cohort_retention WHERE channel <> '(all)' GROUP BY ALL ORDER BY ALL`, [][]any{
		{"(unattributed)", 12.0, 0.0, 11.0, 0.0, 1.0, 1.0},
		{"Email", 11.0, 0.0, 10.0, 2.0, 1.0, 1.0},
		{"Paid Search", 13.0, 0.0, 12.0, 4.0, 2.0, 2.0},
	})
	// Every cohort has one channel here, so the (all) rows repeat the channel rows.
	expectRows(t, c, `SELECT count(*) FROM (
		SELECT cohort_start, period_offset, cohort_size, retained FROM cohort_retention WHERE channel = '(all)'
		EXCEPT SELECT cohort_start, period_offset, cohort_size, retained FROM cohort_retention WHERE channel <> '(all)')`, [][]any{{0.0}})
	expectRows(t, c, `SELECT count(*) FROM cohort_retention WHERE channel = '(all)'`, [][]any{{36.0}})
}

// TestLifecycleGolden: as_of = 2025-01-20 10:00; the recent window is (2024-12-21 10:00, as_of].
//
// Value tiers: acquired lifetime values 30, 53, 115, 230. 80th percentile (quantile_cont): position
// 0.8 x 3 = 2.4 -> 115 + 0.4 x 115 = 161; median: position 1.5 -> 53 + 0.5 x 62 = 84.
// F (230) high, A (115) medium, B (53) and C (30) low.
//
// Churn risk = 0.5 x recency + 0.5 x frequency decline:
//
//	A last active at as_of: days 0, recency 0; recent events 2; baseline events 2 (Jan 20, Feb 15) over
//	  2024-01-10 10:00..2024-12-21 10:00 = 346 days: expected 2 x 30/346 = 0.173410 < 1: decline 0. Risk 0.
//	  Stage retained (eligible, active in the 30 days before 2025-01-10 10:00).
//	B last active 2024-01-20 09:00: 366 days 1 hour = 366.041667 >= 90: churned, recency 1; expected
//	  1 x 30/341.041667 = 0.087966 < 1: decline 0. Risk 0.5 (watch).
//	C never active: days since acquisition 2024-02-03 12:00 = 351.916667: churned, recency 1, no history:
//	  decline 0. Risk 0.5.
//	F last active 2024-11-30 12:00: 50.916667 days, recency 50.916667/90 = 0.565741; baseline 31 events
//	  over 2024-03-02 00:00..2024-12-21 10:00 = 294.416667 days: expected 31 x 30/294.416667 = 3.158805,
//	  recent 0: decline 1. Risk 0.5 x 0.565741 + 0.5 = 0.782870 -> 0.7829 (high). Stage activated.
//	D and E were never acquired: stage reached, no tier and no risk.
func TestLifecycleGolden(t *testing.T) {
	t.Parallel()
	c := evalRun(t, goldenYAML, goldenData()...)
	expectRows(t, c, `SELECT m.cust, l.acquisition_channel, l.stage, l.acquired_at, l.last_active_at, l.value_tier, l.lifetime_value,
			l.churn_risk, l.churn_band, l.recent_events, l.expected_events, l.days_since_active, l.recency_score, l.frequency_decline
		FROM lifecycle l JOIN (SELECT DISTINCT customer_id AS cust, person_id FROM touchpoints
		                       UNION SELECT customer_id, person_id FROM conversions) m USING (person_id)
		ORDER BY m.cust`, [][]any{
		{"A", "Paid Search", "retained", "2024-01-10 10:00", "2025-01-20 10:00", "medium", 115.0, 0.0, "low", 2.0, 60.0 / 346, 0.0, 0.0, 0.0},
		{"B", "Paid Search", "churned", "2024-01-15 09:00", "2024-01-20 09:00", "low", 53.0, 0.5, "watch", 0.0, 30 / (341 + 1.0/24), 366 + 1.0/24, 1.0, 0.0},
		{"C", "(unattributed)", "churned", "2024-02-03 12:00", nil, "low", 30.0, 0.5, "watch", 0.0, 0.0, 352 - 2.0/24, 1.0, 0.0},
		{"D", nil, "reached", nil, nil, nil, nil, nil, nil, 0.0, nil, nil, nil, nil},
		{"E", nil, "reached", nil, nil, nil, nil, nil, nil, 0.0, nil, nil, nil, nil},
		{"F", "Email", "activated", "2024-03-02 00:00", "2024-11-30 12:00", "high", 230.0, 0.7829, "high", 0.0, 930 / (294 + 10.0/24), 51 - 2.0/24, (51 - 2.0/24) / 90, 1.0},
	})
	// The documented one-query list of high-value customers at risk.
	expectRows(t, c, `SELECT count(*), min(lifetime_value) FROM lifecycle WHERE value_tier = 'high' AND churn_band = 'high' AND stage <> 'churned'`,
		[][]any{{1.0, 230.0}})
}

// TestLocalDays: days and periods are local days of the configured time zone, also for zones with
// half-hour offsets. In Asia/Kolkata (UTC+5:30) a touch and a conversion at 2024-01-31 19:00 UTC happen
// on 2024-02-01 00:30 local time: channel_performance dates them 2024-02-01 and the funnel and
// channel_roi put them in February. At 18:29 UTC (23:59 local) they stay in January.
func TestLocalDays(t *testing.T) {
	t.Parallel()
	yaml := strings.Replace(goldenYAML, "timezone: UTC", "timezone: Asia/Kolkata", 1)
	c := evalRun(t, yaml,
		touch("t1", "A", "2024-01-31 19:00:00+00", "Email"),
		conversion("c1", "A", "2024-01-31 19:00:00+00", "account_opened", 10),
		touch("t2", "B", "2024-01-31 18:29:00+00", "Display"),
		conversion("c2", "B", "2024-01-31 18:29:00+00", "account_opened", 20),
	)
	expectRows(t, c, `SELECT date::VARCHAR, channel, touchpoints, conversions FROM channel_performance
		WHERE model = 'last_touch' AND conversion_type = 'account_opened' ORDER BY date`, [][]any{
		{"2024-01-31", "Display", 1.0, 1.0},
		{"2024-02-01", "Email", 1.0, 1.0},
	})
	expectRows(t, c, `SELECT period_start::VARCHAR, channel FROM funnel WHERE stage = 'reached' AND channel <> '(all)' ORDER BY 1`, [][]any{
		{"2024-01-01", "Display"},
		{"2024-02-01", "Email"},
	})
	expectRows(t, c, `SELECT period_start::VARCHAR, channel, acquired FROM channel_roi
		WHERE model = 'last_touch' AND conversion_type = 'account_opened' ORDER BY 1`, [][]any{
		{"2024-01-01", "Display", 1.0},
		{"2024-02-01", "Email", 1.0},
	})
}
