package warehouse

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Freed memory kept for reuse.
//
// DuckDB allocates through its own jemalloc. By default jemalloc hands freed
// pages back to the operating system after about 5 s, and DuckDB also purges
// them itself after any task whose thread allocated more than 128 MiB and
// after any bulk release of more than 512 MiB. The next statement then
// touches fresh pages again, and a fresh page costs a fault: on the 2-core
// VMs measured here (docs/BENCHMARKS.md, "Freed memory kept for reuse"),
// about 3.4 s of system time per GiB touched. A daily run at 18 M people
// faulted in 6.4 GB for a peak RSS of 2.6 GiB: 25 s of system time.
//
// The pipeline's instance (a writable warehouse) therefore keeps freed pages
// for reuse: jemalloc's decay is switched off (keepFreedMemory) and DuckDB's
// allocator flushes are set beyond reach (allocatorParams).
//
// What jemalloc keeps is not counted in DuckDB's memory_limit, and it does
// not always reuse it (the 2 M-person demo reached 8.05 GiB of RSS with a
// 1.9 GiB memory_limit). So a watch (watchRSS) reads the process's resident
// memory ten times a second and hands the kept pages back whenever it is
// above one and a half times the largest memory_limit of the process's
// writable warehouses. ReleaseMemory hands them back at once (the scheduler
// of `attrib serve` calls it after its runs).
//
// An operator who sets DUCKDB_JE_MALLOC_CONF (jemalloc's options for
// DuckDB's allocator, read when the process starts) keeps DuckDB's
// defaults for all of this.

// noAllocatorFlush is DuckDB's allocator_flush_threshold and
// allocator_bulk_deallocation_flush_threshold for the pipeline's instance:
// more than any thread or release will reach.
const noAllocatorFlush = "1TB"

// keepsFreed reports whether an instance keeps freed memory for reuse: a
// writable one, unless the operator configured jemalloc
// (DUCKDB_JE_MALLOC_CONF).
func keepsFreed(readOnly bool) bool {
	return !readOnly && os.Getenv("DUCKDB_JE_MALLOC_CONF") == ""
}

var keepFreedOnce sync.Once

// allocatorParams sets the DSN parameters (and the process's jemalloc decay)
// that keep freed memory for reuse, for a writable warehouse.
func allocatorParams(params url.Values, readOnly bool) {
	if !keepsFreed(readOnly) {
		return
	}
	keepFreedOnce.Do(keepFreedMemory)
	params.Set("allocator_flush_threshold", noAllocatorFlush)
	params.Set("allocator_bulk_deallocation_flush_threshold", noAllocatorFlush)
}

// rssCap is the resident memory above which the watch hands kept pages back
// (0: no watch yet).
var rssCap atomic.Int64

// rssWatchInterval is how often the watch reads the resident memory.
const rssWatchInterval = 100 * time.Millisecond

// keepFreedWithin bounds the freed memory w's process keeps: the watch
// starts, or its bound rises to one and a half times w's memory_limit.
func keepFreedWithin(ctx context.Context, w *Warehouse) error {
	if !keepsFreed(w.opts.ReadOnly) {
		return nil
	}
	var limit int64
	err := w.Conn(ctx, func(c *sql.Conn) error {
		var err error
		limit, err = MemoryLimitOn(ctx, c)
		return err
	})
	if err != nil || limit <= 0 {
		return err
	}
	bound := limit + limit/2
	for {
		cur := rssCap.Load()
		if cur >= bound || rssCap.CompareAndSwap(cur, bound) {
			break
		}
	}
	watchOnce.Do(func() { go watchRSS() })
	return nil
}

var watchOnce sync.Once

// watchRSS runs for the life of the process: whenever the resident memory
// is above rssCap it hands the pages jemalloc keeps back.
func watchRSS() {
	t := time.NewTicker(rssWatchInterval)
	defer t.Stop()
	for range t.C {
		if rss := ResidentBytes(os.Getpid()); rss > 0 && rss > rssCap.Load() {
			releaseFreedMemory()
		}
	}
}

// ReleaseMemory hands the freed memory DuckDB's allocator keeps back to the
// operating system. The memory DuckDB still holds (its buffer pool, up to
// memory_limit) stays. For a long-running process between runs; safe to
// call at any time.
func (w *Warehouse) ReleaseMemory() {
	if !keepsFreed(w.opts.ReadOnly) {
		return
	}
	releaseFreedMemory()
}
