package transform_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/duckdb/duckdb-go/v2"

	"attrib/transform/attribution"
)

// genPathsFile returns a gen_paths.py file: $ATTRIB_BENCH_PATHS when set, else
// ../shared/bench/gen_paths.py N 1 written once into the system temp dir (about 25 s for 1M)
// and reused by later runs. N is $ATTRIB_BENCH_N (default 1000000).
func genPathsFile(b *testing.B) string {
	b.Helper()
	if p := os.Getenv("ATTRIB_BENCH_PATHS"); p != "" {
		return p
	}
	n := envInt(b, "ATTRIB_BENCH_N", 1000000)
	p := filepath.Join(os.TempDir(), "attrib-gen-paths-"+strconv.Itoa(n)+"-1.csv")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	out, err := exec.Command("python3", "../../shared/bench/gen_paths.py", strconv.Itoa(n), "1").Output()
	if err != nil {
		b.Fatalf("gen_paths.py: %v", err)
	}
	tmp := p + ".part"
	if err := os.WriteFile(tmp, out, 0o644); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(tmp, p); err != nil {
		b.Fatal(err)
	}
	return p
}

func benchSQL(b *testing.B, name string) string {
	b.Helper()
	q, err := os.ReadFile(filepath.Join("testdata", "bench", name+".sql"))
	if err != nil {
		b.Fatal(err)
	}
	return string(q)
}

// BenchmarkGenPathsArrow: gen_paths.py 1000000 1 loaded into DuckDB as aggregated path counts
// (with nulls), read over Arrow (duckdb.NewArrowFromConn -> attribution.PathsFromRecord) and
// run through the exact kernels. Each sub-benchmark's time includes the Arrow read.
//
//	go test -tags duckdb_arrow -run '^$' -bench GenPathsArrow -benchtime 3x ./transform/
func BenchmarkGenPathsArrow(b *testing.B) {
	ctx := context.Background()
	file := genPathsFile(b)
	connector, err := duckdb.NewConnector(filepath.Join(b.TempDir(), "bench.duckdb"), nil)
	if err != nil {
		b.Fatal(err)
	}
	db := sql.OpenDB(connector)
	defer db.Close()
	if _, err := db.ExecContext(ctx, benchSQL(b, "load_gen_paths"), file); err != nil {
		b.Fatal(err)
	}
	for _, name := range []string{"bench_channels", "bench_paths"} {
		if _, err := db.ExecContext(ctx, benchSQL(b, name)); err != nil {
			b.Fatal(err)
		}
	}
	var nChannels, nPaths int
	if err := db.QueryRowContext(ctx, "SELECT (SELECT count(*) FROM bench_channels), (SELECT count(*) FROM bench_paths)").Scan(&nChannels, &nPaths); err != nil {
		b.Fatal(err)
	}
	c, err := db.Conn(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	// Only the driver connection inside Raw.
	err = c.Raw(func(dc any) error {
		ar, err := duckdb.NewArrowFromConn(dc.(driver.Conn))
		if err != nil {
			return err
		}
		read := func(b *testing.B) []attribution.PathCount {
			rr, err := ar.QueryContext(ctx, benchSQL(b, "read_paths"))
			if err != nil {
				b.Fatal(err)
			}
			defer rr.Release()
			paths := make([]attribution.PathCount, 0, nPaths)
			for rr.Next() {
				p, err := attribution.PathsFromRecord(rr.RecordBatch(), nChannels)
				if err != nil {
					b.Fatal(err)
				}
				paths = append(paths, p...)
			}
			if err := rr.Err(); err != nil {
				b.Fatal(err)
			}
			if len(paths) != nPaths {
				b.Fatalf("read %d paths, want %d", len(paths), nPaths)
			}
			return paths
		}
		b.Run("arrow_read", func(b *testing.B) {
			for b.Loop() {
				read(b)
			}
		})
		for _, order := range []int{1, 2, 3} {
			b.Run("markov_order"+strconv.Itoa(order), func(b *testing.B) {
				for b.Loop() {
					if _, err := attribution.Markov(read(b), nChannels, order); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		b.Run("shapley_fit_and_credit", func(b *testing.B) {
			for b.Loop() {
				paths := read(b)
				s, err := attribution.FitShapley(paths, nChannels)
				if err != nil {
					b.Fatal(err)
				}
				if _, _, err := attribution.ChannelTotals(s, paths, nChannels); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("duckdb_transition_counts", func(b *testing.B) {
			q := benchSQL(b, "transitions")
			for b.Loop() {
				rr, err := ar.QueryContext(ctx, q)
				if err != nil {
					b.Fatal(err)
				}
				for rr.Next() {
				}
				rr.Release()
			}
		})
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}
