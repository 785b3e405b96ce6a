package warehouse

import (
	"os"
	"strconv"
	"testing"
)

// BenchmarkSumFile reads and hashes every chunk of the file ATTRIB_BENCH_FILE (a warehouse file, as
// the snapshot's refresh does before it patches) in one part and in sumReaders parts. Drop the page
// cache before a run to measure a cold read, as after a run that wrote other data:
//
//	sync; echo 3 > /proc/sys/vm/drop_caches
//	ATTRIB_BENCH_FILE=/path/attrib.duckdb go test -tags duckdb_arrow -run '^$' -bench 'SumFile/parts=1$' -benchtime 1x ./warehouse/
func BenchmarkSumFile(b *testing.B) {
	path := os.Getenv("ATTRIB_BENCH_FILE")
	if path == "" {
		b.Skip("set ATTRIB_BENCH_FILE to a warehouse file")
	}
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		b.Fatal(err)
	}
	for _, parts := range []int{1, sumReaders} {
		b.Run("parts="+strconv.Itoa(parts), func(b *testing.B) {
			for b.Loop() {
				if _, err := sumFileParts(f, st.Size(), make([]byte, copyBuffer), func() error { return nil }, parts); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(st.Size())/1e9, "GB")
		})
	}
}
