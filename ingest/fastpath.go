package ingest

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
)

// The fast path loads a large file in one scan: the typed rows go straight
// into the dataset's table, a row that fails validation raises an error
// (fast_insert.sql.tmpl), and checks after the insert raise one when the
// file repeats an id, repeats an earlier load's id, or has a record the CSV
// reader could not read (fast_check.sql.tmpl). All of it happens in the
// file's transaction: a refused file rolls back, nothing of it stays, and it
// takes the full path (check pass, rejects, dedupe), which accounts for
// every row. A clean file, the usual case, so skips the check pass: read +
// type + validate happen once instead of twice.
//
// A file tries the fast path only when it is large (small files are read
// once anyway), not read line by line, not a new version of a file loaded
// before, and its source's latest load had no rejected or duplicate rows
// (fast_eligible.sql): a source that sends bad rows pays for the full
// path only, not for a refused fast path first.

// fastPath turns the fast path on; tests turn it off to compare.
var fastPath = true

// errFastRefused says the fast path refused a file; nothing of it was written.
var errFastRefused = errors.New("fast path refused")

// fastLoad tries the fast path when the file may take it (tried). It
// reports whether the file is loaded; tried but not done with a nil error
// means the file was refused and nothing of it was written.
func (l *loader) fastLoad() (tried, done bool, err error) {
	if !fastPath {
		return false, false, nil
	}
	var eligible bool
	if err := l.c.QueryRowContext(l.ctx, sqlFastEligible, l.path, l.src.Name).Scan(&eligible); err != nil {
		return false, false, fmt.Errorf("earlier loads: %w", err)
	}
	if !eligible {
		return false, false, nil
	}
	// An NDJSON file whose scan allows it is read by read_json (jsoncols.go);
	// the rows inserted must then be the objects the scan counted.
	r, cols, types, objects := l.r, l.cols, l.types, int64(-1)
	if jr, jcols, jtypes, ok := l.jsonColumnsReader(); ok {
		r, cols, types, objects = jr, jcols, jtypes, l.scan.objects
	}
	q, args, err := l.typedOver(r, cols, types, false, false)
	if err != nil {
		return false, false, err
	}
	inFile, ok := l.fastIDs(q, args)
	if !ok {
		return false, false, nil
	}
	l.step(StepWrite)
	w := fastWrite{insert: fastInsertSQL(l.ds.Name, q), args: append([]any{l.src.Name, l.res.LoadID}, args...),
		inFile: inFile, objects: objects}
	write := func(tx execer) error { return l.fastWrite(tx, w) }
	tried, done, err = l.fastOutcome(l.inAnyOrder(l.r, func() error {
		if l.r.arrow {
			return withArrowView(l.ctx, l.c, l.r, write)
		}
		return inTx(l.ctx, l.c, func(tx *sql.Tx) error { return write(tx) })
	}))
	if done && objects >= 0 {
		jsonColumnReads.Add(1)
	}
	return tried, done, err
}

// fastWrite is the fast path's insert and what to check after it.
type fastWrite struct {
	insert string
	args   []any
	// inFile: look for ids the file repeats (ids loaded before are looked
	// for when the table had rows: l.existing).
	inFile bool
	// objects, when not -1, is the number of rows the insert must read.
	objects int64
}

// fastIDs tells whether the file's rows must be checked for repeated ids
// after the insert (inFile); ok is false when the file must take the full
// path. Where the check after the insert sorts the id hashes in Go
// (goIDCheck), it is cheaper than any scan before: at 3 M Parquet rows the
// scan of the id column below took a fifth of the load (docs/BENCHMARKS.md).
// Without it, in a Parquet file with an id column, a scan of that column
// alone, before the insert and in parallel, finds them (and rows without an
// id, whose content-hash ids then need the check after the insert, which
// DuckDB then runs on one thread). For the other formats such a scan reads
// as much as the whole file, and costs more than the check after the
// insert.
func (l *loader) fastIDs(typed string, args []any) (inFile, ok bool) {
	if goIDCheck || !givesIDs(l.ds, l.src, l.cols) || !hasGivenID(l.ds.Name) || l.r.arrow || l.r.csv || l.r.json {
		return true, true
	}
	var noID, repeats int64
	if err := l.c.QueryRowContext(l.ctx, fastIDsSQL(typed), args...).Scan(&noID, &repeats); err != nil {
		return false, false // the full path reads the file and says what is wrong
	}
	if repeats > 0 {
		return false, false
	}
	return noID > 0, true
}

