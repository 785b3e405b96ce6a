package ingest

import (
	"fmt"
	"sync/atomic"
)

// serialRejectScans counts the files whose rejects were numbered by the
// serial scan that types every row (tests read it).
var serialRejectScans atomic.Int64

// keyedRejects collects a large file's rejected rows (typedrej: record
// number, field, reason) and their raw records (rawrej) without a serial
// scan that types every row. Record numbers come from a window over the
// reader's rows, which DuckDB runs on one thread: typing 10 M rows that way
// took 4.7 of a file's 18.8 s. So the check pass, in parallel, keeps the
// rejected rows' content keys (rowKey), fields and reasons (filecheck), and
// one numbered scan that does not type (rawQ) keeps the records with those
// keys, with their numbers and raw records. Records with the same content
// type the same way, so each record found is a rejected row. The result
// must account for exactly the bad rows the check pass counted; when it
// does not (a hash collision of a good row with a bad one), it reports false
// and the caller numbers the rejects the serial way.
func (l *loader) keyedRejects(rawQ string, rawArgs []any) (bool, error) {
	if err := l.rawPass(rawQ, rawArgs); err != nil {
		return false, err
	}
	if _, err := l.c.ExecContext(l.ctx, sqlKeyedRejects); err != nil {
		return false, err
	}
	var n int64
	if err := l.c.QueryRowContext(l.ctx, sqlCountTypedRejects).Scan(&n); err != nil {
		return false, fmt.Errorf("count: %w", err)
	}
	return n == l.n.bad, nil
}
