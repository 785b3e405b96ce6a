package ingest

import (
	"crypto/sha256"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestJSONScan checks the scan of NDJSON bytes against cases worked out by
// hand, each fed whole and byte by byte (every chunk boundary).
func TestJSONScan(t *testing.T) {
	cases := []struct {
		name, in string
		ok       bool
		objects  int64
		odd      []string
	}{
		{"strings and null", `{"a":"x","b":null}` + "\n" + `{"a":"y"}` + "\n", true, 2, nil},
		{"no last line end", `{"a":"x"}`, true, 1, nil},
		{"crlf and spaces", ` { "a" : "x" , "b" : "y" } ` + "\r\n" + `{"a":"z"}` + "\r\n", true, 2, nil},
		{"empty object", "{}\n", true, 1, nil},
		{"a number", `{"a":1,"b":"x"}` + "\n" + `{"a":"1","c":-2.5e-7}` + "\n", true, 2, []string{"a", "c"}},
		{"true, false, nested", `{"a":"x","n":{"c":[1,"}]\""],"d":{}},"t":true,"f":false}` + "\n", true, 1, []string{"f", "n", "t"}},
		{"escapes in values", `{"a":"q\"uo\\","b":"\\\"","c":"\u00e9\n"}` + "\n", true, 1, nil},
		{"an escaped key with a string", `{"k\"ey":"v"}` + "\n", true, 1, nil},
		{"not a literal", `{"a":nan}` + "\n", true, 1, []string{"a"}},
		{"an escaped key with a number", `{"k\"ey":1}` + "\n", false, 1, nil},
		{"blank lines", `{"a":"x"}` + "\n\n  \n" + `{"a":"y"}` + "\n", true, 2, nil},
		{"crlf blank line", `{"a":"x"}` + "\r\n\r\n", true, 1, nil},
		{"array line", "[1]\n", false, 0, nil},
		{"scalar line", "5\n", false, 0, nil},
		{"two objects on a line", `{"a":"x"} {"a":"y"}` + "\n", false, 1, nil},
		{"truncated", `{"a":"x`, false, 1, nil},
		{"truncated after key", `{"a"`, false, 1, nil},
		// Not looked for: DuckDB's readers refuse the line.
		{"newline in a string", "{\"a\":\"x\ny\"}\n", true, 1, nil},
		{"newline in a nested value", "{\"a\":[1,\n2]}\n", false, 1, []string{"a"}},
		{"trailing comma", `{"a":"x",}` + "\n", false, 1, nil},
		{"byte order mark", "\xef\xbb\xbf{\"a\":\"x\"}\n", false, 0, nil},
		{"single quotes", `{'a':'x'}` + "\n", false, 1, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			whole := newJSONScan()
			_, _ = whole.Write([]byte(c.in))
			bytewise := newJSONScan()
			for i := 0; i < len(c.in); i++ {
				_, _ = bytewise.Write([]byte{c.in[i]})
			}
			for how, s := range map[string]*jsonScan{"whole": whole, "byte by byte": bytewise} {
				if s.ok() != c.ok {
					t.Errorf("%s: ok %v, want %v", how, s.ok(), c.ok)
				}
				if !c.ok {
					continue
				}
				var odd []string
				for k := range s.odd {
					odd = append(odd, k)
				}
				sortStrings(odd)
				if s.objects != c.objects || !reflect.DeepEqual(odd, c.odd) {
					t.Errorf("%s: %d objects, odd keys %q; want %d, %q", how, s.objects, odd, c.objects, c.odd)
				}
			}
		})
	}
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// loadJSONBoth loads the NDJSON files (name, content, in order) into two
// fresh warehouses, with the read_json reader allowed and without it, every
// file on the large-file path, and returns each warehouse's rows, rejected
// rows and file records, the routes with the reader allowed, and how many
// loads used it.
func loadJSONBoth(t *testing.T, files ...[2]string) (with, without, routes string, reads int64) {
	t.Helper()
	defer func(n int64) { smallFileBytes = n }(smallFileBytes)
	smallFileBytes = 0
	defer func() { jsonColumns = true }()
	for i, on := range []bool{true, false} {
		jsonColumns = on
		h := newHarness(t, tpSource, "ingest:\n  reject_threshold: 0.6\n")
		before := jsonColumnReads.Load()
		var rs []string
		for _, f := range files {
			path := h.write("data/"+f[0], f[1])
			log := &stepLog{steps: map[string][]string{}}
			rep, err := h.run(func(o *Options) { o.Progress = log })
			if err != nil {
				t.Fatalf("%s: %v", f[0], err)
			}
			checkAccounting(t, rep)
			rs = append(rs, filepath.Base(path)+" "+log.route(path))
		}
		dump := strings.Join(h.strs(`SELECT concat_ws(' ', 'row', touchpoint_id, occurred_at, customer_id, anonymous_id, email, phone,
			channel, source, medium, campaign, content, term, interaction, cost, location, source_name) FROM touchpoints
			UNION ALL SELECT concat_ws(' ', 'reject', source, regexp_replace(path, '.*/', ''), line, field, reason, raw) FROM rejected_rows
			UNION ALL SELECT concat_ws(' ', 'file', regexp_replace(path, '.*/', ''), status, rows_read, rows_loaded, rows_rejected, rows_duplicate,
			regexp_replace(message, '/\S*/|loaded as \S+', '', 'g'))
			FROM ingest_files ORDER BY 1`), "\n")
		if i == 0 {
			with, routes, reads = dump, strings.Join(rs, ", "), jsonColumnReads.Load()-before
		} else {
			without = dump
		}
	}
	return with, without, routes, reads
}

// jsonLine is one touchpoint as an NDJSON line; fields holds the raw JSON of
// each value after the time.
func jsonLine(ts string, fields ...string) string {
	var b strings.Builder
	b.WriteString(`{"occurred_at":` + ts)
	for _, f := range fields {
		b.WriteString("," + f)
	}
	b.WriteString("}\n")
	return b.String()
}

// TestJSONColumnsSameRows loads NDJSON files through read_json and through
// read_ndjson_objects: the rows, their ids, the rejected rows and the file
// records must be the same, and the read_json reader must be used exactly
// where the values allow it.
func TestJSONColumnsSameRows(t *testing.T) {
	// Strings of every kind: escapes, non-ASCII, spaces to trim, empty,
	// null, missing keys, e-mail and phone (hashed), an unmapped nested key.
	var clean strings.Builder
	for i := 0; i < 40; i++ {
		clean.WriteString(jsonLine(fmt.Sprintf(`"2025-01-%02dT10:%02d:00Z"`, 1+i%28, i%60),
			fmt.Sprintf(`"anonymous_id":"a\"%d\\"`, i), `"campaign":" 春季 \u00e9\ud83d\ude00 "`, `"channel":""`,
			`"email":" Person`+itoa(int64(i%7))+`@Example.com "`, `"phone":"+44 20 7946 0`+itoa(int64(100+i))+`"`,
			`"medium":null`, `"cost":"1.50"`, `"extra":{"n":[1,2,{"x":"y"}],"b":true}`))
	}
	// Numbers, true and nested values in mapped keys: read_json would print
	// some numbers its own way; they are read as JSON.
	numbers := jsonLine(`"2025-01-02T10:00:00Z"`, `"anonymous_id":"n1"`, `"cost":1e-7`) +
		jsonLine(`"2025-01-02T11:00:00Z"`, `"anonymous_id":"n2"`, `"cost":1.50`, `"customer_id":12345678901234567890123`) +
		jsonLine(`"2025-01-02T12:00:00Z"`, `"anonymous_id":"n3"`, `"cost":0.1`, `"campaign":true`, `"content":{"a":1}`)
	// Strings in every line but the last.
	mixed := clean.String() + jsonLine(`"2025-01-03T10:00:00Z"`, `"anonymous_id":77`)
	// A row that fails validation: the fast path is refused, the full path
	// writes through read_json, the rejected row keeps its whole line.
	rejects := strings.Replace(clean.String(), `"2025-01-05T10:04:00Z"`, `"yesterday"`, 1)
	// Repeated rows without ids: the write keeps the first occurrence.
	repeats := clean.String() + clean.String()[:strings.Index(clean.String(), "\n")+1]

	cases := []struct {
		name   string
		files  [][2]string
		routes string
		reads  int64
	}{
		{"strings", [][2]string{{"a.ndjson", clean.String()}}, "a.ndjson fast", 1},
		{"numbers, true and nested values", [][2]string{{"a.ndjson", numbers}}, "a.ndjson fast", 1},
		{"a number in the last line", [][2]string{{"a.ndjson", mixed}}, "a.ndjson fast", 1},
		{"a rejected row", [][2]string{{"a.ndjson", rejects}}, "a.ndjson refused", 1},
		{"a repeated row", [][2]string{{"a.ndjson", repeats}}, "a.ndjson refused", 1},
		{"after rejects, the full path", [][2]string{{"a.ndjson", rejects}, {"b.ndjson", strings.ReplaceAll(clean.String(), `"a\"`, `"b\"`)}},
			"a.ndjson refused, b.ndjson full", 2},
		{"blank lines", [][2]string{{"a.ndjson", clean.String() + "\n  \n" + jsonLine(`"2025-01-03T10:00:00Z"`, `"anonymous_id":"z"`) + "\n"}}, "a.ndjson fast", 1},
		// Not read by read_json: a line that is not JSON, a line that is not
		// an object (read_json would read the number 5 as a value), and a
		// repeated key (read_json refuses the object; the write then reads
		// the file the usual way).
		{"an unreadable line", [][2]string{{"a.ndjson", clean.String() + "{not json\n"}}, "a.ndjson full", 0},
		{"a line that is a number", [][2]string{{"a.ndjson", clean.String() + "5\n"}}, "a.ndjson refused", 0},
		{"a repeated key", [][2]string{{"a.ndjson", rejects + jsonLine(`"2025-01-03T10:00:00Z"`, `"anonymous_id":"d"`, `"anonymous_id":"e"`)}}, "a.ndjson refused", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			with, without, routes, reads := loadJSONBoth(t, c.files...)
			if with != without {
				t.Fatalf("read_json and read_ndjson_objects differ:\n--- read_json allowed\n%s\n--- read_ndjson_objects only\n%s", with, without)
			}
			if !strings.Contains(with, "row ") {
				t.Fatalf("no rows loaded:\n%s", with)
			}
			if routes != c.routes || reads != c.reads {
				t.Fatalf("routes %q, read_json used %d times; want %q, %d\n%s", routes, reads, c.routes, c.reads, with)
			}
		})
	}
}

