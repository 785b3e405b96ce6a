package ingest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"attrib/config"
	"attrib/warehouse"
)

// Status is what happened to one file.
type Status string

// File outcomes.
const (
	Loaded     Status = "loaded"     // its good rows are in the warehouse
	Skipped    Status = "skipped"    // the same content was loaded before
	Incomplete Status = "incomplete" // still being written; tried again next run
	Failed     Status = "failed"     // nothing of it loaded; see Message
)

// FileResult accounts for every row of one file: Read = Loaded + Rejected + Duplicate.
type FileResult struct {
	Source    string
	Dataset   string
	Path      string
	LoadID    string
	Status    Status
	Read      int64
	Loaded    int64
	Rejected  int64
	Duplicate int64
	Message   string
	Duration  time.Duration
}

// Progress is told about each file; implementations draw bars or log lines.
type Progress interface {
	Start(path string, size int64)
	Done(FileResult)
}

// Options configure one ingest run.
type Options struct {
	Progress Progress         // may be nil
	Now      func() time.Time // for tests; default time.Now
}

// Report is the outcome of an ingest run.
type Report struct {
	Files []FileResult
}

// Failed reports files that failed to load.
func (r Report) Failed() []FileResult {
	var out []FileResult
	for _, f := range r.Files {
		if f.Status == Failed {
			out = append(out, f)
		}
	}
	return out
}

// Totals sums the row counts of all files.
func (r Report) Totals() (read, loaded, rejected, duplicate int64) {
	for _, f := range r.Files {
		read += f.Read
		loaded += f.Loaded
		rejected += f.Rejected
		duplicate += f.Duplicate
	}
	return
}

// Run loads every new file of every configured source, datasets in
// dependency order. A file that fails is recorded and reported, and the run
// goes on with the others; the error returned says how many failed.
func Run(ctx context.Context, w *warehouse.Warehouse, cfg *config.Config, opt Options) (Report, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	var rep Report
	for _, ds := range config.Datasets {
		for _, src := range cfg.Sources {
			if src.Dataset != ds.Name {
				continue
			}
			files, err := discover(cfg.Resolve(src.Path), src.DoneMarker)
			if err != nil {
				return rep, fmt.Errorf("ingest: source %s: %w", src.Name, err)
			}
			for _, path := range files {
				if err := ctx.Err(); err != nil {
					return rep, fmt.Errorf("ingest: %w", err)
				}
				if opt.Progress != nil {
					size := int64(0)
					if fi, err := os.Stat(path); err == nil {
						size = fi.Size()
					}
					opt.Progress.Start(path, size)
				}
				res := loadFile(ctx, w, cfg, ds, src, path, opt.Now)
				rep.Files = append(rep.Files, res)
				if opt.Progress != nil {
					opt.Progress.Done(res)
				}
				if ctx.Err() != nil {
					return rep, fmt.Errorf("ingest: %w", ctx.Err())
				}
			}
		}
	}
	if failed := rep.Failed(); len(failed) > 0 {
		return rep, fmt.Errorf("ingest: %d file(s) failed, first: %s: %s", len(failed), failed[0].Path, failed[0].Message)
	}
	return rep, nil
}

func newLoadID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return time.Now().UTC().Format("20060102T150405") + "-" + hex.EncodeToString(b[:])
}

// fingerprint hashes a file and checks that it did not change while read.
func fingerprint(path string) (sum string, size int64, mod time.Time, stable bool, err error) {
	before, err := os.Stat(path)
	if err != nil {
		return "", 0, time.Time{}, false, err
	}
	f, err := os.Open(path)
	if err != nil {
		return "", 0, time.Time{}, false, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, time.Time{}, false, err
	}
	after, err := os.Stat(path)
	if err != nil {
		return "", 0, time.Time{}, false, err
	}
	stable = n == before.Size() && after.Size() == before.Size() && after.ModTime().Equal(before.ModTime())
	return hex.EncodeToString(h.Sum(nil)), after.Size(), after.ModTime(), stable, nil
}

// loadFile loads one file; it never returns an error, only a result saying
// what happened, so that one bad file does not stop the others.
func loadFile(ctx context.Context, w *warehouse.Warehouse, cfg *config.Config, ds config.Dataset, src config.Source, path string, now func() time.Time) FileResult {
	start := now()
	res := FileResult{Source: src.Name, Dataset: ds.Name, Path: path, LoadID: newLoadID()}
	finish := func(st Status, msg string) FileResult {
		res.Status, res.Message, res.Duration = st, msg, time.Since(start)
		return res
	}
	sum, size, mod, stable, err := fingerprint(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return finish(Failed, "file vanished before it could be read")
		}
		return finish(Failed, err.Error())
	}
	if !stable {
		return finish(Incomplete, "file changed while being read (still being written?); it will be loaded by a later run")
	}
	record := func(tx execer, st Status, msg string) error {
		_, err := tx.ExecContext(ctx, sqlFileRecord, res.LoadID, src.Name, ds.Name, path, size, sum, mod, string(st),
			res.Read, res.Loaded, res.Rejected, res.Duplicate, start, msg)
		return err
	}

	var prior, priorPath string
	err = w.DB().QueryRowContext(ctx, sqlSeen, sum, ds.Name).Scan(&prior, &priorPath)
	switch {
	case err == nil:
		msg := fmt.Sprintf("same content as %s, loaded as %s", priorPath, prior)
		if err := record(w.DB(), Skipped, msg); err != nil {
			return finish(Failed, "record skip: "+err.Error())
		}
		return finish(Skipped, msg)
	case !errors.Is(err, sql.ErrNoRows):
		return finish(Failed, "look up earlier loads: "+err.Error())
	}

	err = w.Conn(ctx, func(c *sql.Conn) error {
		defer dropTemps(c)
		return loadOnConn(ctx, c, cfg, ds, src, path, now, &res, record)
	})
	if err != nil {
		if ctx.Err() != nil {
			return finish(Failed, "cancelled: "+ctx.Err().Error())
		}
		msg := err.Error()
		if res.Status == Failed && res.Message != "" {
			msg = res.Message
		}
		// Record the failure outside the file's transaction, so it is visible.
		res.Loaded, res.Duplicate = 0, 0
		_ = record(w.DB(), Failed, msg)
		return finish(Failed, msg)
	}
	return finish(Loaded, "")
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func dropTemps(c *sql.Conn) {
	_, _ = c.ExecContext(context.Background(), "DROP TABLE IF EXISTS stg; DROP TABLE IF EXISTS typed; DROP TABLE IF EXISTS rawrej; DROP TABLE IF EXISTS ingest_params")
}

