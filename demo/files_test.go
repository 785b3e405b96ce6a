package demo

import (
	"attrib/config"
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

func newTestRand() *rand.Rand { return rand.New(rand.NewPCG(1, 2)) }

var bom = []byte{0xEF, 0xBB, 0xBF}

// readCSV reads a whole CSV file; withBOM says whether it must start with
// a UTF-8 byte order mark.
func readCSV(t *testing.T, path string, withBOM bool) [][]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.HasPrefix(data, bom) != withBOM {
		t.Fatalf("%s: BOM present = %v, want %v", path, !withBOM, withBOM)
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, bom)))
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rows
}

func parses(layout, s string) bool {
	_, err := time.Parse(layout, s)
	return err == nil
}

const (
	layoutISO    = time.RFC3339 // accepts Z, +08:00 and fractional seconds
	layoutSpace  = time.DateTime
	layoutDateOn = time.DateOnly
)

// csvCheck validates one CSV source file row by row: ok(row) reports
// whether a data row is good (what ingest must accept).
type csvCheck struct {
	header string
	bom    bool
	ok     func(r []string) bool
}

var csvChecks = map[string]csvCheck{
	"app_installs": {"install_time,device_id,store,campaign", true, func(r []string) bool {
		return parses("2006-01-02T15:04:05.000Z", r[0]) && len(r[1]) == 36
	}},
	"branch_visits": {"visit_time,cust_no,branch_code", false, func(r []string) bool {
		return parses(layoutSpace, r[0]) && r[1] != "" && strings.HasPrefix(r[2], "BR")
	}},
	"call_centre": {"call_start,phone,agent_team,reason", false, func(r []string) bool {
		return parses(layoutSpace, r[0]) && strings.HasPrefix(r[1], "+4477") && (r[2] == teamInbound || r[2] == teamOutbound)
	}},
	"events": {"event_date,email,event_name", true, func(r []string) bool {
		return parses(layoutDateOn, r[0]) && strings.Contains(r[1], "@") && r[2] != ""
	}},
	"direct_mail": {"drop_date,cust_no,mailing", false, func(r []string) bool {
		return parses(layoutDateOn, r[0]) && r[1] != ""
	}},
	"conversions": {"conv_time,cust_no,product_type,product_name,amount,ccy,sale_channel", false, func(r []string) bool {
		_, err := strconv.ParseFloat(r[4], 64)
		return parses(layoutSpace, r[0]) && r[1] != "" && err == nil && r[5] == "USD" &&
			(r[2] == "account_opened" || r[2] == "card_activated" || r[2] == "loan_funded")
	}},
	"web_logins": {"login_time,cookie,cust_no", false, func(r []string) bool {
		return strings.HasSuffix(r[0], "+08:00") && parses(layoutISO, r[0]) && r[1] != "" && r[2] != ""
	}},
	"branch_kyc": {"kyc_time,cust_no,phone,email", false, func(r []string) bool {
		return parses(layoutSpace, r[0]) && r[1] != "" && (r[2] != "" || r[3] != "")
	}},
	"activity": {"occurred_at,customer_id,event,value", false, func(r []string) bool {
		if !parses(layoutISO, r[0]) || r[1] == "" {
			return false
		}
		_, err := strconv.ParseFloat(r[3], 64)
		return (r[2] == "login" && r[3] == "") || (r[2] == "transaction" && err == nil)
	}},
	"offline_spend": {"date,channel,campaign,spend", false, func(r []string) bool {
		v, err := strconv.ParseFloat(r[3], 64)
		return parses(layoutDateOn, r[0]) && r[1] != "" && err == nil && v >= 0
	}},
}

// TestFilesAndBadRows re-validates every source file and checks that the
// rows and bad rows the Summary reports are exactly what the files hold.
func TestFilesAndBadRows(t *testing.T) {
	s := generate(t, 7)
	for _, f := range s.Files {
		if f.Source == "" {
			continue
		}
		path := filepath.Join(s.Dir, filepath.FromSlash(f.Path))
		var rows, bad int64
		switch f.Source {
		case "web_sessions":
			rows, bad = checkWeb(t, path)
		case "ad_spend":
			rows, bad = checkAdSpend(t, path)
		default:
			chk, ok := csvChecks[f.Source]
			if !ok {
				t.Fatalf("no check for source %s", f.Source)
			}
			recs := readCSV(t, path, chk.bom)
			if got := strings.Join(recs[0], ","); got != chk.header {
				t.Errorf("%s: header %q, want %q", f.Path, got, chk.header)
			}
			for _, r := range recs[1:] {
				rows++
				if !chk.ok(r) {
					bad++
				}
			}
		}
		if rows != f.Rows || bad != f.BadRows {
			t.Errorf("%s: file has %d rows / %d bad, summary says %d / %d", f.Path, rows, bad, f.Rows, f.BadRows)
		}
	}
}

