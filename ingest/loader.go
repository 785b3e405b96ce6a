package ingest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"time"

	"attrib/config"
	"attrib/warehouse"
)

// loader loads one file into its dataset's table. Run makes one per file
// and calls load, which runs the steps below in order, one method each:
//
//	skipUnchanged   the same path, size and modification time as a file loaded before: skipped unread
//	hash            fingerprint: sha256, integrity, the file did not change (and a large NDJSON file's scan, jsoncols.go)
//	skipSeen        the same content loaded before: skipped
//	open            format, transcoding, the reader
//	readColumns     the file's columns (NDJSON falls back to lines)
//	setParams       the typing query's constants (PII key, future limit...)
//	tryFast         the fast path (fastpath.go): a clean large file in one scan
//	check           the check pass: counts, rejected rows' keys and reasons
//	collectRejects  the rejected rows, their lines and raw records
//	writeRows       one transaction: rows, rejected rows, ingest_files
//
// load never fails: what happened is in the FileResult it returns, so that
// one bad file does not stop the others.
type loader struct {
	ctx     context.Context
	w       *warehouse.Warehouse
	cfg     *config.Config
	ds      config.Dataset
	src     config.Source
	path    string
	now     func() time.Time
	stepper Stepper // may be nil

	res   FileResult
	start time.Time // when the load began, on the clock of now
	wall  time.Time // the same moment on the wall clock
	sum   string    // the file's sha256; "" when it could not be hashed
	at    look      // the file as it was hashed
	scan  *jsonScan // what a scan of an NDJSON file's bytes found, if it was scanned (jsoncols.go)

	// Set on the load's connection (loadOnConn).
	c           *sql.Conn
	readPath    string // the file DuckDB reads: path, or its UTF-8 copy
	copied      bool   // readPath is a transcoded copy, removed after the load
	r           reader
	cols, types []string    // the file's columns and their DuckDB types
	small       bool        // read once into the temp table smallfile
	rejectKey   string      // the content key the check pass kept rejected rows by (rowKey), if it did
	sigCap      int64       // > 0: the check pass kept up to this many rejected objects' signatures (ndjsonrejects.go)
	n           checkCounts // what the check pass counted
	over        bool        // the rejected share is over the reject threshold
	existing    bool        // the dataset's table had rows before this load (earlier loads' ids to look for)
}

