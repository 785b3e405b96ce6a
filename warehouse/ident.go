package warehouse

import "strings"

// QuoteIdent quotes a SQL identifier (table or column name) for DuckDB.
// It is the one place where a name is put into SQL text; values are always bound.
func QuoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// QuoteLiteral quotes a string literal for the statements that take no bound
// parameters in DuckDB (SET, ATTACH); only validated or generated values go
// through it.
func QuoteLiteral(v string) string {
	return `'` + strings.ReplaceAll(v, `'`, `''`) + `'`
}
