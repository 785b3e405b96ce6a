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
	"slices"
	"strings"
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

// Stepper may also be implemented by a Progress to hear each step of a file.
type Stepper interface {
	Step(path, step string)
}

// The steps of loading one file, in order.
const (
	StepHash     = "hash"     // sha256 and integrity of the bytes
	StepRead     = "read"     // the check pass: one scan reads, types, validates and counts
	StepValidate = "validate" // the reject threshold; the rejected rows and their raw records
	StepWrite    = "write"    // one transaction: rows (straight from the file), rejects, ingest_files
)

// Steps lists the steps in order, for progress bars.
var Steps = []string{StepHash, StepRead, StepValidate, StepWrite}

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
	stepper, _ := opt.Progress.(Stepper)
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
					at, _ := lookAt(path) // size 0 when it cannot be seen
					opt.Progress.Start(path, at.size)
				}
				res := loadFile(ctx, w, cfg, ds, src, path, opt.Now, stepper)
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

// afterFirstLook, when set by a test, runs between the first look at a file
// (its size and time) and the read that hashes it.
var afterFirstLook func(path string)

// errChanged says a file changed between the fingerprint and the commit.
var errChanged = errors.New("file changed while being loaded (still being written?); nothing of it loaded, a later run will load it")

// look is what a file looked like at one moment.
type look struct {
	size int64
	mod  time.Time
}

func lookAt(path string) (look, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return look{}, err
	}
	return look{fi.Size(), fi.ModTime()}, nil
}

// fingerprint hashes a file, checks a compressed file's integrity (a
// truncated gzip or zstd file would otherwise load its first part without an
// error), and checks that the file did not change while it was read.
func fingerprint(path string) (sum string, at look, stable bool, err error) {
	before, err := lookAt(path)
	if err != nil {
		return "", look{}, false, err
	}
	if afterFirstLook != nil {
		afterFirstLook(path)
	}
	f, err := os.Open(path)
	if err != nil {
		return "", look{}, false, err
	}
	defer f.Close()
	h := sha256.New()
	var n int64
	switch kind := compression(path); kind {
	case "":
		n, err = io.Copy(h, f)
	default:
		n, err = checkCompressed(io.TeeReader(f, h), kind)
	}
	if err != nil {
		return "", look{}, false, err
	}
	after, err := lookAt(path)
	if err != nil {
		return "", look{}, false, err
	}
	stable = n == before.size && after == before
	return hex.EncodeToString(h.Sum(nil)), after, stable, nil
}

// loadFile loads one file; it never returns an error, only a result saying
// what happened, so that one bad file does not stop the others.
func loadFile(ctx context.Context, w *warehouse.Warehouse, cfg *config.Config, ds config.Dataset, src config.Source, path string, now func() time.Time, stepper Stepper) FileResult {
	start, wall := now(), time.Now()
	// finished is when the file's outcome is recorded (on the clock of now).
	finished := func() time.Time { return start.Add(time.Since(wall)) }
	res := FileResult{Source: src.Name, Dataset: ds.Name, Path: path, LoadID: newLoadID()}
	finish := func(st Status, msg string) FileResult {
		res.Status, res.Message, res.Duration = st, msg, time.Since(wall)
		return res
	}
	step := func(name string) {
		if stepper != nil {
			stepper.Step(path, name)
		}
	}
	step(StepHash)
	sum, at, stable, err := fingerprint(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return finish(Failed, "file vanished before it could be read (moved or deleted by its producer?); nothing loaded")
		}
		var ce *corruptError
		if errors.As(err, &ce) {
			at, _ = lookAt(path)
			msg := ce.Error()
			_ = recordFile(ctx, w.DB(), &res, src, ds, path, at, "", start, finished(), Failed, msg)
			return finish(Failed, msg)
		}
		return finish(Failed, "read file: "+err.Error())
	}
	if !stable {
		return finish(Incomplete, "file changed while being read (still being written?); it will be loaded by a later run")
	}
	record := func(tx execer, st Status, msg string) error {
		return recordFile(ctx, tx, &res, src, ds, path, at, sum, start, finished(), st, msg)
	}

	var prior, priorPath string
	err = w.DB().QueryRowContext(ctx, sqlSeen, sum, ds.Name).Scan(&prior, &priorPath)
	switch {
	case err == nil:
		// The skip is in the run's report; ingest_files gains a row only
		// the first time this path with this content is seen (a copy under
		// another name), not on every run for a file already there.
		msg := fmt.Sprintf("same content as %s, loaded as %s", priorPath, prior)
		var n int64
		if err := w.DB().QueryRowContext(ctx, sqlRecorded, path, sum, ds.Name).Scan(&n); err != nil {
			return finish(Failed, "look up earlier loads: "+err.Error())
		}
		if n == 0 {
			if err := record(w.DB(), Skipped, msg); err != nil {
				return finish(Failed, "record skip: "+err.Error())
			}
		}
		return finish(Skipped, msg)
	case !errors.Is(err, sql.ErrNoRows):
		return finish(Failed, "look up earlier loads: "+err.Error())
	}

	err = w.Conn(ctx, func(c *sql.Conn) error {
		defer dropTemps(c)
		return loadOnConn(ctx, c, cfg, ds, src, path, at, now, &res, record, step)
	})
	if err != nil {
		if ctx.Err() != nil {
			return finish(Failed, "cancelled: "+ctx.Err().Error())
		}
		res.Loaded, res.Duplicate = 0, 0
		if errors.Is(err, errChanged) {
			res.Read, res.Rejected = 0, 0
			return finish(Incomplete, errChanged.Error())
		}
		msg := cleanMessage(err.Error())
		if res.Status == Failed && res.Message != "" {
			msg = res.Message
		}
		// Record the failure outside the file's transaction, so it is visible.
		_ = record(w.DB(), Failed, msg)
		return finish(Failed, msg)
	}
	return finish(Loaded, res.Message)
}

