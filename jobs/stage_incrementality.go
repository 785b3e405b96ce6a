package jobs

import (
	"context"

	"attrib/queries"
)

// incrementalityStage fits the media mix model per conversion type and for
// all types together, with the budget recommendations
// (queries.BuildIncrementality), and scores every model against the truth
// files when they are configured (model_accuracy). Its note says how many
// fits ran, at which grain, or why none did.
func incrementalityStage() Stage {
	return Stage{
		Name: "incrementality",
		Reads: []string{temp("eval_params"), temp("eval_days"), temp("spend_daily"), temp("channel_map"), next("channel_performance"),
			"spend", "conversions", "experiments"},
		Builds: nextAll(queries.IncrementalityTables, []string{"model_accuracy"}),
		Run:    runIncrementality,
	}
}

func runIncrementality(ctx context.Context, s *Session) (int64, string, error) {
	inc, err := queries.BuildIncrementality(ctx, s.Conn(), s.Cfg)
	s.Incrementality = inc
	return int64(inc.Fitted), inc.Note, err
}
