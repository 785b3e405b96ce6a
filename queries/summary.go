package queries

import (
	"context"
	"database/sql"
	"fmt"

	"attrib/access"
)

// ChannelSummary is channel performance over all days for one model and all
// conversion types together: what `attrib demo` prints at the end.
func ChannelSummary(ctx context.Context, db *sql.DB, model string) (*access.Result, error) {
	rows, err := db.QueryContext(ctx, sqlChannelSummary, model)
	if err != nil {
		return nil, fmt.Errorf("queries: channel summary: %w", err)
	}
	defer rows.Close()
	return access.ReadRows(rows, 0)
}

var sqlChannelSummary = mustSQL("channel_summary")
