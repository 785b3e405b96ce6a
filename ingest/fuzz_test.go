package ingest

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"attrib/config"
	"attrib/testkit"
	"attrib/warehouse"
)

// memWarehouse is an in-memory warehouse with the ingest macros.
func memWarehouse(t testing.TB) *warehouse.Warehouse {
	t.Helper()
	return testkit.Warehouse(t, warehouse.Options{TimeZone: "Asia/Shanghai"})
}

func FuzzFormat(f *testing.F) {
	for _, s := range []string{"a.csv", "A.CSV.GZ", "x.tsv.zst", "y.jsonl", "z.parquet", "q.arrows", "r.arrow.gzip", "noext", ".csv", "a.csv.gz.gz", "a.txt"} {
		f.Add(s, "")
	}
	f.Add("a.weird", "csv")
	f.Add("a.csv", "json")
	f.Fuzz(func(t *testing.T, name, forced string) {
		got, err := format(config.Source{Format: forced}, name)
		if forced != "" {
			want := forced
			if forced == "json" {
				want = "ndjson"
			}
			if err != nil || got != want {
				t.Fatalf("format %q forced %q: %q, %v", name, forced, got, err)
			}
			return
		}
		if err != nil {
			return
		}
		switch got {
		case "csv", "tsv", "ndjson", "parquet", "arrow":
		default:
			t.Fatalf("format %q = %q", name, got)
		}
		// A compression suffix never changes the format.
		if compression(name) != "" {
			return
		}
		if again, err := format(config.Source{}, name+".gz"); err != nil || again != got {
			t.Fatalf("format %q.gz = %q, %v; want %q", name, again, err, got)
		}
	})
}

