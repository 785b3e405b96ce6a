// Command sqltime runs the statements of a SQL file on a DuckDB database, one after the other on one
// connection, and prints each one's wall time, the process's CPU time over it and its first result
// row. It is for measuring statements side by side (docs/BENCHMARKS.md): whole runs swing with the
// machine's phase by more than most changes save, two statements interleaved on one connection do not.
//
//	python3 scripts/bench/person_passes.py ranges | go run -tags duckdb_arrow ./scripts/sqltime WAREHOUSE.duckdb -
//
// FILE "-" reads the statements from stdin. Statements are separated by lines holding only ";;". A statement may begin with a line
// "-- label: TEXT" that names it in the output and a line "-- args: V ..." of the values bound to its
// $1, $2, ...: integers, NULL, or 'strings' (without spaces). Run it on a copy of a warehouse: the
// statements may write.
package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: sqltime DATABASE FILE|-")
		os.Exit(2)
	}
	if err := run(context.Background(), os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "sqltime:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, dbPath, file string) error {
	var text []byte
	var err error
	if file == "-" {
		text, err = io.ReadAll(os.Stdin)
	} else {
		text, err = os.ReadFile(file)
	}
	if err != nil {
		return err
	}
	db, err := sql.Open("duckdb", dbPath)
	if err != nil {
		return fmt.Errorf("open %s: %w", dbPath, err)
	}
	defer db.Close()
	c, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("open %s: %w", dbPath, err)
	}
	defer c.Close()
	for i, st := range strings.Split(string(text), "\n;;\n") {
		label, args, q, err := parse(st)
		if err != nil {
			return fmt.Errorf("%s: statement %d: %w", file, i+1, err)
		}
		if q == "" {
			continue
		}
		if label == "" {
			label = strings.Join(strings.Fields(q), " ")
			label = label[:min(len(label), 60)]
		}
		wall, cpu := time.Now(), cpuSeconds()
		first, err := firstRow(ctx, c, q, args)
		if err != nil {
			return fmt.Errorf("%s: statement %d (%s): %w", file, i+1, label, err)
		}
		fmt.Printf("%8.2fs wall %8.2fs cpu  %-40s %s\n", time.Since(wall).Seconds(), cpuSeconds()-cpu, label, first)
	}
	return nil
}

// parse takes a statement's "-- label:" and "-- args:" lines off its start.
func parse(st string) (label string, args []any, q string, err error) {
	q = strings.TrimSpace(st)
	for {
		line, rest, _ := strings.Cut(q, "\n")
		switch {
		case strings.HasPrefix(line, "-- label:"):
			label = strings.TrimSpace(strings.TrimPrefix(line, "-- label:"))
		case strings.HasPrefix(line, "-- args:"):
			for _, f := range strings.Fields(strings.TrimPrefix(line, "-- args:")) {
				switch n, perr := strconv.ParseInt(f, 10, 64); {
				case perr == nil:
					args = append(args, n)
				case f == "NULL":
					args = append(args, nil)
				case len(f) >= 2 && f[0] == '\'' && f[len(f)-1] == '\'':
					args = append(args, f[1:len(f)-1])
				default:
					return "", nil, "", fmt.Errorf("argument %q is not an integer, NULL or a 'string'", f)
				}
			}
		default:
			return label, args, strings.TrimSpace(q), nil
		}
		q = rest
	}
}

// firstRow runs q and returns its first row, tab-separated ("" when it has none).
func firstRow(ctx context.Context, c *sql.Conn, q string, args []any) (string, error) {
	rows, err := c.QueryContext(ctx, q, args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", err
	}
	var out string
	if rows.Next() {
		v := make([]any, len(cols))
		p := make([]any, len(cols))
		for i := range v {
			p[i] = &v[i]
		}
		if err := rows.Scan(p...); err != nil {
			return "", err
		}
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = fmt.Sprint(x)
		}
		out = strings.Join(parts, "\t")
	}
	for rows.Next() {
	}
	return out, rows.Err()
}

// cpuSeconds is the user and system time the process has used.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