// fastWrite runs the fast path's statements in the file's transaction tx.
// Repeated ids are looked for in Go (idsRepeat: sorting the id hashes is
// several times cheaper than DuckDB's distinct count over uncommitted rows,
// which runs on one thread), or by fast_check.sql.tmpl for a file of more
// than maxGoIDCheck rows or a build without the Arrow interface.
func (l *loader) fastWrite(tx execer, w fastWrite) error {
	out, err := tx.ExecContext(l.ctx, w.insert, w.args...)
	if err != nil {
		// A row failing validation, and any other error: the full path
		// rejects the row or reports the error in its own words.
		return fmt.Errorf("%w: %w", errFastRefused, err)
	}
	n, err := out.RowsAffected()
	if err != nil || n == 0 {
		return errFastRefused // the full path says why there are no rows
	}
	if w.objects >= 0 && n != w.objects {
		return fmt.Errorf("%w: %d rows read, %d objects in the file", errFastRefused, n, w.objects)
	}
	inGo := w.inFile && goIDCheck && n <= maxGoIDCheck
	if check := fastCheckSQL(l.ds.Name, w.inFile && !inGo, l.existing, l.r.csv); check != "" {
		if _, err := tx.ExecContext(l.ctx, check, l.res.LoadID); err != nil {
			return fmt.Errorf("%w: %w", errFastRefused, err)
		}
	}
	if inGo {
		repeat, err := idsRepeat(l.ctx, l.c, tx, fastIDHashesSQL(l.ds.Name), l.res.LoadID, n)
		if err != nil {
			return fmt.Errorf("%w: %w", errFastRefused, err)
		}
		if repeat {
			return fmt.Errorf("%w: the file repeats an id", errFastRefused)
		}
	}
	// The file must still be what was hashed.
	if now, err := lookAt(l.path); err != nil || now != l.at {
		return errChanged
	}
	l.res.Read, l.res.Loaded, l.res.Rejected, l.res.Duplicate = n, n, 0, 0
	return l.record(tx, Loaded, "")
}

// inAnyOrder runs a write (write: the file's transaction, committed or
// rolled back) that reads the file through r, letting DuckDB insert an
// Arrow or NDJSON file's rows in any order: its Arrow scan and read_json
// have no batch index, so an insert that keeps their row order runs on one
// thread (3 M NDJSON rows on the fast path: 426-524 k rows/s in order,
// 505-576 k unordered; the full path's insert of 7 M rows: 12.2 s in order,
// 9.2 s unordered; docs/BENCHMARKS.md). read_csv's and read_parquet's
// inserts already run on every thread in order, and were slower unordered.
// Row order means nothing to these writes: they number no records (the
// full path's dedupe does, and keeps the order), and their checks count and
// compare ids. The setting is the connection's, so it is set and reset
// outside the transaction.
func (l *loader) inAnyOrder(r reader, write func() error) error {
	if !r.arrow && !r.json {
		return write()
	}
	if _, err := l.c.ExecContext(l.ctx, sqlUnorderedInsert); err != nil {
		return fmt.Errorf("insert settings: %w", err)
	}
	err := write()
	if _, rerr := l.c.ExecContext(context.WithoutCancel(l.ctx), sqlOrderedInsert); rerr != nil {
		// The connection must not number another file's records
		// unordered: it is dropped instead of going back to the pool.
		_ = l.c.Raw(func(any) error { return driver.ErrBadConn })
		if err == nil {
			return nil // committed: the file is loaded
		}
		return fmt.Errorf("insert settings: %w", rerr)
	}
	return err
}

// fastOutcome is fastLoad's answer after the write ended with err.
func (l *loader) fastOutcome(err error) (tried, done bool, _ error) {
	switch {
	case err == nil:
		return true, true, nil
	case l.ctx.Err() != nil:
		return true, false, l.ctx.Err()
	case errors.Is(err, errFastRefused):
		l.res.Read, l.res.Loaded, l.res.Rejected, l.res.Duplicate = 0, 0, 0, 0
		return true, false, nil
	}
	return true, false, err
}