// FuzzStagingSQL feeds arbitrary file column names and mappings to the
// staging query builder: whatever it accepts must run on DuckDB and copy
// the mapped column's values.
func FuzzStagingSQL(f *testing.F) {
	w := memWarehouse(f)
	ds, _ := config.LookupDataset("touchpoints")
	f.Add("occurred_at,anonymous_id", "", "")
	f.Add(`ts,"we""ird",x y`, "ts", `"we""ird"`)
	f.Add("Occurred_At,ANONYMOUS_ID", "", "")
	f.Add("a;b,c", "a;b", "c")
	f.Add("时间,访客", "时间", "访客")
	f.Fuzz(func(t *testing.T, header, occurredCol, anonCol string) {
		cols := strings.Split(header, ",")
		seen := map[string]bool{}
		for _, c := range cols {
			if c == "" || !utf8.ValidString(c) || strings.ContainsRune(c, 0) || seen[strings.ToLower(c)] {
				return // not a table DuckDB can hold; not what a reader returns
			}
			seen[strings.ToLower(c)] = true
		}
		src := config.Source{Columns: map[string]string{}, Constants: map[string]string{"interaction": "visit"}}
		if occurredCol != "" {
			src.Columns["occurred_at"] = occurredCol
		}
		if anonCol != "" {
			src.Columns["anonymous_id"] = anonCol
		}
		q, args, _, err := stagingSelect(ds, src, reader{call: "fz"}, cols, nil, true)
		if err != nil {
			return // a mapping to a missing column is refused with a message
		}
		q = "CREATE OR REPLACE TEMP TABLE stg AS " + q
		ctx := context.Background()
		err = w.Conn(ctx, func(c *sql.Conn) error {
			var defs, vals []string
			for _, col := range cols {
				defs = append(defs, warehouse.QuoteIdent(col)+" VARCHAR")
				vals = append(vals, "'v'")
			}
			if _, err := c.ExecContext(ctx, "CREATE OR REPLACE TEMP TABLE fz ("+strings.Join(defs, ", ")+")"); err != nil {
				return err
			}
			if _, err := c.ExecContext(ctx, "INSERT INTO fz VALUES ("+strings.Join(vals, ", ")+")"); err != nil {
				return err
			}
			if _, err := c.ExecContext(ctx, q, args...); err != nil {
				t.Fatalf("staging SQL failed: %v\n%s", err, q)
			}
			var occ, inter sql.NullString
			if err := c.QueryRowContext(ctx, "SELECT occurred_at, interaction FROM stg").Scan(&occ, &inter); err != nil {
				return err
			}
			if occ.String != "v" || inter.String != "visit" {
				t.Fatalf("staged occurred_at=%v interaction=%v", occ, inter)
			}
			_, err := c.ExecContext(ctx, "DROP TABLE fz; DROP TABLE stg")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzParseTimestamp: the timestamp macro never fails a query, whatever
// the text; it answers a time or NULL.
func FuzzParseTimestamp(f *testing.F) {
	w := memWarehouse(f)
	for _, s := range []string{"2025-01-02 10:00:00", "2025-01-02T10:00:00Z", "2025/01/02", "1735812000", "1735812000000",
		"02.01.2025", "20250102", "", "  ", "2025-13-45", "9999999999999", "1e10", "-1", "2025-01-02 10:00:00 Mars/Olympus",
		"2025-01-02 10:00:00+08:00", "０１２３", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return // the readers reject invalid UTF-8 before typing
		}
		var got sql.NullTime
		if err := w.DB().QueryRow(`SELECT attrib_parse_ts(?)`, s).Scan(&got); err != nil {
			t.Fatalf("attrib_parse_ts(%q): %v", s, err)
		}
		var d sql.NullTime
		if err := w.DB().QueryRow(`SELECT attrib_parse_date(?)`, s).Scan(&d); err != nil {
			t.Fatalf("attrib_parse_date(%q): %v", s, err)
		}
		if got.Valid != d.Valid {
			t.Fatalf("%q: time %v but date %v", s, got, d)
		}
	})
}

// FuzzTimestampRoundTrip writes a time in each accepted layout and zone
// convention and reads it back through the SQL macro.
func FuzzTimestampRoundTrip(f *testing.F) {
	w := memWarehouse(f) // session zone Asia/Shanghai (+08:00) for times without a zone
	f.Add(int64(1735812000), uint8(0))
	f.Add(int64(0), uint8(3))
	f.Add(int64(4102444799), uint8(5))
	f.Add(int64(946684800), uint8(6))
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		f.Fatal(err)
	}
	layouts := []struct {
		layout string
		loc    *time.Location
		unit   time.Duration // precision kept by the layout
	}{
		{time.RFC3339, time.UTC, time.Second},
		{"2006-01-02T15:04:05-07:00", time.FixedZone("", -5*3600), time.Second},
		{"2006-01-02 15:04:05", shanghai, time.Second},
		{"2006/01/02 15:04:05", shanghai, time.Second},
		{"2006/01/02", shanghai, 24 * time.Hour},
		{"epoch_s", nil, time.Second},
		{"epoch_ms", nil, time.Millisecond},
	}
	f.Fuzz(func(t *testing.T, sec int64, which uint8) {
		// Years 2001-2099: epoch seconds need 9-10 digits and milliseconds 12-13.
		sec = 978307200 + ((sec%3124137600)+3124137600)%3124137600
		l := layouts[int(which)%len(layouts)]
		want := time.Unix(sec, 0)
		var s string
		switch l.layout {
		case "epoch_s":
			s = itoa(sec)
		case "epoch_ms":
			s = itoa(sec * 1000)
		default:
			want = want.In(l.loc)
			s = want.Format(l.layout)
			if l.unit == 24*time.Hour {
				want = time.Date(want.Year(), want.Month(), want.Day(), 0, 0, 0, 0, l.loc)
			}
		}
		var got sql.NullTime
		if err := w.DB().QueryRow(`SELECT attrib_parse_ts(?)`, s).Scan(&got); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if !got.Valid || !got.Time.Equal(want) {
			t.Fatalf("attrib_parse_ts(%q) = %v, want %v", s, got, want)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// FuzzMaskRawLine: no e-mail address survives the masking of an unreadable record.
func FuzzMaskRawLine(f *testing.F) {
	w := memWarehouse(f)
	for _, s := range []string{"2025-01-02,a@b.c,+44 20 7946 0958", "x;y@z;1", "\"quoted, a@b\",2", "", "@", "2025-01-02 10:00:00,1735812000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		var got sql.NullString
		if err := w.DB().QueryRow(`SELECT attrib_mask_raw_line(?)`, s).Scan(&got); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if strings.Contains(got.String, "@") {
			t.Fatalf("mask(%q) = %q keeps an @", s, got.String)
		}
		for _, tok := range strings.FieldsFunc(got.String, func(r rune) bool { return strings.ContainsRune(",;\t|", r) }) {
			digits := 0
			phoneLike := true
			for _, r := range strings.Trim(tok, " \"'") {
				switch {
				case r >= '0' && r <= '9':
					digits++
				case strings.ContainsRune("+ ().-/", r):
				default:
					phoneLike = false
				}
			}
			if digits >= 7 && phoneLike && !isDateLike(strings.Trim(tok, " \"'")) {
				t.Fatalf("mask(%q) keeps phone-like %q", s, tok)
			}
		}
	})
}

func isDateLike(s string) bool {
	if len(s) < 8 {
		return false
	}
	for i := 0; i < 4; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return strings.ContainsRune("-/.", rune(s[4]))
}

// FuzzTypingShortcuts: the shortcuts of the typing templates (typingFuncs)
// give exactly what the rules they stand for give: a text time is
// attrib_parse_ts, a text value is nullif(trim(x), ”), whatever the text.
func FuzzTypingShortcuts(f *testing.F) {
	w := memWarehouse(f)
	for _, s := range []string{"2025-01-02 10:00:00", " 2025-01-02T10:00:00Z ", "2025/01/02", "1735812000", "1735812000000",
		"02.01.2025", "20250102", "", "  ", "-", ":", "10:00", "2025-13-45", " x ", "\tx\t", "x ", " ", "1-2"} {
		f.Add(s)
	}
	fn := typingFuncs(nil)
	ts := fn["ts"].(func(string) string)("x")
	text := fn["text"].(func(string) string)("x")
	q := "SELECT (" + strings.ReplaceAll(ts, `s."x"`, "$1") + ") IS NOT DISTINCT FROM attrib_parse_ts($1), (" +
		strings.ReplaceAll(text, `s."x"`, "$1") + ") IS NOT DISTINCT FROM nullif(trim($1), '')"
	if !strings.Contains(ts, `s."x"`) || !strings.Contains(text, `s."x"`) {
		f.Fatalf("unexpected shortcuts %q %q", ts, text)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return // the readers reject invalid UTF-8 before typing
		}
		var sameTime, sameText bool
		if err := w.DB().QueryRow(q, s).Scan(&sameTime, &sameText); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if !sameTime || !sameText {
			t.Fatalf("%q: time same %v, text same %v", s, sameTime, sameText)
		}
	})
}