// checkCounts are what the check pass counted (check_counts.sql).
type checkCounts struct {
	rows, bad, distinctIDs, noID, unreadable int64
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func dropTemps(c *sql.Conn) {
	_, _ = c.ExecContext(context.Background(), sqlDropTemps)
}

// load loads the file and says what happened.
func (l *loader) load() FileResult {
	l.start, l.wall = l.now(), time.Now()
	l.res = FileResult{Source: l.src.Name, Dataset: l.ds.Name, Path: l.path, LoadID: newLoadID()}
	l.step(StepHash)
	if res, done := l.skipUnchanged(); done {
		return res
	}
	if res, done := l.hash(); done {
		return res
	}
	if res, done := l.skipSeen(); done {
		return res
	}
	err := l.w.Conn(l.ctx, func(c *sql.Conn) error {
		defer dropTemps(c)
		l.c = c
		return l.loadOnConn()
	})
	if err != nil {
		return l.fail(err)
	}
	return l.finish(Loaded, l.res.Message)
}

// finished is when the file's outcome is recorded (on the clock of now).
func (l *loader) finished() time.Time { return l.start.Add(time.Since(l.wall)) }

// finish is the result with its status and message.
func (l *loader) finish(st Status, msg string) FileResult {
	l.res.Status, l.res.Message, l.res.Duration = st, msg, time.Since(l.wall)
	return l.res
}

// step tells the Stepper, if any, that a step begins.
func (l *loader) step(name string) {
	if l.stepper != nil {
		l.stepper.Step(l.path, name)
	}
}

// record writes the file's row of ingest_files with tx.
func (l *loader) record(tx execer, st Status, msg string) error {
	var mod any
	if !l.at.mod.IsZero() {
		mod = l.at.mod
	}
	var hash any
	if l.sum != "" {
		hash = l.sum
	}
	res := &l.res
	_, err := tx.ExecContext(l.ctx, sqlFileRecord, res.LoadID, l.src.Name, l.ds.Name, l.path, l.at.size, hash, mod, string(st),
		res.Read, res.Loaded, res.Rejected, res.Duplicate, l.start, l.finished(), msg)
	if err != nil {
		return fmt.Errorf("record file: %w", err)
	}
	return nil
}

// recordOnly commits the file as loaded with no rows and the message res.Message.
func (l *loader) recordOnly() error {
	return inTx(l.ctx, l.c, func(tx *sql.Tx) error { return l.record(tx, Loaded, l.res.Message) })
}

// hash fingerprints the file (done: the load ends with the result).
func (l *loader) hash() (res FileResult, done bool) {
	if l.wantsJSONScan() {
		l.scan = newJSONScan()
	}
	sum, at, stable, err := fingerprint(l.path, l.scanWriter())
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return l.finish(Failed, "file vanished before it could be read (moved or deleted by its producer?); nothing loaded"), true
		}
		var ce *corruptError
		if errors.As(err, &ce) {
			l.at, _ = lookAt(l.path)
			msg := ce.Error()
			_ = l.record(l.w.DB(), Failed, msg)
			return l.finish(Failed, msg), true
		}
		return l.finish(Failed, "read file: "+err.Error()), true
	}
	if !stable {
		return l.finish(Incomplete, "file changed while being read (still being written?); it will be loaded by a later run"), true
	}
	l.sum, l.at = sum, at
	return FileResult{}, false
}

// skipUnchanged skips, without reading it, a file whose path, size and
// modification time are those of a file loaded (or skipped as a copy)
// before: a daily run then costs what the new files cost, not a hash of
// every file under the sources' globs (19 GB at 18 M people). A file that
// cannot be looked at is left to hash, which reports why.
func (l *loader) skipUnchanged() (res FileResult, done bool) {
	at, err := lookAt(l.path)
	if err != nil {
		return FileResult{}, false
	}
	var prior string
	err = l.w.DB().QueryRowContext(l.ctx, sqlUnchanged, l.path, l.ds.Name, at.size, at.mod.UnixMicro()).Scan(&prior)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return FileResult{}, false
	case err != nil:
		return l.finish(Failed, "look up earlier loads: "+err.Error()), true
	}
	return l.finish(Skipped, fmt.Sprintf("unchanged since loaded as %s (same size and modification time); not read again", prior)), true
}

// skipSeen skips a file whose content was loaded before (done: the load
// ends with the result).
func (l *loader) skipSeen() (res FileResult, done bool) {
	var prior, priorPath string
	err := l.w.DB().QueryRowContext(l.ctx, sqlSeen, l.sum, l.ds.Name).Scan(&prior, &priorPath)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return FileResult{}, false
	case err != nil:
		return l.finish(Failed, "look up earlier loads: "+err.Error()), true
	}
	// The skip is in the run's report; ingest_files gains a row only the
	// first time this path with this content is seen (a copy under another
	// name), not on every run for a file already there.
	msg := fmt.Sprintf("same content as %s, loaded as %s", priorPath, prior)
	var n int64
	if err := l.w.DB().QueryRowContext(l.ctx, sqlRecorded, l.path, l.sum, l.ds.Name).Scan(&n); err != nil {
		return l.finish(Failed, "look up earlier loads: "+err.Error()), true
	}
	if n == 0 {
		if err := l.record(l.w.DB(), Skipped, msg); err != nil {
			return l.finish(Failed, "record skip: "+err.Error()), true
		}
	}
	return l.finish(Skipped, msg), true
}