func checkWeb(t *testing.T, path string) (rows, bad int64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	want := "2025-" + strings.TrimSuffix(strings.TrimPrefix(filepath.Base(path), "sessions-2025-"), ".ndjson")
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		rows++
		ts, _ := m["ts"].(string)
		cookie, _ := m["cookie"].(string)
		good := parses(layoutISO, ts) && strings.HasPrefix(cookie, "ck_")
		for _, k := range []string{"session_id", "utm_source", "utm_medium", "utm_campaign", "page"} {
			if v, _ := m[k].(string); v == "" {
				t.Fatalf("%s: %s missing in %s", path, k, sc.Text())
			}
		}
		if !good {
			bad++
		} else if strings.Contains(path, "sessions-2025-") && !strings.HasPrefix(ts, want) {
			t.Errorf("%s: session of %s in the wrong monthly file", path, ts)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows, bad
}

func checkAdSpend(t *testing.T, path string) (rows, bad int64) {
	t.Helper()
	rd, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	fr, err := pqarrow.NewFileReader(rd, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	var names []string
	for _, fld := range tbl.Schema().Fields() {
		names = append(names, fld.Name+":"+fld.Type.String())
	}
	if got := strings.Join(names, ","); got != "date:date32,source:utf8,medium:utf8,campaign:utf8,cost:decimal(12, 2),impressions:int64,clicks:int64" {
		t.Errorf("parquet schema %s", got)
	}
	for _, ch := range tbl.Column(4).Data().Chunks() {
		cost := ch.(*array.Decimal128)
		for i := range cost.Len() {
			rows++
			if cost.Value(i).Sign() < 0 {
				bad++
			}
		}
	}
	return rows, bad
}

// canonical columns per dataset (DESIGN.md, "Canonical inputs").
var canonical = map[string][]string{
	"touchpoints":    {"occurred_at", "customer_id", "anonymous_id", "email", "phone", "touchpoint_id", "channel", "source", "medium", "campaign", "content", "term", "interaction", "cost", "location"},
	"conversions":    {"occurred_at", "customer_id", "anonymous_id", "email", "phone", "conversion_type", "conversion_id", "revenue", "currency", "product"},
	"spend":          {"date", "spend", "channel", "source", "medium", "campaign", "currency", "impressions", "clicks"},
	"identity_links": {"customer_id", "anonymous_id", "email", "phone", "observed_at"},
	"activity":       {"occurred_at", "customer_id", "anonymous_id", "email", "phone", "event", "value"},
}

// TestConfig parses attrib.yaml and checks every source against the files.
func TestConfig(t *testing.T) {
	s := generate(t, 7)
	data, err := os.ReadFile(s.Config)
	if err != nil {
		t.Fatal(err)
	}
	// The real loader: strict keys, defaults and validation, as `attrib run` reads it.
	cfg, err := config.Parse(data, s.Dir)
	if err != nil {
		t.Fatalf("attrib.yaml: %v", err)
	}
	if cfg.Evaluation.TruthFile != "truth.csv" {
		t.Errorf("evaluation.truth_file = %q, want truth.csv", cfg.Evaluation.TruthFile)
	}
	if cfg.Warehouse.Path != "attrib.duckdb" || cfg.Timezone != "UTC" || cfg.Currency != "USD" || cfg.PII.Key == "" ||
		cfg.Attribution.LookbackDays != 30 || len(cfg.Attribution.Models) != 9 || len(cfg.Jobs) != 1 ||
		cfg.Jobs[0].Schedule != "CRON_TZ=UTC 0 30 2 * * *" {
		t.Errorf("config header: %+v", cfg)
	}
	covered := map[string]bool{}
	for _, src := range cfg.Sources {
		allowed := canonical[src.Dataset]
		if allowed == nil {
			t.Errorf("%s: unknown dataset %s", src.Name, src.Dataset)
			continue
		}
		matches, err := filepath.Glob(filepath.Join(s.Dir, filepath.FromSlash(src.Path)))
		if err != nil || len(matches) == 0 {
			t.Errorf("%s: path %s matches no file", src.Name, src.Path)
			continue
		}
		for _, m := range matches {
			rel, _ := filepath.Rel(s.Dir, m)
			covered[filepath.ToSlash(rel)] = true
			cols := fileColumns(t, m)
			mapping := src.Columns
			if mapping == nil { // canonical names: every file column must be canonical
				mapping = map[string]string{}
				for c := range cols {
					mapping[c] = c
				}
			}
			for canon, col := range mapping {
				if !contains(allowed, canon) {
					t.Errorf("%s: %s is not a canonical %s column", src.Name, canon, src.Dataset)
				}
				if !cols[col] {
					t.Errorf("%s: column %s not in %s", src.Name, col, rel)
				}
			}
		}
		for canon := range src.Constants {
			if !contains(allowed, canon) {
				t.Errorf("%s: constant %s is not a canonical %s column", src.Name, canon, src.Dataset)
			}
		}
	}
	for _, f := range s.Files {
		if f.Source != "" && !covered[f.Path] {
			t.Errorf("%s is not loaded by any source", f.Path)
		}
		if f.Source == "" && covered[f.Path] {
			t.Errorf("%s (not a source) is matched by a source path", f.Path)
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// fileColumns returns the column names of a CSV, NDJSON or Parquet file.
func fileColumns(t *testing.T, path string) map[string]bool {
	t.Helper()
	cols := map[string]bool{}
	switch filepath.Ext(path) {
	case ".parquet":
		rd, err := file.OpenParquetFile(path, false)
		if err != nil {
			t.Fatal(err)
		}
		defer rd.Close()
		sc := rd.MetaData().Schema
		for i := range sc.NumColumns() {
			cols[sc.Column(i).Name()] = true
		}
	case ".ndjson":
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		if sc.Scan() {
			var m map[string]any
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				t.Fatal(err)
			}
			for k := range m {
				cols[k] = true
			}
		}
	default:
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		line, _ := bufio.NewReader(f).ReadString('\n')
		line = strings.TrimRight(strings.TrimPrefix(line, string(bom)), "\r\n")
		for _, c := range strings.Split(line, ",") {
			cols[c] = true
		}
	}
	return cols
}

// TestIdentityJoins checks the property the demo exists for: offline
// conversions of people whose touches were online can be joined through
// the identity links, and offline touches (phone, e-mail) through KYC.
func TestIdentityJoins(t *testing.T) {
	s := generate(t, 7)
	read := func(rel string, withBOM bool) [][]string {
		return readCSV(t, filepath.Join(s.Dir, rel), withBOM)[1:]
	}
	linked := map[string]bool{} // cookies and device ids with a customer number
	for _, r := range read("data/identity/logins.csv", false) {
		linked[r[1]] = true
	}
	phones, emails := map[string]bool{}, map[string]bool{}
	digits := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, s)
	}
	for _, r := range read("data/identity/kyc.csv", false) {
		if r[2] != "" {
			phones[digits(r[2])] = true
		}
		if r[3] != "" {
			emails[strings.ToLower(strings.TrimSpace(r[3]))] = true
		}
	}
	var calls, callsLinked, guests, guestsLinked int
	for _, r := range read("data/call_centre/calls.csv", false) {
		if r[1] != "" {
			calls++
			if phones[digits(r[1])] {
				callsLinked++
			}
		}
	}
	for _, r := range read("data/events/attendees.csv", true) {
		if r[1] != "" {
			guests++
			if emails[strings.ToLower(strings.TrimSpace(r[1]))] {
				guestsLinked++
			}
		}
	}
	if callsLinked == 0 || callsLinked == calls || guestsLinked == 0 || guestsLinked == guests {
		t.Errorf("KYC links %d/%d calls and %d/%d event guests; want some but not all", callsLinked, calls, guestsLinked, guests)
	}
	var branchSales, online int
	for _, r := range read("data/conversions/conversions.csv", false) {
		switch r[6] {
		case "branch":
			branchSales++
		case "online":
			online++
		}
	}
	if branchSales == 0 || online == 0 {
		t.Errorf("sale channels: %d branch, %d online", branchSales, online)
	}
	if len(linked) == 0 {
		t.Error("no cookie is linked to a customer")
	}
}
