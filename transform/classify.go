package transform

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"attrib/transform/channel"
)

// classify fills the temp table channel_map with the channel of every
// distinct attribute combination of touches and spend.
func classify(ctx context.Context, c *sql.Conn, cl *channel.Classifier) (int, error) {
	rows, err := c.QueryContext(ctx, SQL("channel_keys"))
	if err != nil {
		return 0, fmt.Errorf("channel keys: %w", err)
	}
	type key struct{ ch, src, med, camp, inter string }
	var keys []key
	for rows.Next() {
		var k key
		if err := rows.Scan(&k.ch, &k.src, &k.med, &k.camp, &k.inter); err != nil {
			rows.Close()
			return 0, fmt.Errorf("channel keys: %w", err)
		}
		keys = append(keys, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("channel keys: %w", err)
	}
	if _, err := c.ExecContext(ctx, SQL("channel_map_create")); err != nil {
		return 0, fmt.Errorf("channel map: %w", err)
	}
	const batch = 500
	for start := 0; start < len(keys); start += batch {
		end := min(start+batch, len(keys))
		var b strings.Builder
		b.WriteString("INSERT INTO channel_map VALUES ")
		args := make([]any, 0, (end-start)*8)
		for i, k := range keys[start:end] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?)")
			r := cl.Classify(channel.Touch{Channel: k.ch, Source: k.src, Medium: k.med, Campaign: k.camp, Interaction: k.inter})
			args = append(args, k.ch, k.src, k.med, k.camp, k.inter, r.Channel, r.Group, r.Rule)
		}
		if _, err := c.ExecContext(ctx, b.String(), args...); err != nil {
			return 0, fmt.Errorf("channel map: %w", err)
		}
	}
	return len(keys), nil
}