// fail is the result of a load that ended with err; a failure is recorded
// outside the file's transaction, so that it is visible.
func (l *loader) fail(err error) FileResult {
	if l.ctx.Err() != nil {
		return l.finish(Failed, "cancelled: "+l.ctx.Err().Error())
	}
	l.res.Loaded, l.res.Duplicate = 0, 0
	if errors.Is(err, errChanged) {
		l.res.Read, l.res.Rejected = 0, 0
		return l.finish(Incomplete, errChanged.Error())
	}
	msg := cleanMessage(err.Error())
	if l.res.Status == Failed && l.res.Message != "" {
		msg = l.res.Message
	}
	_ = l.record(l.w.DB(), Failed, msg)
	return l.finish(Failed, msg)
}

// loadOnConn runs the steps that read the file, on one connection.
func (l *loader) loadOnConn() error {
	if l.at.size == 0 {
		// An empty file has no header and no rows: recorded as loaded with zero rows.
		l.res.Message = "empty file: no rows"
		return l.recordOnly()
	}
	err := l.open()
	defer l.removeCopy()
	if err != nil {
		return err
	}
	if err := l.readColumns(); err != nil {
		return err
	}
	if err := l.setParams(); err != nil {
		return err
	}
	if err := l.c.QueryRowContext(l.ctx, tableHasRowsSQL(l.ds.Name)).Scan(&l.existing); err != nil {
		return fmt.Errorf("earlier loads: %w", err)
	}
	// A small file is read once, into a temp table that every later step
	// reads instead of the file: for small files the fixed cost of each scan
	// (opening, sniffing) outweighs what streaming saves.
	l.small = l.at.size < smallFileBytes
	if !l.small && !l.r.lines {
		if done, err := l.tryFast(); done || err != nil {
			return err
		}
	}
	if err := l.check(); err != nil {
		return err
	}
	if l.res.Read == 0 {
		// A header-only file is loaded as zero rows: recorded, not an error.
		l.res.Message = "no rows"
		return l.recordOnly()
	}
	if err := l.collectRejects(); err != nil {
		return err
	}
	if l.over {
		share := float64(l.res.Rejected) / float64(l.res.Read)
		first, _ := firstRejects(l.ctx, l.c)
		l.res.Status = Failed
		l.res.Message = fmt.Sprintf("%d of %d rows (%.1f%%) are bad, over the reject threshold of %.1f%%; nothing loaded. First: %s",
			l.res.Rejected, l.res.Read, 100*share, 100**l.cfg.Ingest.RejectThreshold, first)
		return errors.New(l.res.Message)
	}
	l.step(StepWrite)
	return l.writeRows()
}

// open tells the file's format, transcodes a file that is not UTF-8 into
// a copy, and makes the reader.
func (l *loader) open() error {
	fmtName, err := format(l.src, l.path)
	if err != nil {
		return err
	}
	l.readPath = l.path
	if enc := l.src.CSV.Encoding; enc != "" && !isUTF8(enc) {
		tmp, err := transcode(l.path, enc, l.cfg.WarehousePath()+".tmp")
		if err != nil {
			return err
		}
		l.readPath, l.copied = tmp, true
	}
	l.step(StepRead)
	l.r = newReader(l.src, fmtName, l.readPath)
	return nil
}

// removeCopy removes the transcoded copy, if any.
func (l *loader) removeCopy() {
	if l.copied {
		_ = os.Remove(l.readPath)
	}
}

// readColumns reads the file's columns (an NDJSON file DuckDB refuses
// switches to lines) and checks the mapping against them, before any work.
func (l *loader) readColumns() error {
	if err := l.columns(); err != nil {
		if !l.toLines(err) {
			return err
		}
		if err := l.columns(); err != nil {
			return err
		}
	}
	if _, _, err := l.typed(false, false); err != nil {
		return err // a mapping that does not fit the file, before any work
	}
	// An Arrow file is handed over with the columns the typing reads only.
	if l.r.arrow && !l.r.lines {
		var err error
		if l.r.keep, err = usedColumns(l.ds, l.src, l.r, l.cols); err != nil {
			return err
		}
	}
	return nil
}

