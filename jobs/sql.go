package jobs

import (
	"embed"

	"attrib/warehouse"
)

//go:embed sql/*.sql
var sqlFS embed.FS

// sqlFiles records the embedded files read at start-up (sql_test.go checks
// that every embedded file is among them and every statement is used).
var sqlFiles = warehouse.NewSQLFiles(sqlFS)

// mustSQL reads sql/<name>.sql; called only in the variables below.
func mustSQL(name string) string { return sqlFiles.Must(name + ".sql") }

var (
	sqlRunStart       = mustSQL("run_start")
	sqlRunFinish      = mustSQL("run_finish")
	sqlRunInterrupted = mustSQL("run_interrupted")
	sqlRunSkipped     = mustSQL("run_skipped")
	sqlRecentRuns     = mustSQL("recent_runs")
	sqlNextTables     = mustSQL("next_tables")
	sqlExportParquet  = mustSQL("export_parquet")
	sqlExportCSV      = mustSQL("export_csv")
	sqlLastSuccess    = mustSQL("last_success")
)
