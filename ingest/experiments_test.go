package ingest

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"attrib/warehouse"
)

const exSource = `  - name: lift
    dataset: experiments
    path: ex/*
`

const exHead = "experiment_id,channel,conversion_type,start_date,end_date,incremental_conversions,standard_error,low,high,incremental_revenue,spend,design,notes\n"

// exRow is one experiment as the tests read it back.
type exRow struct {
	id, channel, ctype, start, end string
	inc, se                        float64
	low, high                      *float64
	revenue, spend, design, notes  string
}

func (h *harness) experiments() map[string]exRow {
	h.t.Helper()
	rows, err := h.w.DB().QueryContext(context.Background(), `SELECT experiment_id, channel, coalesce(conversion_type, '<all>'),
		start_date::VARCHAR, end_date::VARCHAR, incremental_conversions, standard_error, low, high,
		coalesce(incremental_revenue::VARCHAR, '<null>'), coalesce(spend::VARCHAR, '<null>'), coalesce(design, '<null>'), coalesce(notes, '<null>')
		FROM experiments`)
	if err != nil {
		h.t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]exRow{}
	for rows.Next() {
		var r exRow
		if err := rows.Scan(&r.id, &r.channel, &r.ctype, &r.start, &r.end, &r.inc, &r.se, &r.low, &r.high, &r.revenue, &r.spend, &r.design, &r.notes); err != nil {
			h.t.Fatal(err)
		}
		out[r.channel] = r
	}
	if err := rows.Err(); err != nil {
		h.t.Fatal(err)
	}
	return out
}

