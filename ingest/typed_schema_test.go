package ingest

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"attrib/schema"
	"attrib/warehouse"
)

// describe lists the columns of a query or table as DuckDB describes them.
func describe(t *testing.T, c *sql.Conn, what string) []string {
	t.Helper()
	rows, err := c.QueryContext(t.Context(), "SELECT column_name, column_type FROM (DESCRIBE "+what+")")
	if err != nil {
		t.Fatalf("describe %s: %v", what, err)
	}
	names, types, err := nameTypes(rows, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(names))
	for i := range names {
		out[i] = names[i] + " " + types[i]
	}
	return out
}

// nativeTypes are DuckDB types a Parquet or Arrow file may carry for a
// column of each role, read as they are (nativeRole).
var nativeTypes = map[string]string{"time": "TIMESTAMPTZ", "money": "DECIMAL(18, 4)", "int": "BIGINT", "rate": "DECIMAL(18, 8)", "num": "DOUBLE"}

// TestTypedColumnsMatchTables: each typing query (typed_<dataset>.sql.tmpl
// over an empty staging select, all text or natively typed, with and
// without __line and __reason) gives the columns of the dataset's table
// after the migrations, in order and with their types, except those the
// pipeline adds, between the bookkeeping columns __line, __given_id (where
// rows may carry their id), __content_key (after the id, when asked), __field
// and __reason.
func TestTypedColumnsMatchTables(t *testing.T) {
	w, err := warehouse.Open(t.Context(), warehouse.Options{TimeZone: "UTC"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	err = w.Conn(t.Context(), func(c *sql.Conn) error {
		ipad, opad := warehouse.HMACPads([]byte("k"))
		if _, err := c.ExecContext(t.Context(), sqlParams, ipad, opad, "86", "CNY", time.Now()); err != nil {
			return err
		}
	datasets:
		for _, d := range schema.Datasets {
			table := describe(t, c, warehouse.QuoteIdent(d.Name))
			var stored []string
			for _, col := range table {
				if f, _ := d.Field(strings.Fields(col)[0]); !f.Added {
					stored = append(stored, col)
				}
			}
			for _, native := range []bool{false, true} {
				nat := map[string]bool{}
				var cols []string
				for _, f := range d.Inputs() {
					typ := "VARCHAR"
					if r := roles[f.Name]; native && r != "" {
						typ, nat[f.Name] = nativeTypes[r], true
					}
					cols = append(cols, "CAST(NULL AS "+typ+") AS "+warehouse.QuoteIdent(f.Name))
				}
				for _, line := range []bool{false, true} {
					for _, reasons := range []bool{false, true} {
						contentKey := line == reasons // with and without, in every other combination
						staging := "SELECT " + strings.Join(cols, ", ") + " LIMIT 0"
						var want []string
						if line {
							staging = "SELECT 1::BIGINT AS __line, " + strings.Join(cols, ", ") + " LIMIT 0"
							want = append(want, "__line BIGINT")
						}
						if d.GivenID() {
							want = append(want, "__given_id VARCHAR")
						}
						want = append(want, stored[0]) // the id
						if contentKey {
							want = append(want, "__content_key UBIGINT")
						}
						want = append(want, stored[1:]...)
						want = append(want, "__field VARCHAR")
						if reasons {
							want = append(want, "__reason VARCHAR")
						}
						got := describe(t, c, typedSQLKeyed(d.Name, staging, nat, line, reasons, contentKey))
						if !slices.Equal(got, want) {
							t.Errorf("typed_%s.sql.tmpl (native %v, line %v, reasons %v, content key %v) gives\n  %s\nthe table %s has\n  %s",
								d.Name, native, line, reasons, contentKey, strings.Join(got, ", "), d.Name, strings.Join(want, ", "))
							continue datasets
						}
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestRolesFollowParseRules: the native roles of the staging select
// (reader.go's roles, by column name) are those of each input column's
// parse rule in every dataset.
func TestRolesFollowParseRules(t *testing.T) {
	role := map[schema.Parse]string{
		schema.ParseTimestamp: "time", schema.ParseDate: "time", schema.ParseMoney: "money",
		schema.ParseInteger: "int", schema.ParseRate: "rate", schema.ParseNumber: "num",
	}
	want := map[string]string{}
	for _, d := range schema.Datasets {
		for _, f := range d.Inputs() {
			r := role[f.Parse]
			if prev, ok := want[f.Name]; ok && prev != r {
				t.Errorf("%s.%s: parse rule %s needs role %q, another dataset's %s role %q", d.Name, f.Name, f.Parse, r, f.Name, prev)
			}
			want[f.Name] = r
		}
	}
	for name, r := range want {
		if roles[name] != r {
			t.Errorf("roles[%q] = %q, its parse rule needs %q (reader.go)", name, roles[name], r)
		}
	}
	for name := range roles {
		if _, ok := want[name]; !ok {
			t.Errorf("roles[%q]: not an input column of any dataset", name)
		}
	}
}

// TestColumnsSQL: the template function columns refuses what would give a
// typing query other columns than the table's, naming the fix.
func TestColumnsSQL(t *testing.T) {
	d, _ := schema.LookupDataset("conversions")
	got, err := columnsSQL(d, []string{"revenue", "X"})
	if err != nil {
		t.Fatal(err)
	}
	want := `"occurred_at", "customer_id", "anonymous_id", "email", "phone", "conversion_type", X AS "revenue", "currency", "revenue_original", "product"`
	if got != want {
		t.Errorf("columns:\n got %s\nwant %s", got, want)
	}
	for _, c := range []struct {
		computed []string
		err      string
	}{
		{nil, `conversions.revenue is neither parsed from the file nor computed: give its SQL in typed_conversions.sql.tmpl, {{columns "revenue" "<SQL>"}}`},
		{[]string{"revenue"}, "pairs"},
		{[]string{"revenue", "X", "currency", "Y"}, "conversions.currency is typed by its parse rule"},
		{[]string{"revenue", "X", "margin", "Y"}, "computes margin, which is not a typed column"},
	} {
		if _, err := columnsSQL(d, c.computed); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%q: error %v, want %q", c.computed, err, c.err)
		}
	}
	bad := d
	bad.Columns = slices.Clone(d.Columns)
	bad.Columns[1].Parse = "clock"
	if _, err := parseSQL(bad, typingFuncs(nil)); err == nil || err.Error() != fmt.Sprintf("conversions.occurred_at: unknown parse rule %q", "clock") {
		t.Errorf("unknown parse rule: %v", err)
	}
}
