package transform

import (
	"context"
	"database/sql"

	"attrib/config"
)

// dataDriven fills model_credits for the data-driven models (markov, shapley,
// fractribution) configured; see package attribution for the kernels.
func dataDriven(ctx context.Context, c *sql.Conn, cfg *config.Config) error {
	return nil
}
