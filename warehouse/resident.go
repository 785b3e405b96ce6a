package warehouse

import (
	"os"
	"strconv"
	"strings"
)

// ResidentBytes is the resident memory of process pid from /proc (0 when
// the process is gone or the system has no /proc): read by the allocator's
// watch (allocator.go) for this process and by serve for its workers.
func ResidentBytes(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return 0
	}
	return pages * int64(os.Getpagesize())
}