// columns lists the file's columns and types.
func (l *loader) columns() (err error) {
	if l.r.lines {
		l.cols, l.types, err = jsonLineColumns(l.ctx, l.c, l.r)
		if err == nil && len(l.cols) == 0 {
			// No line is JSON: nothing to check the mapping against, and
			// every line is a rejected row anyway.
			l.cols, l.types = expectedColumns(l.ds, l.src), nil
		}
	} else {
		l.cols, l.types, err = l.r.columns(l.ctx, l.c)
	}
	if err != nil {
		return fmt.Errorf("read header: %w", err)
	}
	return nil
}

// toLines switches an NDJSON file that DuckDB's reader refuses to the
// line-by-line reader, where each bad line is one rejected row.
func (l *loader) toLines(err error) bool {
	if !l.r.json || l.r.lines || !malformedJSON(err) {
		return false
	}
	l.r = jsonLines(l.src, l.readPath)
	return true
}

// setParams writes the typing query's per-file constants (ingest_params)
// and empties the CSV reader's rejects tables.
func (l *loader) setParams() error {
	ipad, opad := warehouse.HMACPads([]byte(l.cfg.PII.Key))
	if _, err := l.c.ExecContext(l.ctx, sqlParams, ipad, opad, l.cfg.PII.DefaultCountryCode, l.cfg.Currency,
		l.now().Add(l.cfg.Ingest.FutureTolerance.Duration)); err != nil {
		return fmt.Errorf("parameters: %w", err)
	}
	return l.resetCSVRejects()
}

// resetCSVRejects empties the CSV reader's rejects tables of a CSV file.
func (l *loader) resetCSVRejects() error {
	if !l.r.csv {
		return nil
	}
	if _, err := l.c.ExecContext(l.ctx, sqlDropCSVRejects); err != nil {
		return fmt.Errorf("reset csv rejects: %w", err)
	}
	return nil
}

// typedWith returns the typing query over the file as read by r and its
// bound values.
func (l *loader) typedWith(r reader, line, reasons bool) (string, []any, error) {
	return l.typedOver(r, l.cols, l.types, line, reasons)
}

// typedOver is typedWith over a reader whose columns and types are given.
func (l *loader) typedOver(r reader, cols, types []string, line, reasons bool) (string, []any, error) {
	stg, args, native, err := stagingSelect(l.ds, l.src, r, cols, types, line)
	if err != nil {
		return "", nil, err
	}
	return typedSQL(l.ds.Name, stg, native, line, reasons), args, nil
}

// typed is typedWith over the loader's reader.
func (l *loader) typed(line, reasons bool) (string, []any, error) {
	return l.typedWith(l.r, line, reasons)
}

// readFile runs a statement that reads the file.
func (l *loader) readFile(q string, args ...any) error {
	if l.r.arrow {
		return execOverArrow(l.ctx, l.c, l.r, q, args)
	}
	_, err := l.c.ExecContext(l.ctx, q, args...)
	return err
}

// rawPass runs a query over the raw records of the file; an Arrow file is
// handed over with every column (the raw record has them all).
func (l *loader) rawPass(q string, args []any) error {
	if l.r.arrow {
		whole := l.r
		whole.keep = nil
		return execOverArrow(l.ctx, l.c, whole, q, args)
	}
	_, err := l.c.ExecContext(l.ctx, q, args...)
	return err
}

// tryFast tries the fast path (fastLoad); done means the load ends here,
// with err. A refused file leaves nothing written, and the full path follows.
func (l *loader) tryFast() (done bool, err error) {
	tried, done, err := l.fastLoad()
	if done || err != nil {
		return true, err
	}
	if tried {
		if err := l.resetCSVRejects(); err != nil {
			return true, err
		}
		l.step(StepRead)
	}
	return false, nil
}

