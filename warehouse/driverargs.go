package warehouse

import "database/sql/driver"

// NamedArgs numbers positional arguments for a statement run on a driver
// connection or statement (inside sql.Conn.Raw, where database/sql's own
// conversion is not there).
func NamedArgs(args []any) []driver.NamedValue {
	named := make([]driver.NamedValue, len(args))
	for i, a := range args {
		named[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
	}
	return named
}
