package access

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
)

// ErrEmptyStatement is returned for text that holds no statement (blank or
// comments only): the PostgreSQL endpoint answers it with EmptyQueryResponse.
var ErrEmptyStatement = errors.New("empty statement")

// ErrSyntax wraps DuckDB's parser error for a statement that does not parse.
var ErrSyntax = errors.New("syntax error")

// RowQuerier runs a statement that returns one row: *sql.DB, *sql.Conn, *sql.Tx.
type RowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// sqlSerialize asks DuckDB's own parser about a statement: json_serialize_sql
// parses the text (nothing is bound, planned or run) and serialises SELECT
// statements only, so it tells how many statements there are and whether
// every one is a read.
const sqlSerialize = "SELECT json_serialize_sql(?::VARCHAR)::VARCHAR"

type serialized struct {
	Error        bool              `json:"error"`
	ErrorType    string            `json:"error_type"`
	ErrorMessage string            `json:"error_message"`
	Statements   []json.RawMessage `json:"statements"`
}

// parse returns how many statements DuckDB finds in q when all are SELECT
// statements (DESCRIBE, SHOW, SUMMARIZE, FROM, VALUES and TABLE are SELECTs
// to DuckDB); notSelect is set when one of them is something else.
func parse(ctx context.Context, db RowQuerier, q string) (n int, notSelect bool, err error) {
	var out string
	if err := db.QueryRowContext(ctx, sqlSerialize, q).Scan(&out); err != nil {
		return 0, false, fmt.Errorf("access: check statement: %w", err)
	}
	var s serialized
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		return 0, false, fmt.Errorf("access: check statement: %w", err)
	}
	if s.Error {
		if s.ErrorType == "not implemented" {
			return 0, true, nil
		}
		return 0, false, fmt.Errorf("access: %w: %s", ErrSyntax, s.ErrorMessage)
	}
	return len(s.Statements), false, nil
}

// explainPrefix matches the one read statement DuckDB does not serialise; no
// comment may stand before or inside the prefix, so the text after it is
// exactly what DuckDB parses as the explained statement. pivotPrefix gives
// a PIVOT without IN (...), which is not a single read, its own message.
var (
	explainPrefix = regexp.MustCompile(`(?i)^[ \t\r\n]*(explain)[ \t\r\n]+((analy[sz]e)[ \t\r\n]+)?`)
	pivotPrefix   = regexp.MustCompile(`(?i)^[ \t\r\n]*(pivot|unpivot)[ \t\r\n]`)
)

// ReadStatement returns the statement to run for q when q holds exactly one
// read (SELECT, WITH, FROM, VALUES, TABLE, DESCRIBE, SHOW, SUMMARIZE,
// EXPLAIN [ANALYZE] of a read, PIVOT/UNPIVOT with IN lists), judged by DuckDB's own parser
// on db. The statement returned is the text DuckDB judged: run it, not q.
// It fails with ErrEmptyStatement, ErrMultipleStatements, ErrNotReadOnly or
// ErrSyntax.
func ReadStatement(ctx context.Context, db RowQuerier, q string) (string, error) {
	n, notSelect, err := parse(ctx, db, q)
	if err != nil {
		return "", err
	}
	if !notSelect {
		return q, countOne(n)
	}
	if m := explainPrefix.FindStringSubmatch(q); m != nil {
		rest := q[len(m[0]):]
		n, notSelect, err := parse(ctx, db, rest)
		switch {
		case err != nil:
			return "", err
		case notSelect:
			return "", fmt.Errorf("access: EXPLAIN: %w", ErrNotReadOnly)
		}
		if err := countOne(n); err != nil {
			return "", err
		}
		if m[3] != "" {
			return "EXPLAIN ANALYZE " + rest, nil
		}
		return "EXPLAIN " + rest, nil
	}
	if pivotPrefix.MatchString(q) {
		// Without IN DuckDB first creates an ENUM type of the values: not a read.
		return "", fmt.Errorf("access: PIVOT: list the pivoted values with IN (...): %w", ErrNotReadOnly)
	}
	return "", fmt.Errorf("access: %w", ErrNotReadOnly)
}

func countOne(n int) error {
	switch {
	case n == 0:
		return fmt.Errorf("access: %w", ErrEmptyStatement)
	case n > 1:
		return fmt.Errorf("access: %w", ErrMultipleStatements)
	}
	return nil
}
