package jobs

import (
	"context"
	"time"

	"attrib/queries"
)

// evaluateStage builds the evaluation tables from the transform's working
// tables and credits (queries.BuildWith), and hands its own working tables
// on to the incrementality stage. After a transform that carried results
// over it reads inc_days and keeps the published channel_performance rows
// of the other days, and the published touch counts of the days not in
// inc_touch_days; it builds lifecycle only for the people of eval_scope
// (the acquired and those in inc_aff), a delta the publish stage applies
// (Session.Deltas), and reads everyone else's row from the published
// lifecycle. channel_performance sums the data-driven credits straight from
// the transform's wide table, the rule-based ones through all_credits.
func evaluateStage() Stage {
	return Stage{
		Name: "evaluate",
		Reads: []string{temp("touches"), temp("person_touches"), temp("channel_map"), temp("models"), temp("refit_models"), temp("inc_days"), temp("inc_touch_days"), temp("inc_aff"), temp("all_credits"),
			next("attribution_credits_data_driven_wide"), "conversions", "activity", "spend", "channel_performance", "lifecycle", "identity_map"},
		Builds: append(nextAll([]string{"channel_performance", "channel_roi", "model_comparison", "funnel", "cohort_retention", "lifecycle"}),
			temp("eval_params"), temp("eval_days"), temp("spend_daily"), temp("eval_acq"), temp("eval_act"), temp("eval_acq_stats"), temp("eval_scope"), temp("eval_person"), temp("eval_value_curve")),
		Run: runEvaluate,
	}
}

// runEvaluate's note lists each evaluation step's seconds, in order, so that
// `attrib runs --steps` shows where an evaluation's time went.
func runEvaluate(ctx context.Context, s *Session) (int64, string, error) {
	var t timings
	built, err := queries.BuildWith(ctx, s.Conn(), s.Cfg, queries.Options{Incremental: s.Transform.CarryOver,
		Timed: func(step string, d time.Duration) { t.add(step, d.Seconds()) }})
	s.Deltas = append(s.Deltas, built.Deltas...)
	return 0, t.String(), err
}
