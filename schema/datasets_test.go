package schema_test

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"

	"attrib/schema"
	"attrib/warehouse"
)

// dbColumn is a column as DuckDB reports it.
type dbColumn struct {
	Name, Type string
	NotNull    bool
}

func (c dbColumn) String() string {
	s := c.Name + " " + c.Type
	if c.NotNull {
		s += " NOT NULL"
	}
	return s
}

// list joins columns with commas.
func list(cols []dbColumn) string {
	s := make([]string, len(cols))
	for i, c := range cols {
		s[i] = c.String()
	}
	return strings.Join(s, ", ")
}

// columnsOf lists a table's columns in order as DuckDB reports them.
func columnsOf(t *testing.T, c *sql.Conn, table string) []dbColumn {
	t.Helper()
	rows, err := c.QueryContext(t.Context(), `SELECT column_name, data_type, NOT is_nullable FROM duckdb_columns()
		WHERE table_name = ? AND schema_name IN ('main', 'pg_temp') ORDER BY database_name, column_index`, table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []dbColumn
	for rows.Next() {
		var col dbColumn
		if err := rows.Scan(&col.Name, &col.Type, &col.NotNull); err != nil {
			t.Fatal(err)
		}
		out = append(out, col)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDatasetTables: after all migrations, every dataset's table has
// exactly the columns of its definition, in order, with their types and
// NOT NULL. The definition's types are read by DuckDB too (a temp table
// created from them), so DECIMAL(18, 4) and DECIMAL(18,4) compare equal.
func TestDatasetTables(t *testing.T) {
	w, err := warehouse.Open(t.Context(), warehouse.Options{TimeZone: "UTC"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	err = w.Conn(t.Context(), func(c *sql.Conn) error {
		for _, d := range schema.Datasets {
			var defs []string
			for _, f := range d.Columns {
				def := warehouse.QuoteIdent(f.Name) + " " + f.Type
				if f.NotNull {
					def += " NOT NULL"
				}
				defs = append(defs, def)
			}
			want := "want_" + d.Name
			if _, err := c.ExecContext(t.Context(), "CREATE TEMP TABLE "+warehouse.QuoteIdent(want)+" ("+strings.Join(defs, ", ")+")"); err != nil {
				t.Fatalf("%s: the definition's types: %v", d.Name, err)
			}
			got, wantCols := columnsOf(t, c, d.Name), columnsOf(t, c, want)
			if len(got) == 0 {
				t.Errorf("no table %s after the migrations: add a migration that creates it:\nCREATE TABLE %s (\n    %s\n);", d.Name, d.Name, strings.Join(defs, ",\n    "))
				continue
			}
			if slices.Equal(got, wantCols) {
				continue
			}
			msg := fmt.Sprintf("%s after the migrations differs from schema.Datasets:\n  table  %s\n  schema %s", d.Name, list(got), list(wantCols))
			for _, wc := range wantCols {
				if !slices.ContainsFunc(got, func(g dbColumn) bool { return g.Name == wc.Name }) {
					msg += fmt.Sprintf("\n  missing: add a migration with ALTER TABLE %s ADD COLUMN %s %s;", d.Name, wc.Name, wc.Type)
				}
			}
			t.Error(msg)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestDatasetDefinitions: the rules every definition follows, so that
// config, ingest and the catalogue can derive their parts from it.
func TestDatasetDefinitions(t *testing.T) {
	names := map[string]bool{}
	for _, d := range schema.Datasets {
		if names[d.Name] {
			t.Errorf("dataset %s defined twice", d.Name)
		}
		names[d.Name] = true
		if d.Grain == "" || d.About == "" || d.Example == "" {
			t.Errorf("%s: grain, about and example are required", d.Name)
		}
		id, ok := d.Field(d.ID)
		if !ok || id.Type != "VARCHAR" || !id.NotNull {
			t.Errorf("%s: id column %s must be a VARCHAR NOT NULL column", d.Name, d.ID)
		}
		cols := map[string]bool{}
		as := map[string]bool{}
		for _, f := range d.Columns {
			where := d.Name + "." + f.Name
			if cols[f.Name] {
				t.Errorf("%s twice", where)
			}
			cols[f.Name] = true
			if f.Type == "" || f.Doc == "" {
				t.Errorf("%s: type and doc are required", where)
			}
			if f.Input != (f.Parse != "") {
				t.Errorf("%s: an input column has a parse rule, and only an input column", where)
			}
			if (f.Required || f.Identifier || f.As != "") && !f.Input {
				t.Errorf("%s: required, identifier and As are for input columns", where)
			}
			if f.Added && (f.Input || f.Name == d.ID) {
				t.Errorf("%s: a column the pipeline adds is neither an input nor the id", where)
			}
			if f.As != "" {
				as[f.As] = true
			}
		}
		for a := range as {
			if f, ok := d.Field(a); ok && f.Input {
				t.Errorf("%s: %s is parsed as %s, an input column", d.Name, a, a)
			}
		}
		for _, rule := range d.OneOf {
			for _, set := range rule {
				for _, c := range set {
					if f, ok := d.Field(c); !ok || !f.Input {
						t.Errorf("%s: one-of rule %s names %s, not an input column", d.Name, rule, c)
					}
				}
			}
		}
	}
}

// TestDatasetsCatalogued: each dataset's table is in the catalogue with
// the definition's columns and documentation.
func TestDatasetsCatalogued(t *testing.T) {
	for _, d := range schema.Datasets {
		i := slices.IndexFunc(schema.Catalogue, func(tb schema.Table) bool { return tb.Name == d.Name })
		if i < 0 {
			t.Errorf("%s is not in the catalogue", d.Name)
			continue
		}
		tb := schema.Catalogue[i]
		var want []schema.Column
		for _, f := range d.Columns {
			want = append(want, schema.Column{Name: f.Name, Definition: f.Doc})
		}
		if tb.Section != "input" || tb.Grain != d.Grain || tb.About != d.About || tb.Example != d.Example || !slices.Equal(tb.Columns, want) {
			t.Errorf("%s: catalogued as %+v", d.Name, tb)
		}
	}
}

// TestAlternatives: how a one-of rule reads and when a source satisfies it.
func TestAlternatives(t *testing.T) {
	rule := schema.Alternatives{{"standard_error"}, {"low", "high"}}
	if got := rule.String(); got != "standard_error, or low and high" {
		t.Errorf("String() = %q", got)
	}
	if got := (schema.Alternatives{{"a"}, {"b", "c", "d"}}).String(); got != "a, or b, c and d" {
		t.Errorf("String() = %q", got)
	}
	for _, c := range []struct {
		given []string
		want  bool
	}{
		{[]string{"standard_error"}, true},
		{[]string{"low", "high"}, true},
		{[]string{"low"}, false},
		{nil, false},
	} {
		if got := rule.Satisfied(func(col string) bool { return slices.Contains(c.given, col) }); got != c.want {
			t.Errorf("%v: satisfied %v, want %v", c.given, got, c.want)
		}
	}
}
