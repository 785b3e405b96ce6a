package jobs

import (
	"context"
	"slices"

	"attrib/warehouse"
)

// DateGrained lists the result tables whose rows belong to one date; a
// backfill replaces only the rows of its date range in these tables and
// leaves every other published table as it is.
var DateGrained = []warehouse.RangeTable{
	{Table: "channel_performance", DateColumn: "date"},
	{Table: "conversion_paths", DateColumn: "converted_at"},
	{Table: "attribution_credits_rule_based", DateColumn: "converted_at", Parent: "conversion_paths", Key: "conversion_id"},
	{Table: "attribution_credits_data_driven_wide", DateColumn: "converted_at", Parent: "conversion_paths", Key: "conversion_id"},
}

// publishStage publishes every table the earlier stages built under a
// _next_ name (tables), in one transaction with the transform's state
// (Session.publishAll): readers see all the previous results or all the new
// ones. A backfill publishes only its date range of DateGrained. The state's
// commit reads the transform's incremental working tables.
func publishStage(tables []string) Stage {
	return Stage{
		Name:   "publish",
		Reads:  append(nextAll(tables), temp("inc_aff"), temp("inc_conversions"), temp("inc_covered"), temp("inc_new_loads"), temp("eval_scope")),
		Writes: slices.Concat(tables, []string{"attrib_state"}),
		Run: func(ctx context.Context, s *Session) (int64, string, error) {
			return runPublish(ctx, s, tables)
		},
	}
}

func runPublish(ctx context.Context, s *Session, tables []string) (int64, string, error) {
	if err := s.publishAll(ctx, tables); err != nil {
		return 0, "", err
	}
	s.RowsOut = s.Transform.Credits
	return s.Transform.Credits, "", nil
}
