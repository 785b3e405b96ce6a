package jobs

import (
	"embed"

	"attrib/warehouse"
)

//go:embed sql/*.sql
var sqlFS embed.FS

func mustSQL(name string) string { return warehouse.EmbeddedSQL(sqlFS, name+".sql") }

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
