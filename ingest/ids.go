package ingest

// maxGoIDCheck is the most rows whose id hashes the fast path sorts in Go to
// find a repeated id (16 bytes a row: 512 MiB); a larger file is checked by
// DuckDB's distinct count instead (fast_check.sql.tmpl's .InFile).
const maxGoIDCheck = 1 << 25

// hasRepeat reports whether hs holds a value twice. It sorts hs in place
// (least significant digit first radix sort, 11-bit digits) with a buffer
// as long: for 10 M hashes about 4x faster than slices.Sort and, measured
// on the uncommitted rows of a load, several times faster than DuckDB's
// count(DISTINCT), which runs there on one thread (docs/BENCHMARKS.md).
func hasRepeat(hs []uint64) bool {
	const bits = 11
	const mask = 1<<bits - 1
	buf := make([]uint64, len(hs))
	src, dst := hs, buf
	var count [1 << bits]int
	for shift := 0; shift < 64; shift += bits {
		clear(count[:])
		for _, v := range src {
			count[(v>>shift)&mask]++
		}
		sum := 0
		for i, c := range count {
			count[i], sum = sum, sum+c
		}
		for _, v := range src {
			d := (v >> shift) & mask
			dst[count[d]] = v
			count[d]++
		}
		src, dst = dst, src
	}
	for i := 1; i < len(src); i++ {
		if src[i] == src[i-1] {
			return true
		}
	}
	return false
}
