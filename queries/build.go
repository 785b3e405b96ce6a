package queries

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"time"

	"attrib/config"
	"attrib/warehouse"
)

//go:embed sql/*.sql
var sqlFS embed.FS

func mustSQL(name string) string { return warehouse.EmbeddedSQL(sqlFS, name+".sql") }

// Published lists the evaluation tables Build creates under _next_ names.
var Published = []string{
	"channel_performance", "channel_roi", "model_comparison", "funnel", "cohort_retention",
	"lifecycle", "budget_recommendations", "model_accuracy",
}

// stepDone observes the duration of each step of Build (benchmarks set it).
var stepDone = func(string, time.Duration) {}

// Build creates the evaluation tables on connection c, which must hold the
// working tables of a transform run (touches, channel_map, models and
// _next_attribution_credits).
func Build(ctx context.Context, c *sql.Conn, cfg *config.Config) error {
	for _, t := range Published {
		if _, err := c.ExecContext(ctx, "DROP TABLE IF EXISTS "+warehouse.QuoteIdent("_next_"+t)); err != nil {
			return fmt.Errorf("queries: clean up: %w", err)
		}
	}
	e := cfg.Evaluation
	retentionTarget, lo, hi := 0.7, 0.7, 1.3
	if e.RetentionTarget != nil {
		retentionTarget = *e.RetentionTarget
	}
	if e.BudgetMinFactor != nil {
		lo = *e.BudgetMinFactor
	}
	if e.BudgetMaxFactor != nil {
		hi = *e.BudgetMaxFactor
	}
	if _, err := c.ExecContext(ctx, mustSQL("eval_params"), e.Period, e.AcquisitionType, e.AcquisitionModel,
		e.LTVMonths, e.RetentionMonths, retentionTarget, e.ChurnDays, e.ActiveDays, e.ActivationDays,
		cfg.Attribution.UnattributedChannel); err != nil {
		return fmt.Errorf("queries: evaluation settings: %w", err)
	}
	for _, name := range []string{
		"eval_days", "spend_daily", "channel_performance", "eval_acq", "eval_act", "eval_person", "eval_value_curve",
		"channel_roi", "model_comparison", "funnel", "cohort_retention", "lifecycle",
	} {
		start := time.Now()
		if _, err := c.ExecContext(ctx, mustSQL(name)); err != nil {
			return fmt.Errorf("queries: %s: %w", name, err)
		}
		stepDone(name, time.Since(start))
	}
	start := time.Now()
	if err := budgetRecommendations(ctx, c, lo, hi); err != nil {
		return err
	}
	stepDone("budget_recommendations", time.Since(start))
	if truth := cfg.Resolve(e.TruthFile); truth != "" {
		if _, err := c.ExecContext(ctx, mustSQL("model_accuracy"), truth); err != nil {
			return fmt.Errorf("queries: model_accuracy from %s: %w", truth, err)
		}
	}
	return nil
}
