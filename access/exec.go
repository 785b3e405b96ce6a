package access

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// Result is a fully read query result, values converted for display.
type Result struct {
	Columns []string
	Types   []string
	Rows    [][]any
}

// readOnlyVerbs are the statement kinds people may run.
var readOnlyVerbs = map[string]bool{
	"select": true, "with": true, "from": true, "values": true, "table": true,
	"describe": true, "show": true, "summarize": true, "explain": true, "pivot": true, "unpivot": true,
}

// ErrNotReadOnly is returned for statements that could change the warehouse.
var ErrNotReadOnly = errors.New("only read-only statements (SELECT, WITH, FROM, VALUES, TABLE, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN, PIVOT) are allowed")

// ErrMultipleStatements is returned when one request holds more than one statement.
var ErrMultipleStatements = errors.New("one statement at a time, please")

// CheckReadOnly rejects anything but one read-only statement by its leading
// keywords. It is a quick lexical check for friendly messages only; the guard
// is ReadStatement, which asks DuckDB's own parser, and people's statements
// also run on a read-only DuckDB instance with external access disabled
// (package server).
func CheckReadOnly(q string) error {
	stmts := SplitStatements(q)
	switch {
	case len(stmts) == 0:
		return fmt.Errorf("access: empty statement")
	case len(stmts) > 1:
		return fmt.Errorf("access: %w", ErrMultipleStatements)
	}
	return checkVerbs(stmts[0])
}

func checkVerbs(stmt string) error {
	words := Words(stmt, 3)
	if len(words) == 0 {
		return fmt.Errorf("access: empty statement")
	}
	verb := words[0]
	if verb == "explain" {
		// EXPLAIN ANALYZE runs its statement: that one must be read-only too.
		rest := words[1:]
		if len(rest) > 0 && (rest[0] == "analyze" || rest[0] == "analyse") {
			rest = rest[1:]
		}
		if len(rest) > 0 && !readOnlyVerbs[rest[0]] {
			return fmt.Errorf("access: EXPLAIN %q: %w", strings.ToUpper(rest[0]), ErrNotReadOnly)
		}
	}
	if !readOnlyVerbs[verb] {
		return fmt.Errorf("access: %q: %w", strings.ToUpper(verb), ErrNotReadOnly)
	}
	return nil
}

// Words returns up to n leading keywords of a statement, lower-cased,
// skipping comments and opening parentheses.
func Words(stmt string, n int) []string {
	var out []string
	i := 0
	for i < len(stmt) && len(out) < n {
		if end, ok := commentEnd(stmt, i); ok {
			i = end
			continue
		}
		c := stmt[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '(':
			i++
		case isWordByte(c):
			j := i
			for j < len(stmt) && isWordByte(stmt[j]) {
				j++
			}
			out = append(out, strings.ToLower(stmt[i:j]))
			i = j
		default:
			return out
		}
	}
	return out
}

// commentEnd reports whether a comment ("--" to the end of the line, or
// /* ... */) starts at s[i], and returns the index just past it: the
// line's newline, or len(s) when the comment is not closed.
func commentEnd(s string, i int) (int, bool) {
	switch rest := s[i:]; {
	case strings.HasPrefix(rest, "--"):
		// DuckDB ends a line comment at \r as well as \n.
		if n := strings.IndexAny(rest, "\r\n"); n >= 0 {
			return i + n, true
		}
		return len(s), true
	case strings.HasPrefix(rest, "/*"):
		if n := strings.Index(rest[2:], "*/"); n >= 0 {
			return i + 2 + n + 2, true
		}
		return len(s), true
	}
	return i, false
}

func isWordByte(c byte) bool {
	return c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')
}

// SplitStatements splits SQL text at semicolons outside quotes, comments
// and dollar-quoted strings; empty statements are dropped.
func SplitStatements(q string) []string {
	var out []string
	start := 0
	flush := func(end int) {
		if s := strings.TrimSpace(q[start:end]); !onlyComments(s) {
			out = append(out, s)
		}
	}
	for i := 0; i < len(q); i++ {
		if end, ok := commentEnd(q, i); ok {
			i = end - 1 // the loop steps past the comment
			continue
		}
		switch c := q[i]; {
		case c == '\'' || c == '"':
			for i++; i < len(q); i++ {
				if q[i] == c {
					if i+1 < len(q) && q[i+1] == c {
						i++
						continue
					}
					break
				}
			}
		case c == '$':
			// $tag$ ... $tag$ (also $$); $1 parameters have no closing $.
			j := i + 1
			for j < len(q) && isWordByte(q[j]) && !('0' <= q[j] && q[j] <= '9' && j == i+1) {
				j++
			}
			if j < len(q) && q[j] == '$' {
				tag := q[i : j+1]
				if end := strings.Index(q[j+1:], tag); end >= 0 {
					i = j + end + len(tag)
				} else {
					i = len(q)
				}
			}
		case c == ';':
			flush(i)
			start = i + 1
		}
	}
	if start < len(q) {
		flush(len(q))
	}
	return out
}

// onlyComments reports whether s holds nothing but blanks and comments.
func onlyComments(s string) bool {
	for {
		s = strings.TrimLeft(s, " \t\r\n")
		switch {
		case s == "":
			return true
		case strings.HasPrefix(s, "--"):
			i := strings.IndexAny(s, "\r\n")
			if i < 0 {
				return true
			}
			s = s[i:]
		case strings.HasPrefix(s, "/*"):
			i := strings.Index(s[2:], "*/") // "/*/" opens a comment, it does not close one
			if i < 0 {
				return true
			}
			s = s[2+i+2:]
		default:
			return false
		}
	}
}

// Query runs one read-only statement (checked by ReadStatement) and reads
// all rows (up to maxRows; 0 = no cap).
func Query(ctx context.Context, db *sql.DB, q string, maxRows int) (*Result, error) {
	stmt, err := ReadStatement(ctx, db, q)
	if err != nil {
		return nil, err
	}
	return queryArgs(ctx, db, stmt, maxRows)
}

// ReadRows reads a result (up to maxRows; 0 = no cap), values as scanned.
func ReadRows(rows *sql.Rows, maxRows int) (*Result, error) { return readAll(rows, maxRows) }

func readAll(rows *sql.Rows, maxRows int) (*Result, error) {
	cols, err := rows.ColumnTypes()
	if err != nil {
		return nil, fmt.Errorf("access: %w", err)
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
			return nil, fmt.Errorf("access: %w", err)
		}
		res.Rows = append(res.Rows, vals)
		if maxRows > 0 && len(res.Rows) >= maxRows {
			break
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("access: %w", err)
	}
	return res, nil
}

// queryArgs runs q with bound arguments and reads up to maxRows rows (0 = no cap).
func queryArgs(ctx context.Context, db *sql.DB, q string, maxRows int, args ...any) (*Result, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("access: %w", err)
	}
	defer rows.Close()
	return readAll(rows, maxRows)
}
