package queries

import (
	"context"
	"database/sql"
	"embed"
	"fmt"

	"attrib/config"
)

//go:embed sql/*.sql
var sqlFS embed.FS

func mustSQL(name string) string {
	b, err := sqlFS.ReadFile("sql/" + name + ".sql")
	if err != nil {
		panic(fmt.Sprintf("queries: embedded %s.sql: %v", name, err))
	}
	return string(b)
}

// Published lists the evaluation tables Build creates under _next_ names.
var Published = []string{"channel_performance", "model_accuracy"}

// Build creates the evaluation tables on connection c, which must hold the
// working tables of a transform run (touches, channel_map, models and
// _next_attribution_credits).
func Build(ctx context.Context, c *sql.Conn, cfg *config.Config) error {
	for _, t := range Published {
		if _, err := c.ExecContext(ctx, "DROP TABLE IF EXISTS _next_"+t); err != nil {
			return fmt.Errorf("queries: clean up: %w", err)
		}
	}
	for _, name := range []string{"spend_daily", "channel_performance"} {
		if _, err := c.ExecContext(ctx, mustSQL(name)); err != nil {
			return fmt.Errorf("queries: %s: %w", name, err)
		}
	}
	if truth := cfg.Resolve(cfg.Evaluation.TruthFile); truth != "" {
		if _, err := c.ExecContext(ctx, mustSQL("model_accuracy"), truth); err != nil {
			return fmt.Errorf("queries: model_accuracy from %s: %w", truth, err)
		}
	}
	return nil
}