// check runs the check pass (an NDJSON file DuckDB refuses switches to
// lines), collects the records the reader could not read and counts.
func (l *loader) check() error {
	if err := l.checkPass(); err != nil {
		if !l.toLines(err) {
			return fmt.Errorf("read: %w", err)
		}
		if err := l.columns(); err != nil {
			return err
		}
		if err := l.checkPass(); err != nil {
			return fmt.Errorf("read: %w", err)
		}
	}
	l.step(StepValidate)
	var err error
	switch {
	case l.r.csv:
		_, err = l.c.ExecContext(l.ctx, sqlCSVRejects, l.r.headerLines)
	case l.r.lines:
		if err := l.readFile(sqlJSONLineRejects); err != nil {
			return fmt.Errorf("collect unreadable lines: %w", err)
		}
	default:
		_, err = l.c.ExecContext(l.ctx, sqlNoCSVRejects)
	}
	if err != nil {
		return fmt.Errorf("collect unreadable records: %w", err)
	}
	n := &l.n
	if err := l.c.QueryRowContext(l.ctx, sqlCheckCounts).Scan(&n.rows, &n.bad, &n.distinctIDs, &n.noID, &n.unreadable); err != nil {
		return fmt.Errorf("count: %w", err)
	}
	l.res.Read, l.res.Rejected = n.rows+n.unreadable, n.bad+n.unreadable
	if l.res.Read > 0 {
		l.over = float64(l.res.Rejected)/float64(l.res.Read) > *l.cfg.Ingest.RejectThreshold
	}
	return nil
}

// checkPass reads, types, validates and hashes in one parallel scan that
// stores counts (and the rejected rows' content keys, fields and reasons).
func (l *loader) checkPass() error {
	if l.small {
		q, args, err := l.typed(true, true)
		if err != nil {
			return err
		}
		if err := l.readFile(smallFileSQL(q), args...); err != nil {
			return err
		}
		_, err = l.c.ExecContext(l.ctx, countsSQL(l.ds.Name, smallFileSelect(true, true), false, false, false, false))
		return err
	}
	// The rejected rows are kept by content key (see keyedRejects),
	// except for NDJSON read line by line, whose rows carry their lines.
	keyed := !l.r.lines
	l.rejectKey = ""
	kr := l.r
	if keyed {
		l.rejectKey = rowKey(l.r, l.cols)
		kr.lineExpr = l.rejectKey // __line holds the key
	}
	// A streamed NDJSON file's rejected objects are also kept by signature
	// (ndjsonrejects.go): __line then holds the object's text, and the key is
	// computed for the rejected rows only.
	if l.sigCap = l.rejectSigCap(); l.sigCap > 0 {
		kr.lineExpr = "json"
	}
	// Only the given ids are hashed when the file has an id column; not
	// for an Arrow file, whose view must be scanned whole (withArrowView).
	// Without one, every row's id is made from its content, whose hash is
	// counted instead of the id (an md5).
	fileIDs := givesIDs(l.ds, l.src, l.cols) && hasGivenID(l.ds.Name)
	givenID := fileIDs && !(l.r.arrow && !l.r.lines)
	stg, args, native, err := stagingSelect(l.ds, l.src, kr, l.cols, l.types, keyed)
	if err != nil {
		return err
	}
	contentKey := !fileIDs
	q := typedSQLKeyed(l.ds.Name, stg, native, keyed, keyed, contentKey)
	if l.sigCap > 0 {
		args = append([]any{l.sigCap}, args...)
	}
	return l.readFile(countsSQL(l.ds.Name, q, givenID, keyed, contentKey, l.sigCap > 0), args...)
}