// TestExperimentsLoad: both forms of the error (a standard error; a 90%
// interval, from which the standard error is derived), typed as the table
// says; an experiment without an id gets a content hash.
func TestExperimentsLoad(t *testing.T) {
	t.Parallel()
	h := newHarness(t, exSource)
	h.write("ex/a.csv", exHead+
		`geo-1,Paid Search,account_opened,2025-01-06,2025-02-02,120.5,30,,,"1,250.50",10000, Geo ,north vs south`+"\n"+
		`,TV,,2025/03/01,2025/03/14,80,,47.1,112.9,,5000,GO-DARK,`+"\n"+
		// Both forms: the given standard error is kept, the interval stored as delivered.
		`hold-7,Email,card_activated,2025-04-01,2025-04-01,-3,2.5,-7,1,-12,0,holdout,`+"\n")
	wantCounts(t, only(t, h.mustRun()), Loaded, 3, 3, 0, 0)

	types := map[string]string{}
	rows, err := h.w.DB().QueryContext(context.Background(), `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'experiments'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n, ty string
		if err := rows.Scan(&n, &ty); err != nil {
			t.Fatal(err)
		}
		types[n] = ty
	}
	rows.Close()
	for col, want := range map[string]string{"start_date": "DATE", "end_date": "DATE", "incremental_conversions": "DOUBLE",
		"standard_error": "DOUBLE", "low": "DOUBLE", "high": "DOUBLE", "incremental_revenue": "DECIMAL(18,4)", "spend": "DECIMAL(18,4)",
		"experiment_id": "VARCHAR", "channel": "VARCHAR", "source_name": "VARCHAR", "load_id": "VARCHAR"} {
		if types[col] != want {
			t.Errorf("experiments.%s is %s, want %s", col, types[col], want)
		}
	}

	got := h.experiments()
	geo := got["Paid Search"]
	if geo.id != "geo-1" || geo.ctype != "account_opened" || geo.start != "2025-01-06" || geo.end != "2025-02-02" || geo.inc != 120.5 ||
		geo.se != 30 || geo.low != nil || geo.high != nil || geo.revenue != "1250.5000" || geo.spend != "10000.0000" || geo.design != "geo" || geo.notes != "north vs south" {
		t.Errorf("geo row %+v", geo)
	}
	tv := got["TV"]
	// (112.9 - 47.1) / (2 x 1.645) = 65.8 / 3.29 = 20.
	if !strings.HasPrefix(tv.id, "ex_") || tv.ctype != "<all>" || tv.start != "2025-03-01" || tv.end != "2025-03-14" || tv.inc != 80 ||
		math.Abs(tv.se-20) > 1e-9 || tv.low == nil || *tv.low != 47.1 || tv.high == nil || *tv.high != 112.9 ||
		tv.revenue != "<null>" || tv.spend != "5000.0000" || tv.design != "go-dark" || tv.notes != "<null>" {
		t.Errorf("tv row %+v (se %v)", tv, tv.se)
	}
	em := got["Email"]
	if em.id != "hold-7" || em.inc != -3 || em.se != 2.5 || *em.low != -7 || *em.high != 1 || em.revenue != "-12.0000" || em.spend != "0.0000" || em.design != "holdout" {
		t.Errorf("email row %+v", em)
	}
	if n := h.int(`SELECT count(*) FROM experiments WHERE source_name = 'lift' AND load_id = (SELECT load_id FROM ingest_files WHERE dataset = 'experiments')`); n != 3 {
		t.Errorf("%d rows carry the source and load, want 3", n)
	}
}

// TestExperimentsRejects: each validation rule rejects its row with the
// file's line, the field and a reason; the good rows load.
func TestExperimentsRejects(t *testing.T) {
	t.Parallel()
	h := newHarness(t, exSource, "ingest:\n  reject_threshold: 0.95\n")
	good := func(ch string) string { return "," + ch + ",,2025-01-01,2025-01-31,10,2,,,,,,\n" }
	content := exHead +
		good("Good A") + // line 2
		",Search,,next week,2025-01-31,10,2,,,,,,\n" + // 3
		",Search,,2025-01-01,2025-13-45,10,2,,,,,,\n" + // 4
		",Search,,2025-02-01,2025-01-01,10,2,,,,,,\n" + // 5
		",,,2025-01-01,2025-01-31,10,2,,,,,,\n" + // 6
		",Search,,2025-01-01,2025-01-31,,2,,,,,,\n" + // 7
		",Search,,2025-01-01,2025-01-31,lots,2,,,,,,\n" + // 8
		",Search,,2025-01-01,2025-01-31,10,0,,,,,,\n" + // 9
		",Search,,2025-01-01,2025-01-31,10,-2,,,,,,\n" + // 10
		",Search,,2025-01-01,2025-01-31,10,abc,,,,,,\n" + // 11
		",Search,,2025-01-01,2025-01-31,10,,3,,,,,\n" + // 12
		",Search,,2025-01-01,2025-01-31,10,,10,5,,,,\n" + // 13
		",Search,,2025-01-01,2025-01-31,10,,7,7,,,,\n" + // 14
		",Search,,2025-01-01,2025-01-31,10,2,,,,-100,,\n" + // 15
		good("Good B") + // 16
		",Search,,2025-01-01,2025-01-31,10,NaN,,,,,,\n" + // 17
		",Search,,2025-01-01,,10,2,,,,,,\n" + // 18
		",Search,,2025-01-01,2025-01-31,10,2,,,12x,,,\n" // 19
	h.write("ex/bad.csv", content)
	wantCounts(t, only(t, h.mustRun()), Loaded, 18, 2, 16, 0)
	want := []string{
		`3|start_date|unparseable start_date "next week"`,
		`4|end_date|unparseable end_date "2025-13-45"`,
		`5|end_date|end_date 2025-01-01 is before start_date 2025-02-01`,
		`6|channel|missing channel`,
		`7|incremental_conversions|missing incremental_conversions`,
		`8|incremental_conversions|incremental_conversions is not a number "lots"`,
		`9|standard_error|standard_error must be above 0: "0"`,
		`10|standard_error|standard_error must be above 0: "-2"`,
		`11|standard_error|standard_error is not a number "abc"`,
		`12|standard_error|low+high|needs standard_error, or low and high (the 90% interval)`,
		`13|low|low "10" is not below high "5"`,
		`14|low|low "7" is not below high "7"`,
		`15|spend|negative spend "-100"`,
		`17|standard_error|standard_error is not a number "NaN"`,
		`18|end_date|missing end_date`,
		`19|incremental_revenue|unparseable incremental_revenue "12x"`,
	}
	got := h.strs(`SELECT line || '|' || field || '|' || reason FROM rejected_rows ORDER BY line`)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rejected rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := h.strs(`SELECT channel FROM experiments ORDER BY channel`); strings.Join(got, ",") != "Good A,Good B" {
		t.Errorf("loaded %v", got)
	}
	if raw := h.str(`SELECT raw FROM rejected_rows WHERE line = 8`); !strings.Contains(raw, `"incremental_conversions":"lots"`) {
		t.Errorf("raw record %s", raw)
	}
}

// TestExperimentsExactlyOnce: the same file again (under its name or
// another) is skipped; a re-export with one new experiment loads only that
// one; an id repeated within a file loads once.
func TestExperimentsExactlyOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t, exSource)
	rows := ",TV,,2025-03-01,2025-03-14,80,,47.1,112.9,,5000,go-dark,\ngeo-1,Search,,2025-01-06,2025-02-02,120,30,,,,,geo,\n"
	h.write("ex/a.csv", exHead+rows)
	wantCounts(t, only(t, h.mustRun()), Loaded, 2, 2, 0, 0)
	wantCounts(t, only(t, h.mustRun()), Skipped, 0, 0, 0, 0)
	h.write("ex/b.csv", exHead+rows)
	wantCounts(t, byBase(t, h.mustRun(), "b.csv"), Skipped, 0, 0, 0, 0)
	// The same rows written differently (dates with slashes, 80.0, lower-case
	// design) are the same experiments: only the new one loads.
	h.write("ex/c.csv", exHead+",TV,,2025/03/01,2025/03/14,80.0,,47.10,112.9,,5000.00,GO-DARK,\n"+
		"geo-1,Search,,2025-01-06,2025-02-02,120,30,,,,,geo,\ngeo-2,Search,,2025-03-01,2025-03-28,50,10,,,,,geo,\ngeo-2,Search,,2025-03-01,2025-03-28,50,10,,,,,geo,\n")
	wantCounts(t, byBase(t, h.mustRun(), "c.csv"), Loaded, 4, 1, 0, 3)
	if n := h.int(`SELECT count(*) FROM experiments`); n != 3 {
		t.Errorf("%d experiments, want 3", n)
	}
}

// TestExperimentsMapped: a source with its own column names, constants and
// the interval form; and a file that gives neither a standard error nor an
// interval fails, saying what it needs.
func TestExperimentsMapped(t *testing.T) {
	t.Parallel()
	h := newHarness(t, `  - name: lift
    dataset: experiments
    path: ex/*
    columns: {experiment_id: test, channel: Channel, start_date: From, end_date: To, incremental_conversions: lift, low: lo90, high: hi90, spend: cost}
    constants: {design: holdout, conversion_type: account_opened}
  - name: lift_plain
    dataset: experiments
    path: ex2/*
`)
	h.write("ex/a.csv", "test;Channel;From;To;lift;lo90;hi90;cost\nh1;Display;01.02.2025;28.02.2025;40;7.1;72.9;\"1,000\"\n")
	wantCounts(t, only(t, h.mustRun()), Loaded, 1, 1, 0, 0)
	r := h.experiments()["Display"]
	// (72.9 - 7.1) / 3.29 = 65.8 / 3.29 = 20.
	if r.id != "h1" || r.ctype != "account_opened" || r.start != "2025-02-01" || r.end != "2025-02-28" || r.inc != 40 ||
		math.Abs(r.se-20) > 1e-9 || r.spend != "1000.0000" || r.design != "holdout" {
		t.Errorf("row %+v", r)
	}
	// Canonical names, but an interval with one end only.
	h.write("ex2/b.csv", "channel,start_date,end_date,incremental_conversions,low\nDisplay,2025-03-01,2025-03-28,40,7.1\n")
	f := byBase(t, mustFail(t, h), "b.csv")
	if f.Status != Failed || f.Message != "needs standard_error, or low and high, mapped or in the file; its columns are: channel, start_date, end_date, incremental_conversions, low" {
		t.Errorf("file without an error: %s %q", f.Status, f.Message)
	}
}

func mustFail(t *testing.T, h *harness) Report {
	t.Helper()
	rep, err := h.run()
	if err == nil {
		t.Fatalf("run succeeded: %+v", rep.Files)
	}
	return rep
}

// TestExperimentsFormats: the same experiments as NDJSON (numbers as JSON
// numbers) and as Parquet (DATE, DOUBLE and DECIMAL columns) get the same
// content-hash ids as from CSV: loaded after the CSV file, every row is a
// duplicate. A bad NDJSON row is rejected with its line.
func TestExperimentsFormats(t *testing.T) {
	t.Parallel()
	h := newHarness(t, exSource+`  - name: lift_json
    dataset: experiments
    path: exj/*
  - name: lift_pq
    dataset: experiments
    path: exp/*
`, "ingest:\n  reject_threshold: 0.5\n")
	h.write("ex/a.csv", exHead+",TV,,2025-03-01,2025-03-14,80.5,,47.1,112.9,99.5,5000,go-dark,n\n,Search,account_opened,2025-01-06,2025-02-02,120,30,,,,,geo,\n")
	h.write("exj/a.ndjson", `{"channel":"TV","start_date":"2025-03-01","end_date":"2025-03-14","incremental_conversions":80.5,"low":47.1,"high":112.9,"incremental_revenue":99.5,"spend":5000,"design":"go-dark","notes":"n"}`+"\n"+
		`{"channel":"Radio","start_date":"2025-03-01","end_date":"2025-03-14","incremental_conversions":"x","standard_error":1}`+"\n"+
		`{"channel":"Search","conversion_type":"account_opened","start_date":"2025-01-06","end_date":"2025-02-02","incremental_conversions":120,"standard_error":30,"design":"geo"}`+"\n")
	p := filepath.Join(h.dir, "exp", "a.parquet")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	// COPY takes no bound file name; this is the test's own temp path.
	if _, err := h.w.DB().ExecContext(context.Background(), `COPY (SELECT * FROM (VALUES
		('TV', NULL, DATE '2025-03-01', DATE '2025-03-14', 80.5::DOUBLE, NULL::DOUBLE, 47.1::DOUBLE, 112.9::DOUBLE, 99.5::DECIMAL(10, 2), 5000::DECIMAL(18, 4), 'go-dark', 'n'),
		('Search', 'account_opened', DATE '2025-01-06', DATE '2025-02-02', 120::DOUBLE, 30::DOUBLE, NULL, NULL, NULL, NULL, 'geo', NULL))
		v(channel, conversion_type, start_date, end_date, incremental_conversions, standard_error, low, high, incremental_revenue, spend, design, notes))
		TO `+warehouse.QuoteLiteral(p)+` (FORMAT parquet)`); err != nil {
		t.Fatal(err)
	}
	rep := h.mustRun()
	wantCounts(t, byBase(t, rep, "a.csv"), Loaded, 2, 2, 0, 0)
	wantCounts(t, byBase(t, rep, "a.ndjson"), Loaded, 3, 0, 1, 2)
	wantCounts(t, byBase(t, rep, "a.parquet"), Loaded, 2, 0, 0, 2)
	if got := h.str(`SELECT line || '|' || field || '|' || reason FROM rejected_rows`); got != `2|incremental_conversions|incremental_conversions is not a number "x"` {
		t.Errorf("reject %q", got)
	}
	if n := h.int(`SELECT count(*) FROM experiments`); n != 2 {
		t.Errorf("%d experiments, want 2", n)
	}
}

// TestExperimentsFastPath: a large clean experiments file is written in one
// scan; one that repeats an experiment loaded before is refused and takes
// the full path; the warehouse ends the same as with the full path only.
func TestExperimentsFastPath(t *testing.T) {
	// Not parallel: it switches the package variables smallFileBytes and fastPath.
	defer func(n int64) { smallFileBytes = n }(smallFileBytes)
	smallFileBytes = 0
	defer func() { fastPath = true }()
	files := []struct {
		name, content, route string
		counts               [4]int64
	}{
		{"a.csv", exHead + ",TV,,2025-03-01,2025-03-14,80,,47.1,112.9,,5000,go-dark,\ngeo-1,Search,,2025-01-06,2025-02-02,120,30,,,,,geo,\n", "fast", [4]int64{2, 2, 0, 0}},
		{"b.csv", exHead + "geo-1,Search,,2025-01-06,2025-02-02,120,30,,,,,geo,\ngeo-2,Search,,2025-03-01,2025-03-28,50,10,,,,,geo,\n", "refused", [4]int64{2, 1, 0, 1}},
		{"c.csv", exHead + "geo-3,Search,,2025-04-01,2025-04-28,50,0,,,,,geo,\ngeo-4,Search,,2025-05-01,2025-05-28,50,10,,,,,geo,\n", "full", [4]int64{2, 1, 1, 0}},
	}
	var results [2]string
	for i, fast := range []bool{true, false} {
		fastPath = fast
		h := newHarness(t, exSource, "ingest:\n  reject_threshold: 0.6\n")
		for _, f := range files {
			path := h.write("ex/"+f.name, f.content)
			log := &stepLog{steps: map[string][]string{}}
			rep, err := h.run(func(o *Options) { o.Progress = log })
			if err != nil {
				t.Fatalf("%s: %v", f.name, err)
			}
			wantCounts(t, byBase(t, rep, f.name), Loaded, f.counts[0], f.counts[1], f.counts[2], f.counts[3])
			want := f.route
			if !fast {
				want = "full"
			}
			if r := log.route(path); r != want {
				t.Fatalf("%s: route %q, want %q", f.name, r, want)
			}
		}
		results[i] = strings.Join(h.strs(`SELECT concat_ws(' ', 'row', experiment_id, channel, start_date, end_date, incremental_conversions,
			standard_error, low, high, spend, design, source_name) FROM experiments
			UNION ALL SELECT concat_ws(' ', 'reject', regexp_replace(path, '.*/', ''), line, field, reason, raw) FROM rejected_rows
			UNION ALL SELECT concat_ws(' ', 'file', regexp_replace(path, '.*/', ''), status, rows_read, rows_loaded, rows_rejected, rows_duplicate)
			FROM ingest_files ORDER BY 1`), "\n")
	}
	if results[0] != results[1] {
		t.Fatalf("fast path and full path differ:\n--- with the fast path\n%s\n--- full path only\n%s", results[0], results[1])
	}
}
