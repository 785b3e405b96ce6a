//go:build !linux

package warehouse

// physicalMemory is unknown on this system: DuckDB's own default applies
// unless the config sets warehouse.memory_limit (or a cgroup limit is found).
func physicalMemory() uint64 { return 0 }