// collectRejects fills the temp table allrej with the rejected rows: their
// lines, fields and reasons, and (unless the file fails anyway) their raw
// records.
func (l *loader) collectRejects() error {
	// The physical lines of a CSV file's rejected rows come from a scan of
	// the file in Go, which runs while DuckDB collects the rejected rows
	// (numbering them is a scan on one thread: the other core is free).
	var lineScan chan csvLineScan
	if l.r.csv && l.res.Rejected > 0 {
		unreadable, err := int64Set(l.ctx, l.c, sqlCSVRejectLines)
		if err != nil {
			return fmt.Errorf("collect unreadable records: %w", err)
		}
		lineScan = make(chan csvLineScan, 1) // never blocks: an early return leaves it behind
		go func(ctx context.Context, r reader, path string) {
			lines, err := scanCSVLines(ctx, r, path, unreadable)
			lineScan <- csvLineScan{lines, err}
		}(l.ctx, l.r, l.readPath)
	}
	rawDone, err := l.typedRejects()
	if err != nil {
		return err
	}
	if err := l.rawRejects(rawDone); err != nil {
		return err
	}
	if _, err := l.c.ExecContext(l.ctx, sqlCSVMapCreate); err != nil {
		return fmt.Errorf("collect rejected rows: %w", err)
	}
	if lineScan != nil {
		scan := <-lineScan
		if scan.err != nil {
			return fmt.Errorf("line numbers of rejected rows: %w", scan.err)
		}
		if err := mapCSVLines(l.ctx, l.c, scan.lines, l.n.rows); err != nil {
			return fmt.Errorf("line numbers of rejected rows: %w", err)
		}
	}
	if _, err := l.c.ExecContext(l.ctx, sqlAllRejects, l.r.headerLines); err != nil {
		return fmt.Errorf("collect rejected rows: %w", err)
	}
	return nil
}

// typedRejects fills typedrej with the record numbers, fields and reasons
// of the rows that failed validation; rawDone says rawrej is filled too
// (by keyedRejects).
func (l *loader) typedRejects() (rawDone bool, err error) {
	switch {
	case l.n.bad > 0 && l.small:
		if _, err := l.c.ExecContext(l.ctx, typedRejectsSQL(smallFileSelect(true, true))); err != nil {
			return false, fmt.Errorf("collect rejected rows: %w", err)
		}
	case l.n.bad > 0:
		// First by content, in parallel (see keyedRejects); by record number,
		// a serial scan that types every row, when that does not add up.
		if l.rejectKey != "" {
			if rawDone, err = l.keyRejects(); err != nil {
				return false, fmt.Errorf("collect rejected rows: %w", err)
			}
		}
		if !rawDone {
			serialRejectScans.Add(1)
			q, args, err := l.typed(true, true)
			if err != nil {
				return false, err
			}
			if err := l.readFile(typedRejectsSQL(q), args...); err != nil {
				return false, fmt.Errorf("collect rejected rows: %w", err)
			}
		}
	default:
		if _, err := l.c.ExecContext(l.ctx, sqlNoTypedRejects); err != nil {
			return false, fmt.Errorf("collect rejected rows: %w", err)
		}
	}
	return rawDone, nil
}

// keyRejects collects the rejected rows the check pass kept by content key
// (typedrej, check_rejects.sql): for a streamed NDJSON file by their lines
// in Go (ndjsonRejects), else, or when that does not add up, by a numbered
// scan (keyedRejects). rawDone false: the serial scan must number them.
func (l *loader) keyRejects() (rawDone bool, err error) {
	if _, err := l.c.ExecContext(l.ctx, sqlCheckRejects); err != nil {
		return false, err
	}
	if l.r.json && !l.r.lines && !l.r.arrow && !l.over {
		if rawDone, err = l.ndjsonRejects(); err != nil || rawDone {
			return rawDone, err
		}
	}
	rq, ra := rawRejectsSQL(l.src, l.r, l.cols, l.rejectKey)
	return l.keyedRejects(rq, ra)
}

