package queries_test

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"attrib/access"
	"attrib/config"
	"attrib/queries"
	"attrib/testkit"
	"attrib/transform"
	"attrib/warehouse"

	"github.com/duckdb/duckdb-go/v2"
)

// evalRun loads raw rows (statements executed in order on a fresh in-memory
// warehouse), runs transform and Build on one connection and publishes, as
// a pipeline run does. It returns the connection for assertions.
func evalRun(t *testing.T, yaml string, setup ...stmt) *sql.Conn {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	cfg, err := config.Parse([]byte(yaml), dir)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	w := testkit.Warehouse(t, warehouse.Options{TimeZone: cfg.Timezone})
	c, err := w.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	for _, s := range setup {
		if _, err := c.ExecContext(ctx, s.q, s.args...); err != nil {
			t.Fatalf("setup %q %v: %v", s.q, s.args, err)
		}
	}
	if _, err := transform.Run(ctx, c, cfg, nil); err != nil {
		t.Fatalf("transform: %v", err)
	}
	if err := queries.Build(ctx, c, cfg); err != nil {
		t.Fatalf("build: %v", err)
	}
	if err := warehouse.Publish(ctx, c, slices.Concat(transform.Published, queries.Published)); err != nil {
		t.Fatalf("publish: %v", err)
	}
	return c
}

// stmt is one setup statement with its bound values.
type stmt struct {
	q    string
	args []any
}

// Row helpers for the raw datasets; bookkeeping columns are filled in.
func touch(id, cust, at, channel string) stmt {
	return stmt{`INSERT INTO touchpoints (touchpoint_id, occurred_at, customer_id, channel, interaction, source_name, load_id)
		VALUES (?, ?::TIMESTAMPTZ, ?, ?, 'visit', 'test', 'l')`, []any{id, at, cust, channel}}
}

func conversion(id, cust, at, typ string, revenue float64) stmt {
	return stmt{`INSERT INTO conversions (conversion_id, occurred_at, customer_id, conversion_type, revenue, currency, revenue_original, source_name, load_id)
		VALUES (?, ?::TIMESTAMPTZ, ?, ?, ?::DECIMAL(18, 4), 'USD', ?::DECIMAL(18, 4), 'test', 'l')`, []any{id, at, cust, typ, revenue, revenue}}
}

func spendRow(id, date, channel string, amount float64) stmt {
	return stmt{`INSERT INTO spend (spend_id, date, channel, spend, currency, spend_original, source_name, load_id)
		VALUES (?, ?::DATE, ?, ?::DECIMAL(18, 4), 'USD', ?::DECIMAL(18, 4), 'test', 'l')`, []any{id, date, channel, amount, amount}}
}

func activityRow(id, cust, at string, value float64) stmt {
	return stmt{`INSERT INTO activity (activity_id, occurred_at, customer_id, event, value, source_name, load_id)
		VALUES (?, ?::TIMESTAMPTZ, ?, 'login', ?::DECIMAL(18, 4), 'test', 'l')`, []any{id, at, cust, value}}
}

// query returns all rows of q as strings-or-numbers for comparison.
func query(t *testing.T, c *sql.Conn, q string, args ...any) [][]any {
	t.Helper()
	rows, err := c.QueryContext(context.Background(), q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	res, err := access.ReadRows(rows, 0)
	if err != nil {
		t.Fatal(err)
	}
	return res.Rows
}

// norm turns a scanned value into float64, string, bool or nil.
func norm(v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case duckdb.Decimal:
		return x.Float64()
	case float64:
		return x
	case float32:
		return float64(x)
	case int64:
		return float64(x)
	case int32:
		return float64(x)
	case int:
		return float64(x)
	case uint64:
		return float64(x)
	case *big.Int:
		f, _ := new(big.Float).SetInt(x).Float64()
		return f
	case time.Time:
		return x.UTC().Format("2006-01-02 15:04")
	case bool:
		return x
	case string:
		return x
	default:
		return fmt.Sprint(x)
	}
}

func same(got, want any) bool {
	g, w := norm(got), norm(want)
	if gf, ok := g.(float64); ok {
		wf, ok := w.(float64)
		return ok && math.Abs(gf-wf) <= 1e-6*math.Max(1, math.Abs(wf))
	}
	return g == w
}

// expectRows compares the result of q with want row by row, in order.
func expectRows(t *testing.T, c *sql.Conn, q string, want [][]any, args ...any) {
	t.Helper()
	got := query(t, c, q, args...)
	if len(got) != len(want) {
		t.Errorf("%s\n got %d rows: %s\nwant %d rows: %s", q, len(got), fmtRows(got), len(want), fmtRows(want))
		return
	}
	for i := range want {
		if len(got[i]) != len(want[i]) {
			t.Errorf("%s row %d: got %d columns, want %d", q, i, len(got[i]), len(want[i]))
			continue
		}
		for j := range want[i] {
			if !same(got[i][j], want[i][j]) {
				t.Errorf("%s\nrow %d column %d: got %v, want %v\n got row %s", q, i, j, norm(got[i][j]), norm(want[i][j]), fmtRows(got[i:i+1]))
			}
		}
	}
}

func fmtRows(rows [][]any) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString("\n  [")
		for j, v := range r {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprint(&b, norm(v))
		}
		b.WriteString("]")
	}
	return b.String()
}
