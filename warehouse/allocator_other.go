//go:build !(linux && amd64 && !duckdb_use_lib && !duckdb_use_static_lib)

package warehouse

// Without DuckDB's bundled jemalloc (or with a DuckDB library of the
// operator's) only DuckDB's own flush settings apply (allocatorParams).
func keepFreedMemory() {}

func releaseFreedMemory() {}

func arenaDecay() (int, bool) { return 0, false }
