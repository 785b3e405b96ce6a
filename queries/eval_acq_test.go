package queries_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// TestAcquisitionWindowsFollowTheCalendar: eval_acq works each acquisition's window limits out once per
// quarter hour (the calendar steps of eval_acq.sql); every person's limits must still be what the time
// zone's calendar gives for their own acquisition instant: acquired_at + to_days(...) and
// + to_months(...) in DuckDB's ICU calendar, computed here per person as the statement did before. The
// acquisitions sit where that could go wrong: a step whose target wall time falls in a DST gap or in a
// repeated hour, an acquisition in the repeated hour itself (its first and its second occurrence), the
// last day of a month plus one month, just before and after a change that is not on a whole UTC hour
// (worked out per hour instead of per quarter hour, the limits are half an hour out there), and a few
// hundred random instants with microseconds, in a zone with one-hour DST (America/New_York) and one
// with half-hour DST (Australia/Lord_Howe).
func TestAcquisitionWindowsFollowTheCalendar(t *testing.T) {
	t.Parallel()
	cases := []struct {
		zone string
		at   []string // UTC
	}{
		{"America/New_York", []string{
			"2025-03-08 07:30:00+00",        // 02:30 EST: + 12 months is 2026-03-08 02:30, in the gap
			"2025-02-07 07:40:17.25+00",     // + 30 days is 2025-03-09 02:40:17, in the gap
			"2025-11-02 05:35:12+00",        // 01:35:12 EDT, the first of the repeated hour
			"2025-11-02 06:35:12.999999+00", // 01:35:12 EST, the second
			"2025-10-03 05:20:05+00",        // + 30 days is 2025-11-02 01:20:05, repeated
			"2025-01-31 15:00:59.123456+00", // + 1 month is February 28th
			"2024-01-31 23:59:59+00",        // a leap year: February 29th, and the next local day in UTC
		}},
		{"Australia/Lord_Howe", []string{
			"2025-09-04 15:40:00+00", // 02:10 (+10:30): + 30 days is 2025-10-05 02:10, in the half-hour gap
			"2025-03-06 14:45:00+00", // 01:45 (+11): + 30 days is 2025-04-06 01:45, repeated
			"2025-04-05 14:40:00+00", // 01:40 (+11), the first of the repeated half hour
			"2025-04-05 15:10:00+00", // 01:40 (+10:30), the second
			"2025-10-04 15:25:00+00", // 01:55 (+10:30), just before DST starts at 15:30 UTC
			"2025-10-04 15:40:00+00", // 02:40 (+11), just after: the UTC hour began before the change
		}},
	}
	for _, tc := range cases {
		t.Run(strings.ReplaceAll(tc.zone, "/", "_"), func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(1, 2))
			at := tc.at
			lo := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
			for range 300 {
				at = append(at, lo.Add(time.Duration(rng.Int64N(int64(3*365*24*time.Hour)))).Truncate(time.Microsecond).Format("2006-01-02 15:04:05.999999Z07:00"))
			}
			var setup []stmt
			for i, a := range at {
				setup = append(setup, conversion(fmt.Sprintf("c%d", i), fmt.Sprintf("P%d", i), a, "account_opened", 10))
			}
			yaml := strings.Replace(goldenYAML, "timezone: UTC", "timezone: "+tc.zone, 1) +
				"evaluation: {ltv_months: 1, retention_months: 12, active_days: 30, activation_days: 30}\n"
			c := evalRun(t, yaml, setup...)
			expectRows(t, c, `SELECT count(*) FROM eval_acq`, [][]any{{float64(len(at))}})
			expectRows(t, c, `SELECT count(*), min(e.acquired_at)::VARCHAR FROM eval_acq e, eval_params p
				WHERE e.activation_end IS DISTINCT FROM e.acquired_at + to_days(p.activation_days)
				   OR e.retention_from IS DISTINCT FROM e.acquired_at + to_months(p.retention_months) - to_days(p.active_days)
				   OR e.retention_at IS DISTINCT FROM e.acquired_at + to_months(p.retention_months)
				   OR e.ltv_end IS DISTINCT FROM e.acquired_at + to_months(p.ltv_months)`, [][]any{{0.0, nil}})
		})
	}
}

// TestAcquisitionChannel: a person's acquisition channel is the channel with the largest credit of
// their first acquisition-type conversion under evaluation.acquisition_model, ties going to the
// alphabetically first channel, and the first conversion is the earliest, ties going to the smaller
// conversion id. Under linear: A's path Email, Search, Email gives Email 2/3 and Search 1/3 (Email);
// B's path Search, Display gives each 1/2 (Display, the first alphabetically); C converts twice at the
// same instant (c3b and c3a: c3a is the first, with its own path, Branch) and later again.
func TestAcquisitionChannel(t *testing.T) {
	t.Parallel()
	yaml := goldenYAML + "evaluation: {acquisition_model: linear}\n"
	c := evalRun(t, yaml,
		touch("t1", "A", "2024-01-01 10:00:00+00", "Email"),
		touch("t2", "A", "2024-01-02 10:00:00+00", "Search"),
		touch("t3", "A", "2024-01-03 10:00:00+00", "Email"),
		conversion("c1", "A", "2024-01-04 10:00:00+00", "account_opened", 10),
		touch("t4", "B", "2024-01-01 10:00:00+00", "Search"),
		touch("t5", "B", "2024-01-02 10:00:00+00", "Display"),
		conversion("c2", "B", "2024-01-04 10:00:00+00", "account_opened", 20),
		touch("t6", "C", "2024-01-01 10:00:00+00", "Branch"),
		conversion("c3b", "C", "2024-01-04 10:00:00+00", "account_opened", 30),
		conversion("c3a", "C", "2024-01-04 10:00:00+00", "account_opened", 40),
		touch("t7", "C", "2024-01-05 10:00:00+00", "Email"),
		conversion("c3c", "C", "2024-01-06 10:00:00+00", "account_opened", 50),
	)
	expectRows(t, c, `SELECT person_id = (SELECT person_id FROM conversions WHERE conversion_id = e.conversion_id),
			conversion_id, acquisition_channel, revenue FROM eval_acq e ORDER BY conversion_id`, [][]any{
		{true, "c1", "Email", 10.0},
		{true, "c2", "Display", 20.0},
		{true, "c3a", "Branch", 40.0},
	})
}
