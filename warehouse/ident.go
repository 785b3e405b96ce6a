package warehouse

import "strings"

// QuoteIdent quotes a SQL identifier (table or column name) for DuckDB.
// It is the one place where a name is put into SQL text; values are always bound.
func QuoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// quoteSetting quotes a validated setting value for SET statements, which
// accept no bound parameters in DuckDB.
func quoteSetting(v string) string {
	return `'` + strings.ReplaceAll(v, `'`, `''`) + `'`
}
