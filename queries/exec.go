package queries

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Result is a fully read query result, values converted for display.
type Result struct {
	Columns []string
	Types   []string
	Rows    [][]any
}

var firstWord = regexp.MustCompile(`^\s*(?:--[^\n]*\n\s*|/\*.*?\*/\s*)*([A-Za-z]+)`)

// readOnlyVerbs are the statement kinds people may run.
var readOnlyVerbs = map[string]bool{
	"select": true, "with": true, "from": true, "values": true, "table": true,
	"describe": true, "show": true, "summarize": true, "explain": true, "pivot": true, "unpivot": true,
}

// ErrNotReadOnly is returned for statements that could change the warehouse.
var ErrNotReadOnly = errors.New("only read-only statements (SELECT, WITH, FROM, VALUES, TABLE, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN, PIVOT) are allowed")

// CheckReadOnly rejects anything but one read-only statement. It is a first,
// friendly line of defence; connections for people are also opened
// read-only with external access disabled.
func CheckReadOnly(q string) error {
	m := firstWord.FindStringSubmatch(q)
	if m == nil {
		return fmt.Errorf("queries: empty statement")
	}
	if !readOnlyVerbs[strings.ToLower(m[1])] {
		return fmt.Errorf("queries: %q: %w", strings.ToUpper(m[1]), ErrNotReadOnly)
	}
	if strings.Contains(strings.TrimRight(strings.TrimSpace(q), ";"), ";") {
		return fmt.Errorf("queries: one statement at a time, please")
	}
	return nil
}

// Query runs one read-only statement and reads all rows (up to maxRows; 0 = no cap).
func Query(ctx context.Context, db *sql.DB, q string, maxRows int) (*Result, error) {
	if err := CheckReadOnly(q); err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("queries: %w", err)
	}
	defer rows.Close()
	return readAll(rows, maxRows)
}

func readAll(rows *sql.Rows, maxRows int) (*Result, error) {
	cols, err := rows.ColumnTypes()
	if err != nil {
		return nil, fmt.Errorf("queries: %w", err)
	}
	res := &Result{}
	for _, c := range cols {
		res.Columns = append(res.Columns, c.Name())
		res.Types = append(res.Types, c.DatabaseTypeName())
	}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("queries: %w", err)
		}
		res.Rows = append(res.Rows, vals)
		if maxRows > 0 && len(res.Rows) >= maxRows {
			break
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("queries: %w", err)
	}
	return res, nil
}

// ChannelSummary is channel performance over all days for one model and all
// conversion types together: what `attrib demo` prints at the end.
func ChannelSummary(ctx context.Context, db *sql.DB, model string) (*Result, error) {
	return queryArgs(ctx, db, mustSQL("channel_summary"), model)
}

// queryArgs runs one of attrib's own read queries with bound arguments.
func queryArgs(ctx context.Context, db *sql.DB, q string, args ...any) (*Result, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("queries: %w", err)
	}
	defer rows.Close()
	return readAll(rows, 0)
}
