package jobs

import (
	"embed"
	"fmt"
)

//go:embed sql/*.sql
var sqlFS embed.FS

func mustSQL(name string) string {
	b, err := sqlFS.ReadFile("sql/" + name + ".sql")
	if err != nil {
		panic(fmt.Sprintf("jobs: embedded %s.sql: %v", name, err))
	}
	return string(b)
}

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
