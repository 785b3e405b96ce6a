package transform

import (
	"context"
	"database/sql"
	"fmt"

	"attrib/transform/channel"
)

// classify fills the temp table channel_map with the channel of every
// distinct attribute combination of touches and spend (and makes the view
// channel_groups, each channel's group, over it). The combinations are
// kept in attrib_state (keepCombinations): only the rows of new loads are
// read for new ones, or every row when full is set.
func classify(ctx context.Context, c *sql.Conn, cl *channel.Classifier, full bool) (int, error) {
	if err := keepCombinations(ctx, c, full); err != nil {
		return 0, fmt.Errorf("channel keys: %w", err)
	}
	rows, err := c.QueryContext(ctx, sqlAttributeCombinations)
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
	for _, q := range []string{sqlChannelMapCreate, sqlChannelGroupsCreate} {
		if _, err := c.ExecContext(ctx, q); err != nil {
			return 0, fmt.Errorf("channel map: %w", err)
		}
	}
	cols := make([][]string, 8)
	for j := range cols {
		cols[j] = make([]string, 0, len(keys))
	}
	for _, k := range keys {
		r := cl.Classify(channel.Touch{Channel: k.ch, Source: k.src, Medium: k.med, Campaign: k.camp, Interaction: k.inter})
		for j, v := range []string{k.ch, k.src, k.med, k.camp, k.inter, r.Channel, r.Group, r.Rule} {
			cols[j] = append(cols[j], v)
		}
	}
	args := make([]any, len(cols))
	for j := range cols {
		args[j] = cols[j]
	}
	if _, err := c.ExecContext(ctx, sqlChannelMapInsert, args...); err != nil {
		return 0, fmt.Errorf("channel map: %w", err)
	}
	return len(keys), nil
}

// keepCombinations adds the attribute combinations of the loads that
// attrib_state.attribute_combinations does not include yet (every load when
// full is set, or when the table is new) and records those loads, in one
// transaction.
func keepCombinations(ctx context.Context, c *sql.Conn, full bool) error {
	tx, err := c.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	stmts := []string{sqlCombinationLoadsNew, sqlCombinationsAdd, sqlCombinationLoadsAdd}
	if full {
		stmts = append([]string{sqlCombinationsClear, sqlCombinationLoadsClear}, stmts...)
	}
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return tx.Commit()
}