// rawRejects fills rawrej with the raw records of the rejected rows, unless
// keyedRejects did or the file fails anyway.
func (l *loader) rawRejects(rawDone bool) error {
	var err error
	switch {
	case rawDone:
	case l.n.bad > 0 && !l.over:
		q, a := rawRejectsSQL(l.src, l.r, l.cols, "")
		err = l.rawPass(q, a)
	default:
		_, err = l.c.ExecContext(l.ctx, sqlNoRawRejects)
	}
	if err != nil {
		return fmt.Errorf("collect rejected rows: %w", err)
	}
	return nil
}

// writeRows is the write pass: it reads the file once more, straight into
// the table, in one transaction with the rejected rows and the file's
// record. Only a file that repeats an id pays for the record numbers of
// the first-occurrence rule, only a file with rejected rows for the filter.
func (l *loader) writeRows() error {
	good := l.n.rows - l.n.bad
	// Good rows without an id of their own were not hashed in the check:
	// dedupe then, to be safe.
	dedupe := l.n.noID > 0 || l.n.distinctIDs < good
	if tried, err := l.writeRowsJSON(dedupe, good); tried {
		return err
	}
	return l.writeWith(l.r, l.cols, l.types, dedupe, good)
}

// writeWith is writeRows reading the file through r, whose columns and
// types are given.
func (l *loader) writeWith(r reader, cols, types []string, dedupe bool, good int64) error {
	var insert string
	args := []any{l.src.Name, l.res.LoadID}
	if l.small {
		insert = insertSQL(l.ds.Name, smallFileSelect(dedupe, false), l.n.bad > 0, dedupe)
	} else {
		q, typedArgs, err := l.typedOver(r, cols, types, dedupe, false)
		if err != nil {
			return err
		}
		insert = insertSQL(l.ds.Name, q, l.n.bad > 0, dedupe)
		args = append(args, typedArgs...)
	}
	write := func(tx execer) error { return l.write(tx, insert, args, good) }
	inFileTx := func() error {
		if r.arrow && !l.small {
			return withArrowView(l.ctx, l.c, r, write)
		}
		return inTx(l.ctx, l.c, func(tx *sql.Tx) error { return write(tx) })
	}
	if l.small || dedupe {
		// The first occurrence of a repeated id is found by record number: in order.
		return inFileTx()
	}
	return l.inAnyOrder(r, inFileTx)
}

// write runs the write pass's statements in the file's transaction tx.
func (l *loader) write(tx execer, insert string, args []any, good int64) error {
	if _, err := tx.ExecContext(l.ctx, sqlRejects, l.res.LoadID, l.src.Name, l.path); err != nil {
		return fmt.Errorf("record rejected rows: %w", err)
	}
	out, err := tx.ExecContext(l.ctx, insert, args...)
	if err != nil {
		return fmt.Errorf("insert: %w", err)
	}
	inserted, err := out.RowsAffected()
	if err != nil {
		return fmt.Errorf("insert: %w", err)
	}
	var dropped int64
	if l.existing {
		// Into an empty table, nothing was loaded before; the drop would
		// still hash every id of the file (15 s for 33 M activity rows).
		out, err = tx.ExecContext(l.ctx, dropLoadedSQL(l.ds.Name), l.res.LoadID)
		if err != nil {
			return fmt.Errorf("drop rows loaded before: %w", err)
		}
		if dropped, err = out.RowsAffected(); err != nil {
			return fmt.Errorf("drop rows loaded before: %w", err)
		}
	}
	l.res.Loaded = inserted - dropped
	// The file must still be what was hashed and checked: otherwise its
	// rows, its counts and its sha256 would not belong together.
	if now, err := lookAt(l.path); err != nil || now != l.at || l.res.Loaded > good {
		return errChanged
	}
	l.res.Duplicate = l.res.Read - l.res.Rejected - l.res.Loaded
	return l.record(tx, Loaded, "")
}