func loadOnConn(ctx context.Context, c *sql.Conn, cfg *config.Config, ds config.Dataset, src config.Source,
	path string, now func() time.Time, res *FileResult, record func(execer, Status, string) error) error {
	fmtName, err := format(src, path)
	if err != nil {
		return err
	}
	readPath := path
	if enc := src.CSV.Encoding; enc != "" && !isUTF8(enc) {
		tmp, err := transcode(path, enc, cfg.Resolve(cfg.Warehouse.Path)+".tmp")
		if err != nil {
			return err
		}
		defer os.Remove(tmp)
		readPath = tmp
	}
	r := newReader(src, fmtName, readPath)
	cols, err := r.columns(ctx, c)
	if err != nil {
		return fmt.Errorf("read header: %w", err)
	}
	stg, args, err := stagingSQL(ds, src, r, cols)
	if err != nil {
		return err
	}
	ipad, opad := warehouse.HMACPads([]byte(cfg.PII.Key))
	if _, err := c.ExecContext(ctx, sqlParams, ipad, opad, cfg.PII.DefaultCountryCode, cfg.Currency,
		now().Add(cfg.Ingest.FutureTolerance.Duration)); err != nil {
		return fmt.Errorf("parameters: %w", err)
	}
	if _, err := c.ExecContext(ctx, stg, args...); err != nil {
		return fmt.Errorf("read: %w", err)
	}
	if _, err := c.ExecContext(ctx, typedSQL(ds.Name)); err != nil {
		return fmt.Errorf("validate: %w", err)
	}
	if err := c.QueryRowContext(ctx, sqlCounts).Scan(&res.Read, &res.Rejected); err != nil {
		return fmt.Errorf("count: %w", err)
	}
	if res.Read == 0 {
		// An empty or header-only file is loaded as zero rows: recorded, not an error.
		return inTx(ctx, c, func(tx *sql.Tx) error { return record(tx, Loaded, "no rows") })
	}
	if share := float64(res.Rejected) / float64(res.Read); share > *cfg.Ingest.RejectThreshold {
		first, _ := firstRejects(ctx, c, r.headerLines)
		res.Status = Failed
		res.Message = fmt.Sprintf("%d of %d rows (%.1f%%) are bad, over the reject threshold of %.1f%%; nothing loaded. First: %s",
			res.Rejected, res.Read, 100*share, 100**cfg.Ingest.RejectThreshold, first)
		return errors.New(res.Message)
	}
	if res.Rejected > 0 {
		q, a := rawRejectsSQL(src, r, cols)
		if _, err := c.ExecContext(ctx, q, a...); err != nil {
			return fmt.Errorf("collect rejected rows: %w", err)
		}
	} else if _, err := c.ExecContext(ctx, "CREATE OR REPLACE TEMP TABLE rawrej (__line BIGINT, raw VARCHAR)"); err != nil {
		return fmt.Errorf("collect rejected rows: %w", err)
	}
	return inTx(ctx, c, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, sqlRejects, res.LoadID, src.Name, path, r.headerLines); err != nil {
			return fmt.Errorf("record rejected rows: %w", err)
		}
		out, err := tx.ExecContext(ctx, insertSQL(ds.Name), src.Name, res.LoadID)
		if err != nil {
			return fmt.Errorf("insert: %w", err)
		}
		res.Loaded, _ = out.RowsAffected()
		res.Duplicate = res.Read - res.Rejected - res.Loaded
		return record(tx, Loaded, "")
	})
}

func firstRejects(ctx context.Context, c *sql.Conn, headerLines int64) (string, error) {
	rows, err := c.QueryContext(ctx, sqlFirstRejects)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var out string
	for rows.Next() {
		var line int64
		var field, reason string
		if err := rows.Scan(&line, &field, &reason); err != nil {
			return out, err
		}
		if out != "" {
			out += "; "
		}
		out += fmt.Sprintf("line %d %s: %s", line+headerLines, field, reason)
	}
	return out, rows.Err()
}

func inTx(ctx context.Context, c *sql.Conn, fn func(*sql.Tx) error) error {
	tx, err := c.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
