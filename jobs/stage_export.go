package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"attrib/warehouse"
)

// exportStage writes a snapshot of each configured table (export.tables,
// read from the warehouse) in each configured format into the export folder
// (export.dir), on a connection of its own.
func exportStage(tables []string) Stage {
	return Stage{Name: "export", Reads: tables, Run: runExport}
}

func runExport(ctx context.Context, s *Session) (int64, string, error) {
	files, rows, err := s.export(ctx)
	s.Exported = files
	return rows, "", err
}

// export writes a snapshot of each configured table in each configured format
// into the export folder. Every file is written under a hidden temporary name
// in the same folder and renamed over the previous snapshot, so a reader sees
// the old file or the new one, never half of one.
func (s *Session) export(ctx context.Context) (files []string, rows int64, err error) {
	ex := s.Cfg.Export
	dir := s.Cfg.Resolve(ex.Dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, 0, fmt.Errorf("export: create %s: %w", dir, err)
	}
	err = s.W.Conn(ctx, func(c *sql.Conn) error {
		for _, table := range ex.Tables {
			var n int64
			if err := c.QueryRowContext(ctx, "SELECT count(*) FROM "+warehouse.QuoteIdent(table)).Scan(&n); err != nil {
				return fmt.Errorf("export %s: %w", table, err)
			}
			rows += n
			for _, format := range ex.Formats {
				stmt := sqlExportParquet
				if format == "csv" {
					stmt = sqlExportCSV
				}
				stmt = strings.ReplaceAll(stmt, "{{table}}", warehouse.QuoteIdent(table))
				final := filepath.Join(dir, table+"."+format)
				tmp := filepath.Join(dir, "."+table+"."+format+".tmp-"+s.RunID)
				if err := snapshot(ctx, c, stmt, tmp, final); err != nil {
					return fmt.Errorf("export %s as %s: %w", table, format, err)
				}
				files = append(files, final)
			}
		}
		return nil
	})
	return files, rows, err
}

// snapshot runs the COPY statement stmt into tmp, flushes the file to disk
// and renames it to final; on failure tmp is removed.
func snapshot(ctx context.Context, c *sql.Conn, stmt, tmp, final string) error {
	_, err := c.ExecContext(ctx, stmt, tmp)
	if err == nil {
		err = syncFile(tmp)
	}
	if err == nil {
		err = os.Rename(tmp, final)
	}
	if err != nil {
		_ = os.Remove(tmp)
	}
	return err
}

// syncFile flushes a written file to disk before it is renamed into place.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	return errors.Join(f.Sync(), f.Close())
}
