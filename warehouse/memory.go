package warehouse

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// Default memory limit: a share of the machine's memory, so that the
// warehouse spills to its temp directory instead of growing with the data
// (DuckDB's own default, 80% of RAM, lets the process grow to most of the
// machine). The floor keeps small machines and containers workable, the
// ceiling keeps a big machine's run from holding memory it does not need:
// measured on 2 cores, a larger limit than the ceiling did not make the
// demo's steps faster (docs/operations.md, "Sizing").
const (
	defaultMemoryShare = 12       // 1/12 of the machine's memory
	defaultMemoryFloor = 1 << 30  // 1 GiB
	defaultMemoryCeil  = 16 << 30 // 16 GiB
	mib                = 1 << 20
)

// DefaultMemoryLimit is the memory_limit given to DuckDB when the config
// sets none, for a machine (or container) with totalBytes of memory:
// totalBytes/12 between 1 GiB and 16 GiB, in whole MiB ("2048MiB" for 24 GiB).
// totalBytes 0 (unknown) gives "", DuckDB's own default.
func DefaultMemoryLimit(totalBytes uint64) string {
	if totalBytes == 0 {
		return ""
	}
	v := totalBytes / defaultMemoryShare
	v = max(v, defaultMemoryFloor)
	v = min(v, defaultMemoryCeil)
	return strconv.FormatUint(v/mib, 10) + "MiB"
}

// machineMemory is the memory this process may use: the physical memory,
// or the cgroup's limit when it is lower (containers). 0 when unknown.
func machineMemory() uint64 {
	total := physicalMemory()
	for _, f := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		n, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
		if err != nil || n == 0 { // "max": no limit
			continue
		}
		if total == 0 || n < total {
			total = n
		}
	}
	return total
}

var memoryLimitRE = regexp.MustCompile(`(?i)^\s*[0-9]+(\.[0-9]+)?\s*(b|bytes|kb|mb|gb|tb|kib|mib|gib|tib|k|m|g|t)\s*$`)

// CheckMemoryLimit reports whether s is a memory limit DuckDB accepts: a
// number with a unit (B, KB, MB, GB, TB or KiB, MiB, GiB, TiB), e.g. "4GB"
// or "1536MiB"; DuckDB refuses a bare number and a percentage. "" is
// accepted (the default).
func CheckMemoryLimit(s string) error {
	if s == "" || memoryLimitRE.MatchString(s) {
		return nil
	}
	return fmt.Errorf("%q is not a memory size like 4GB or 1536MiB", s)
}

// Passes is how many passes a statement cut by a hash takes so that one pass's share of n items
// of bytesEach bytes fills at most half of memory bytes (DuckDB's memory_limit): at least one.
// The pipeline cuts its largest joins and aggregates this way (by identifier or by person), so
// that each pass runs in memory where one statement over everything would spill tens of GB.
func Passes(n, bytesEach, memory int64) int {
	budget := memory / 2
	if budget <= 0 {
		return 1
	}
	return int(max(1, (n*bytesEach+budget-1)/budget))
}

//go:embed sql/memory_limit.sql
var memoryFS embed.FS

var sqlMemoryLimit = NewSQLFiles(memoryFS).Must("memory_limit.sql")

// MemoryLimitOn is the memory_limit of the DuckDB instance of c, in bytes (0 when it cannot be
// read).
func MemoryLimitOn(ctx context.Context, c *sql.Conn) (int64, error) {
	var limit string
	if err := c.QueryRowContext(ctx, sqlMemoryLimit).Scan(&limit); err != nil {
		return 0, fmt.Errorf("warehouse: memory limit: %w", err)
	}
	return ParseMemorySetting(limit), nil
}

// PassesOn is Passes for the items that sizeQuery counts (one row, one integer), of bytesEach
// bytes each, with the memory_limit of the DuckDB instance of c.
func PassesOn(ctx context.Context, c *sql.Conn, sizeQuery string, bytesEach int64) (int, error) {
	var n int64
	if err := c.QueryRowContext(ctx, sizeQuery).Scan(&n); err != nil {
		return 0, fmt.Errorf("warehouse: size: %w", err)
	}
	limit, err := MemoryLimitOn(ctx, c)
	if err != nil {
		return 0, err
	}
	return Passes(n, bytesEach, limit), nil
}

// ParseMemorySetting reads DuckDB's memory_limit setting as current_setting prints it ("1.8 GiB",
// "512.0 MiB", "2.0 GB"): bytes, or 0 when it cannot be read.
func ParseMemorySetting(s string) int64 {
	var v float64
	var unit string
	if _, err := fmt.Sscanf(s, "%g %s", &v, &unit); err != nil {
		return 0
	}
	mult := map[string]float64{"bytes": 1, "B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40,
		"KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12}[unit]
	return int64(v * mult)
}
