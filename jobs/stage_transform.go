package jobs

import (
	"context"
	"fmt"

	"attrib/transform"
)

// transformStage classifies channels, stitches identities, builds the
// conversion paths and credits every conversion under every model
// (transform.RunWith). It builds the transform's published tables under
// _next_ names and hands the working tables on: touches, person_touches
// (each person's first and last touch), channel_map, conv_touches, models,
// refit_models (the data-driven models, whose credits no run carries over),
// and in an incremental run that carried results over (Result.CarryOver)
// inc_days, inc_touch_days and inc_conversions (the conversions whose
// rule-based credits it rebuilt: attribution_credits_rule_based is published
// as a delta, Result.Deltas); in an incremental run also inc_aff, inc_covered and
// inc_new_loads, which the state's commit reads at publication. The
// evaluation reads the credits through the temp view all_credits. Identities
// and the incremental state change in place; the state commits with the
// publication (Result.Commit).
func transformStage() Stage {
	return Stage{
		Name: "transform",
		Reads: []string{"touchpoints", "conversions", "identity_links", "activity", "spend", "ingest_files",
			"identity_map", "conversion_paths", "attribution_credits_rule_based", "attribution_credits_data_driven_wide"},
		Builds: append(nextAll(transform.Published), temp("all_credits"), temp("inc_conversions"),
			temp("touches"), temp("person_touches"), temp("channel_map"), temp("conv_touches"), temp("models"), temp("refit_models"), temp("inc_days"),
			temp("inc_touch_days"), temp("inc_aff"), temp("inc_covered"), temp("inc_new_loads")),
		Writes: []string{"identity_map", "identity_oversized", "touchpoints", "conversions", "activity", "attrib_state"},
		Run:    runTransform,
	}
}

func runTransform(ctx context.Context, s *Session) (int64, string, error) {
	tr, err := transform.RunWith(ctx, s.Conn(), s.Cfg, transform.Options{Step: s.Hooks.Step, Full: s.Full || s.Backfill()})
	s.Transform = tr
	s.Deltas = append(s.Deltas, tr.Deltas...)
	note := ""
	if tr.Mode != "" {
		note = transformNote(tr)
	}
	return tr.Credits, note, err
}

// transformNote describes how a transform ran, for pipeline_runs.steps, and
// the seconds of its steps.
func transformNote(tr transform.Result) string {
	var t timings
	for _, x := range tr.Timings {
		t.add(x.Step, x.Seconds)
	}
	if tr.Mode == transform.ModeIncremental {
		return fmt.Sprintf("incremental (%d people rebuilt): %s", tr.Rebuilt, t)
	}
	return fmt.Sprintf("full (%s): %s", tr.FullReason, t)
}