func recordFile(ctx context.Context, tx execer, res *FileResult, src config.Source, ds config.Dataset, path string,
	at look, sum string, start, finished time.Time, st Status, msg string) error {
	var mod any
	if !at.mod.IsZero() {
		mod = at.mod
	}
	var hash any
	if sum != "" {
		hash = sum
	}
	_, err := tx.ExecContext(ctx, sqlFileRecord, res.LoadID, src.Name, ds.Name, path, at.size, hash, mod, string(st),
		res.Read, res.Loaded, res.Rejected, res.Duplicate, start, finished, msg)
	if err != nil {
		return fmt.Errorf("record file: %w", err)
	}
	return nil
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func dropTemps(c *sql.Conn) {
	_, _ = c.ExecContext(context.Background(), sqlDropTemps)
}

func loadOnConn(ctx context.Context, c *sql.Conn, cfg *config.Config, ds config.Dataset, src config.Source,
	path string, at look, now func() time.Time, res *FileResult, record func(execer, Status, string) error, step func(string)) error {
	if at.size == 0 {
		// An empty file has no header and no rows: recorded as loaded with zero rows.
		res.Message = "empty file: no rows"
		return inTx(ctx, c, func(tx *sql.Tx) error { return record(tx, Loaded, res.Message) })
	}
	fmtName, err := format(src, path)
	if err != nil {
		return err
	}
	readPath := path
	if enc := src.CSV.Encoding; enc != "" && !isUTF8(enc) {
		tmp, err := transcode(path, enc, cfg.WarehousePath()+".tmp")
		if err != nil {
			return err
		}
		defer os.Remove(tmp)
		readPath = tmp
	}
	step(StepRead)
	r := newReader(src, fmtName, readPath)
	// readFile runs a statement that reads the file.
	readFile := func(q string, args ...any) error {
		if r.arrow {
			return execOverArrow(ctx, c, r, q, args)
		}
		_, err := c.ExecContext(ctx, q, args...)
		return err
	}
	var cols, types []string
	columns := func() (err error) {
		if r.lines {
			cols, types, err = jsonLineColumns(ctx, c, r)
			if err == nil && len(cols) == 0 {
				// No line is JSON: nothing to check the mapping against, and
				// every line is a rejected row anyway.
				cols, types = expectedColumns(ds, src), nil
			}
		} else {
			cols, types, err = r.columns(ctx, c)
		}
		if err != nil {
			return fmt.Errorf("read header: %w", err)
		}
		return nil
	}
	// typed returns the typing query over the file and its bound values.
	typedWith := func(r reader, line, reasons bool) (string, []any, error) {
		stg, args, native, err := stagingSelect(ds, src, r, cols, types, line)
		if err != nil {
			return "", nil, err
		}
		return typedSQL(ds.Name, stg, native, line, reasons), args, nil
	}
	typed := func(line, reasons bool) (string, []any, error) { return typedWith(r, line, reasons) }
	// rawPass runs a query over the raw records of the file; an Arrow file
	// is handed over with every column (the raw record has them all).
	rawPass := func(q string, args []any) error {
		if r.arrow {
			whole := r
			whole.keep = nil
			return execOverArrow(ctx, c, whole, q, args)
		}
		_, err := c.ExecContext(ctx, q, args...)
		return err
	}
	// toLines switches an NDJSON file that DuckDB's reader refuses to the
	// line-by-line reader, where each bad line is one rejected row.
	toLines := func(err error) bool {
		if !r.json || r.lines || !malformedJSON(err) {
			return false
		}
		r = jsonLines(src, readPath)
		return true
	}
	if err := columns(); err != nil {
		if !toLines(err) {
			return err
		}
		if err := columns(); err != nil {
			return err
		}
	}
	if _, _, err := typed(false, false); err != nil {
		return err // a mapping that does not fit the file, before any work
	}
	// An Arrow file is handed over with the columns the typing reads only.
	if r.arrow && !r.lines {
		if r.keep, err = usedColumns(ds, src, r, cols); err != nil {
			return err
		}
	}
	ipad, opad := warehouse.HMACPads([]byte(cfg.PII.Key))
	if _, err := c.ExecContext(ctx, sqlParams, ipad, opad, cfg.PII.DefaultCountryCode, cfg.Currency,
		now().Add(cfg.Ingest.FutureTolerance.Duration)); err != nil {
		return fmt.Errorf("parameters: %w", err)
	}
	if r.csv {
		if _, err := c.ExecContext(ctx, sqlDropCSVRejects); err != nil {
			return fmt.Errorf("reset csv rejects: %w", err)
		}
	}
	// A small file is read once, into a temp table that every later step
	// reads instead of the file: for small files the fixed cost of each scan
	// (opening, sniffing) outweighs what streaming saves.
	small := at.size < smallFileBytes
	if !small && !r.lines {
		tried, done, err := fastLoad(ctx, c, ds, src, path, at, r, givesIDs(ds, src, cols), typed, res, record, step)
		if done || err != nil {
			return err
		}
		if tried {
			// Refused: nothing of the file was written; the full path follows.
			if r.csv {
				if _, err := c.ExecContext(ctx, sqlDropCSVRejects); err != nil {
					return fmt.Errorf("reset csv rejects: %w", err)
				}
			}
			step(StepRead)
		}
	}
	// The check pass: read, type, validate and hash in one parallel scan that
	// stores counts (and the rejected rows' content keys, fields and reasons).
	rejectKey := "" // the content key the check pass kept the rejected rows by (rowKey), if it did
	checkPass := func() error {
		if small {
			q, args, err := typed(true, true)
			if err != nil {
				return err
			}
			if err := readFile(smallFileSQL(q), args...); err != nil {
				return err
			}
			_, err = c.ExecContext(ctx, countsSQL(ds.Name, smallFileSelect(true, true), false, false))
			return err
		}
		// The rejected rows are kept by content key (see keyedRejects),
		// except for NDJSON read line by line, whose rows carry their lines.
		keyed := !r.lines
		rejectKey = ""
		kr := r
		if keyed {
			rejectKey = rowKey(r, cols)
			kr.lineExpr = rejectKey // __line holds the key
		}
		q, args, err := typedWith(kr, keyed, keyed)
		if err != nil {
			return err
		}
		// Only the given ids are hashed when the file has an id column; not
		// for an Arrow file, whose view must be scanned whole (withArrowView).
		return readFile(countsSQL(ds.Name, q, givesIDs(ds, src, cols) && !(r.arrow && !r.lines), keyed), args...)
	}
	if err := checkPass(); err != nil {
		if !toLines(err) {
			return fmt.Errorf("read: %w", err)
		}
		if err := columns(); err != nil {
			return err
		}
		if err := checkPass(); err != nil {
			return fmt.Errorf("read: %w", err)
		}
	}
	step(StepValidate)
	switch {
	case r.csv:
		if _, err := c.ExecContext(ctx, sqlCSVRejects, r.headerLines); err != nil {
			return fmt.Errorf("collect unreadable records: %w", err)
		}
	case r.lines:
		if err := readFile(sqlJSONLineRejects); err != nil {
			return fmt.Errorf("collect unreadable lines: %w", err)
		}
	default:
		if _, err := c.ExecContext(ctx, sqlNoCSVRejects); err != nil {
			return fmt.Errorf("collect unreadable records: %w", err)
		}
	}
	var rows, bad, distinctIDs, noID, unreadable int64
	if err := c.QueryRowContext(ctx, sqlCheckCounts).Scan(&rows, &bad, &distinctIDs, &noID, &unreadable); err != nil {
		return fmt.Errorf("count: %w", err)
	}
	res.Read, res.Rejected = rows+unreadable, bad+unreadable
	if res.Read == 0 {
		// A header-only file is loaded as zero rows: recorded, not an error.
		res.Message = "no rows"
		return inTx(ctx, c, func(tx *sql.Tx) error { return record(tx, Loaded, res.Message) })
	}
	share := float64(res.Rejected) / float64(res.Read)
	over := share > *cfg.Ingest.RejectThreshold
	// The physical lines of a CSV file's rejected rows come from a scan of
	// the file in Go, which runs while DuckDB collects the rejected rows
	// (numbering them is a scan on one thread: the other core is free).
	var lineScan chan csvLineScan
	if r.csv && res.Rejected > 0 {
		unreadable, err := int64Set(ctx, c, sqlCSVRejectLines)
		if err != nil {
			return fmt.Errorf("collect unreadable records: %w", err)
		}
		lineScan = make(chan csvLineScan, 1) // never blocks: an early return leaves it behind
		go func(r reader) {
			lines, err := scanCSVLines(ctx, r, readPath, unreadable)
			lineScan <- csvLineScan{lines, err}
		}(r)
	}
	rawDone := false // rawrej is filled (by keyedRejects)
	// The rejects passes, only for a file with rows that failed validation:
	// their lines, fields and reasons, then (unless the file fails anyway)
	// their raw records.
	switch {
	case bad > 0 && small:
		if _, err := c.ExecContext(ctx, typedRejectsSQL(smallFileSelect(true, true))); err != nil {
			return fmt.Errorf("collect rejected rows: %w", err)
		}
	case bad > 0:
		// First by content, in parallel (see keyedRejects); by record number,
		// a serial scan that types every row, when that does not add up.
		if rejectKey != "" {
			rq, ra := rawRejectsSQL(src, r, cols, rejectKey)
			if rawDone, err = keyedRejects(ctx, c, bad, rq, ra, rawPass); err != nil {
				return fmt.Errorf("collect rejected rows: %w", err)
			}
		}
		if !rawDone {
			serialRejectScans.Add(1)
			q, args, err := typed(true, true)
			if err != nil {
				return err
			}
			if err := readFile(typedRejectsSQL(q), args...); err != nil {
				return fmt.Errorf("collect rejected rows: %w", err)
			}
		}
	default:
		if _, err := c.ExecContext(ctx, sqlNoTypedRejects); err != nil {
			return fmt.Errorf("collect rejected rows: %w", err)
		}
	}
	switch {
	case rawDone:
	case bad > 0 && !over:
		q, a := rawRejectsSQL(src, r, cols, "")
		if err := rawPass(q, a); err != nil {
			return fmt.Errorf("collect rejected rows: %w", err)
		}
	default:
		if _, err := c.ExecContext(ctx, sqlNoRawRejects); err != nil {
			return fmt.Errorf("collect rejected rows: %w", err)
		}
	}
	if _, err := c.ExecContext(ctx, sqlCSVMapCreate); err != nil {
		return fmt.Errorf("collect rejected rows: %w", err)
	}
	if lineScan != nil {
		scan := <-lineScan
		if scan.err != nil {
			return fmt.Errorf("line numbers of rejected rows: %w", scan.err)
		}
		if err := mapCSVLines(ctx, c, scan.lines, rows); err != nil {
			return fmt.Errorf("line numbers of rejected rows: %w", err)
		}
	}
	if _, err := c.ExecContext(ctx, sqlAllRejects, r.headerLines); err != nil {
		return fmt.Errorf("collect rejected rows: %w", err)
	}
	if over {
		first, _ := firstRejects(ctx, c)
		res.Status = Failed
		res.Message = fmt.Sprintf("%d of %d rows (%.1f%%) are bad, over the reject threshold of %.1f%%; nothing loaded. First: %s",
			res.Rejected, res.Read, 100*share, 100**cfg.Ingest.RejectThreshold, first)
		return errors.New(res.Message)
	}
	step(StepWrite)
	// The write pass reads the file once more, straight into the table: only
	// a file that repeats an id pays for the record numbers of the
	// first-occurrence rule, only a file with rejected rows for the filter.
	good := rows - bad
	// Good rows without an id of their own were not hashed in the check:
	// dedupe then, to be safe.
	dedupe := noID > 0 || distinctIDs < good
	var insert string
	insertArgs := []any{src.Name, res.LoadID}
	if small {
		insert = insertSQL(ds.Name, smallFileSelect(dedupe, false), bad > 0, dedupe)
	} else {
		q, args, err := typed(dedupe, false)
		if err != nil {
			return err
		}
		insert = insertSQL(ds.Name, q, bad > 0, dedupe)
		insertArgs = append(insertArgs, args...)
	}
	write := func(tx execer) error {
		if _, err := tx.ExecContext(ctx, sqlRejects, res.LoadID, src.Name, path); err != nil {
			return fmt.Errorf("record rejected rows: %w", err)
		}
		out, err := tx.ExecContext(ctx, insert, insertArgs...)
		if err != nil {
			return fmt.Errorf("insert: %w", err)
		}
		res.Loaded, _ = out.RowsAffected()
		// The file must still be what was hashed and checked: otherwise its
		// rows, its counts and its sha256 would not belong together.
		if now, err := lookAt(path); err != nil || now != at || res.Loaded > good {
			return errChanged
		}
		res.Duplicate = res.Read - res.Rejected - res.Loaded
		return record(tx, Loaded, "")
	}
	if r.arrow && !small {
		return withArrowView(ctx, c, r, write)
	}
	return inTx(ctx, c, func(tx *sql.Tx) error { return write(tx) })
}

// givesIDs reports whether the file has a column for the dataset's row id
// (mapped or by name).
func givesIDs(ds config.Dataset, src config.Source, cols []string) bool {
	id := tables[ds.Name].ID
	if _, ok := src.Columns[id]; ok {
		return true
	}
	return slices.ContainsFunc(cols, func(c string) bool { return strings.EqualFold(c, id) })
}

// malformedJSON tells DuckDB's refusal of an NDJSON file with a line that is
// not JSON (or not UTF-8) from other errors.
func malformedJSON(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "Malformed JSON") || strings.Contains(msg, "UTF8") || strings.Contains(msg, "UTF-8")
}

// expectedColumns are the file columns a source's mapping expects.
func expectedColumns(ds config.Dataset, src config.Source) []string {
	var out []string
	for _, col := range ds.Columns {
		if _, ok := src.Constants[col.Name]; ok {
			continue
		}
		name, _ := fileColumn(src, col.Name)
		out = append(out, name)
	}
	return out
}

// jsonLineColumns lists the keys of the first good lines of an NDJSON file
// read line by line (see jsonLines); they are all text.
func jsonLineColumns(ctx context.Context, c *sql.Conn, r reader) (names, types []string, err error) {
	if err := execOverArrow(ctx, c, r, sqlJSONLineKeys, nil); err != nil {
		return nil, nil, err
	}
	return nameTypes(c.QueryContext(ctx, sqlJSONLineKeysList))
}

func firstRejects(ctx context.Context, c *sql.Conn) (string, error) {
	rows, err := c.QueryContext(ctx, sqlFirstRejects)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var out string
	for rows.Next() {
		var line int64
		var field sql.NullString
		var reason string
		if err := rows.Scan(&line, &field, &reason); err != nil {
			return out, err
		}
		if out != "" {
			out += "; "
		}
		out += fmt.Sprintf("line %d %s: %s", line, field.String, reason)
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