// BenchmarkJSONScan scans NDJSON lines like the touchpoints benchmark's
// (BenchmarkIngestTouchpoints), against SHA-256 of the same bytes, which
// runs beside it.
//
//	go test -tags duckdb_arrow -run '^$' -bench JSONScan ./ingest/
func BenchmarkJSONScan(b *testing.B) {
	var buf []byte
	for i := 0; len(buf) < 64<<20; i++ {
		buf = fmt.Appendf(buf, `{"touchpoint_id":"tp%d","occurred_at":"2025-01-01 00:00:00+00","anonymous_id":"anon%d","source":"google","medium":"cpc","campaign":"campaign_%d","interaction":"click","cost":%d.%02d}`+"\n",
			i, i%1000000, i%100, i%10, i%100)
	}
	b.Run("scan", func(b *testing.B) {
		b.SetBytes(int64(len(buf)))
		for i := 0; i < b.N; i++ {
			s := newJSONScan()
			for p := buf; len(p) > 0; p = p[min(len(p), 1<<20):] {
				_, _ = s.Write(p[:min(len(p), 1<<20)])
			}
			if !s.ok() || len(s.odd) != 1 {
				b.Fatalf("ok %v, odd %v", s.ok(), s.odd)
			}
		}
	})
	b.Run("sha256", func(b *testing.B) {
		b.SetBytes(int64(len(buf)))
		for i := 0; i < b.N; i++ {
			h := sha256.New()
			_, _ = h.Write(buf)
		}
	})
}
