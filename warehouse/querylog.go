package warehouse

import "embed"

//go:embed sql/query_log.sql
var queryLogFS embed.FS

var sqlQueryLog = NewSQLFiles(queryLogFS).Must("query_log.sql")
