//go:build linux && amd64 && !duckdb_use_lib && !duckdb_use_static_lib

package warehouse

/*
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>

// jemalloc's mallctl in DuckDB's statically linked build (symbols prefixed duckdb_je_).
int duckdb_je_mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen);

static int attrib_set_ssize(const char *name, ssize_t v) {
	return duckdb_je_mallctl(name, NULL, NULL, &v, sizeof(v));
}

static int attrib_get_ssize(const char *name, ssize_t *v) {
	size_t n = sizeof(*v);
	return duckdb_je_mallctl(name, v, &n, NULL, 0);
}

// Switches decay off (-1: freed pages stay with jemalloc) for arenas created from now on and for
// every arena that exists; an index without an arena yet answers EFAULT and is skipped.
static int attrib_keep_freed(void) {
	int err = attrib_set_ssize("arenas.dirty_decay_ms", -1);
	if (err == 0) err = attrib_set_ssize("arenas.muzzy_decay_ms", -1);
	if (err != 0) return err;
	unsigned n = 0;
	size_t len = sizeof(n);
	err = duckdb_je_mallctl("arenas.narenas", &n, &len, NULL, 0);
	if (err != 0) return err;
	char name[64];
	for (unsigned i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "arena.%u.dirty_decay_ms", i);
		attrib_set_ssize(name, -1);
		snprintf(name, sizeof(name), "arena.%u.muzzy_decay_ms", i);
		attrib_set_ssize(name, -1);
	}
	return 0;
}

// The bytes of freed pages jemalloc keeps over all arenas (dirty and muzzy: not yet handed back),
// as of now (writing "epoch" refreshes the statistics).
static int attrib_kept_bytes(size_t *out) {
	uint64_t epoch = 1;
	size_t n = sizeof(epoch);
	int err = duckdb_je_mallctl("epoch", &epoch, &n, &epoch, n);
	if (err != 0) return err;
	size_t dirty = 0, muzzy = 0, page = 0;
	n = sizeof(size_t);
	err = duckdb_je_mallctl("stats.arenas.4096.pdirty", &dirty, &n, NULL, 0);
	if (err == 0) err = duckdb_je_mallctl("stats.arenas.4096.pmuzzy", &muzzy, &n, NULL, 0);
	if (err == 0) err = duckdb_je_mallctl("arenas.page", &page, &n, NULL, 0);
	if (err != 0) return err;
	*out = (dirty + muzzy) * page;
	return 0;
}

// Purges every arena (MALLCTL_ARENAS_ALL is 4096).
static int attrib_purge_all(void) {
	return duckdb_je_mallctl("arena.4096.purge", NULL, NULL, NULL, 0);
}
*/
import "C"

import (
	"log/slog"
	"unsafe"
)

// keepFreedMemory switches jemalloc's decay off for the process (see allocator.go).
func keepFreedMemory() {
	if rc := C.attrib_keep_freed(); rc != 0 {
		// Not fatal: DuckDB runs as it would by default.
		slog.Debug("warehouse: jemalloc decay not set", "errno", int(rc))
	}
}

// releaseFreedMemory hands jemalloc's freed pages back to the operating system.
func releaseFreedMemory() {
	if rc := C.attrib_purge_all(); rc != 0 {
		slog.Debug("warehouse: jemalloc purge failed", "errno", int(rc))
	}
}

// arenaDecay is jemalloc's dirty decay of arena 0 in ms (-1: off), for tests.
func arenaDecay() (int, bool) {
	var v C.ssize_t
	name := C.CString("arena.0.dirty_decay_ms")
	defer C.free(unsafe.Pointer(name))
	if C.attrib_get_ssize(name, &v) != 0 {
		return 0, false
	}
	return int(v), true
}

// keptBytes is what jemalloc keeps of freed memory (not yet handed back), for tests.
func keptBytes() (int64, bool) {
	var v C.size_t
	if C.attrib_kept_bytes(&v) != 0 {
		return 0, false
	}
	return int64(v), true
}
