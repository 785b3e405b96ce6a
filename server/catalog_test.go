package server

import (
	"context"
	"strings"
	"testing"
)

// TestBIToolCatalogQueries runs the metadata queries pgJDBC (DBeaver,
// Metabase) and common tools send to list tables and columns.
func TestBIToolCatalogQueries(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, nil)
	ctx := context.Background()
	c := e.pgxConn(t, testPassword)

	// pgJDBC DatabaseMetaData.getTables.
	getTables := `SELECT NULL AS TABLE_CAT, n.nspname AS TABLE_SCHEM, c.relname AS TABLE_NAME,  CASE n.nspname ~ '^pg_' OR n.nspname = 'information_schema'  WHEN true THEN CASE  WHEN n.nspname = 'pg_catalog' OR n.nspname = 'information_schema' THEN CASE c.relkind   WHEN 'r' THEN 'SYSTEM TABLE'   WHEN 'v' THEN 'SYSTEM VIEW'   ELSE NULL   END  ELSE NULL  END  WHEN false THEN CASE c.relkind  WHEN 'r' THEN 'TABLE'  WHEN 'p' THEN 'PARTITIONED TABLE'  WHEN 'v' THEN 'VIEW'  WHEN 'm' THEN 'MATERIALIZED VIEW'  ELSE NULL  END  ELSE NULL  END  AS TABLE_TYPE, d.description AS REMARKS,  '' as TYPE_CAT, '' as TYPE_SCHEM, '' as TYPE_NAME, '' AS SELF_REFERENCING_COL_NAME, '' AS REF_GENERATION  FROM pg_catalog.pg_namespace n, pg_catalog.pg_class c  LEFT JOIN pg_catalog.pg_description d ON (c.oid = d.objoid AND d.objsubid = 0  and d.classoid = 'pg_class'::regclass)  WHERE c.relnamespace = n.oid  AND (false  OR ( c.relkind = 'r' AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' ) )  ORDER BY TABLE_TYPE,TABLE_SCHEM,TABLE_NAME`
	rows, err := c.Query(ctx, getTables)
	if err != nil {
		t.Fatalf("getTables: %v", err)
	}
	var names []string
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, vals[2].(string)+":"+vals[3].(string))
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("getTables: %v", err)
	}
	if !strings.Contains(strings.Join(names, ","), "channel_performance:TABLE") {
		t.Errorf("getTables: %v", names)
	}

	// pgJDBC DatabaseMetaData.getColumns.
	getColumns := `SELECT * FROM (SELECT n.nspname,c.relname,a.attname,a.atttypid,a.attnotnull OR (t.typtype = 'd' AND t.typnotnull) AS attnotnull,a.atttypmod,a.attlen,t.typtypmod,row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum) AS attnum, nullif(a.attidentity, '') as attidentity,nullif(a.attgenerated, '') as attgenerated,pg_catalog.pg_get_expr(def.adbin, def.adrelid) AS adsrc,dsc.description,t.typbasetype,t.typtype  FROM pg_catalog.pg_namespace n  JOIN pg_catalog.pg_class c ON (c.relnamespace = n.oid)  JOIN pg_catalog.pg_attribute a ON (a.attrelid=c.oid)  JOIN pg_catalog.pg_type t ON (a.atttypid = t.oid)  LEFT JOIN pg_catalog.pg_attrdef def ON (a.attrelid=def.adrelid AND a.attnum = def.adnum)  LEFT JOIN pg_catalog.pg_description dsc ON (c.oid=dsc.objoid AND a.attnum = dsc.objsubid)  LEFT JOIN pg_catalog.pg_class dc ON (dc.oid=dsc.classoid AND dc.relname='pg_class')  LEFT JOIN pg_catalog.pg_namespace dn ON (dc.relnamespace=dn.oid AND dn.nspname='pg_catalog')  WHERE c.relkind in ('r','p','v','f','m') and a.attnum > 0 AND NOT a.attisdropped  AND c.relname LIKE E'channel\\_performance') c WHERE true  ORDER BY nspname,c.relname,attnum`
	rows, err = c.Query(ctx, getColumns)
	if err != nil {
		t.Fatalf("getColumns: %v", err)
	}
	var cols []string
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatal(err)
		}
		cols = append(cols, vals[2].(string))
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("getColumns: %v", err)
	}
	if len(cols) != 15 || cols[0] != "date" || cols[14] != "roi" {
		t.Errorf("getColumns: %v", cols)
	}

	// information_schema (Metabase's sync, many tools).
	var n int
	if err := c.QueryRow(ctx, "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'main' AND table_name = $1", "channel_performance").Scan(&n); err != nil || n != 15 {
		t.Errorf("information_schema.columns: %d %v", n, err)
	}
	// The catalog shims are macros: they do not show up as tables.
	if err := c.QueryRow(ctx, "SELECT count(*) FROM information_schema.tables WHERE table_catalog <> 'attrib'").Scan(&n); err != nil || n != 0 {
		t.Errorf("information_schema.tables lists %d objects outside the warehouse (%v)", n, err)
	}
	var v, db, schema string
	if err := c.QueryRow(ctx, "SELECT version(), current_database(), current_schema()").Scan(&v, &db, &schema); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(v, "PostgreSQL 16.0") || db != "attrib" || schema != "main" {
		t.Errorf("version %q database %q schema %q", v, db, schema)
	}
	// DuckDB's own inspection statements pass through. SHOW TABLES: the 13 tables of the migrations
	// (touchpoints, conversions, spend, identity_links, activity, fx_rates, experiments, ingest_files,
	// rejected_rows, pipeline_runs, attrib_migrations, attribution_credits_rule_based and
	// attribution_credits_data_driven_wide), the views attribution_credits and
	// attribution_credits_data_driven, and the test's channel_performance and type_zoo.
	for q, want := range map[string]int{"DESCRIBE channel_performance": 15, "SHOW TABLES": 17, "SUMMARIZE type_zoo": 22, "EXPLAIN SELECT 1": 1} {
		rows, err := c.Query(ctx, q)
		if err != nil {
			t.Errorf("%s: %v", q, err)
			continue
		}
		n := 0
		for rows.Next() {
			n++
		}
		if err := rows.Err(); err != nil || n != want {
			t.Errorf("%s: %d rows (%v), want %d", q, n, err, want)
		}
	}
	for _, q := range []string{"SHOW transaction_isolation", "SHOW standard_conforming_strings", "SHOW search_path", "SHOW TimeZone"} {
		var s string
		if err := c.QueryRow(ctx, q).Scan(&s); err != nil || s == "" {
			t.Errorf("%s: %q %v", q, s, err)
		}
	}
}
