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
				l := &loader{ctx: ctx, w: w, cfg: cfg, ds: ds, src: src, path: path, now: opt.Now, stepper: stepper}
				res := l.load()
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
// error), and checks that the file did not change while it was read. When
// scan is not nil, an uncompressed file's bytes are also written to scan, on
// another goroutine while they are hashed (the other core is idle then).
func fingerprint(path string, scan io.Writer) (sum string, at look, stable bool, err error) {
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
	switch kind := compression(path); {
	case kind == "" && scan != nil:
		n, err = teeParallel(f, h, scan)
	case kind == "":
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
