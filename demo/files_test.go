package demo

import (
	"attrib/config"
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
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
	"lift_tests": {"experiment_id,channel,conversion_type,start_date,end_date,incremental_conversions,standard_error,design,notes", false, func(r []string) bool {
		_, err1 := strconv.ParseFloat(r[5], 64)
		se, err2 := strconv.ParseFloat(r[6], 64)
		return r[0] != "" && r[1] != "" && parses(layoutDateOn, r[3]) && parses(layoutDateOn, r[4]) && r[3] <= r[4] &&
			err1 == nil && err2 == nil && se > 0 && r[7] != ""
	}},
}

// TestFilesAndBadRows re-validates every source file and checks that the
// rows and bad rows the Summary reports are exactly what the files hold.
func TestFilesAndBadRows(t *testing.T) {
	t.Parallel()
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
	"experiments": {"experiment_id", "channel", "conversion_type", "start_date", "end_date", "incremental_conversions",
		"standard_error", "low", "high", "incremental_revenue", "spend", "design", "notes"},
}

// TestConfig parses attrib.yaml and checks every source against the files.
func TestConfig(t *testing.T) {
	t.Parallel()
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
	if cfg.Evaluation.IncrementalTruthFile != "truth_incremental.csv" {
		t.Errorf("evaluation.incremental_truth_file = %q, want truth_incremental.csv", cfg.Evaluation.IncrementalTruthFile)
	}
	wantHolidays := []config.Holiday{{Name: "Spring Festival", Start: "2025-01-28", End: "2025-02-04"}, {Name: "Golden Week", Start: "2025-10-01", End: "2025-10-07"}}
	if !slices.Equal(cfg.Incrementality.Holidays, wantHolidays) {
		t.Errorf("incrementality.holidays = %+v, want %+v", cfg.Incrementality.Holidays, wantHolidays)
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
	t.Parallel()
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

// incrChannels is README.md's list of channels of truth_incremental.csv.
var incrChannels = []string{"Paid Search", "Organic Search", "Paid Social", "Organic Social", "Display", "Email",
	"Affiliates", "Referral", "Direct", "App", "Branch", "Call Centre", "Events", "Direct Mail", "TV", "Outdoor"}

// TestIncrementalTruthFile checks truth_incremental.csv: one row per
// conversion type and (all) for every channel, zeros included; (all) sums
// the types; shares are each channel's part of the type's sum; Outdoor is
// exactly 0; the Summary holds the same rows.
func TestIncrementalTruthFile(t *testing.T) {
	t.Parallel()
	s := generate(t, 7)
	rows := readCSV(t, filepath.Join(s.Dir, truthIncrPath), false)
	if got := strings.Join(rows[0], ","); got != "conversion_type,channel,true_incremental_conversions,true_incremental_revenue,true_share" {
		t.Fatalf("header %s", got)
	}
	rows = rows[1:]
	types := []string{"account_opened", "card_activated", "loan_funded", "(all)"}
	if len(rows) != len(types)*len(incrChannels) || len(s.Incremental) != len(rows) {
		t.Fatalf("%d rows (summary %d), want %d", len(rows), len(s.Incremental), len(types)*len(incrChannels))
	}
	type val struct {
		n   int64
		rev float64
	}
	var sumAll [16]val
	for ti, typ := range types {
		var sum int64
		vals := make([]val, len(incrChannels))
		shares := make([]string, len(incrChannels))
		for ci, ch := range incrChannels {
			r := rows[ti*len(incrChannels)+ci]
			if r[0] != typ || r[1] != ch {
				t.Fatalf("row %d is %s/%s, want %s/%s", ti*len(incrChannels)+ci, r[0], r[1], typ, ch)
			}
			n, err1 := strconv.ParseInt(r[2], 10, 64)
			rev, err2 := strconv.ParseFloat(r[3], 64)
			if err1 != nil || err2 != nil || n < 0 || rev < 0 {
				t.Fatalf("row %v: %v %v", r, err1, err2)
			}
			if ch == "Outdoor" && (n != 0 || rev != 0) {
				t.Errorf("%s: Outdoor %d / %.2f, want 0", typ, n, rev)
			}
			if sr := s.Incremental[ti*len(incrChannels)+ci]; sr.ConversionType != typ || sr.Channel != ch || sr.Conversions != n || math.Abs(sr.Revenue-rev) > 0.005 {
				t.Errorf("summary row %+v, file %v", sr, r)
			}
			vals[ci], shares[ci] = val{n, rev}, r[4]
			sum += n
			if typ != "(all)" {
				sumAll[ci].n += n
				sumAll[ci].rev += rev
			} else if n != sumAll[ci].n || math.Abs(rev-sumAll[ci].rev) > 0.005*float64(len(types)) {
				t.Errorf("(all) %s: %d / %.2f, the types sum to %d / %.2f", ch, n, rev, sumAll[ci].n, sumAll[ci].rev)
			}
		}
		var shareSum float64
		for ci, sh := range shares {
			if sum == 0 {
				if sh != "" {
					t.Errorf("%s: share %q without incremental conversions", typ, sh)
				}
				continue
			}
			v, err := strconv.ParseFloat(sh, 64)
			if err != nil || math.Abs(v-float64(vals[ci].n)/float64(sum)) > 1e-6 {
				t.Errorf("%s %s: share %q, want %d/%d", typ, incrChannels[ci], sh, vals[ci].n, sum)
			}
			shareSum += v
		}
		if sum > 0 && math.Abs(shareSum-1) > 1e-4 {
			t.Errorf("%s: shares sum to %v", typ, shareSum)
		}
	}
}

// TestLiftTestsFile checks lift_tests.csv against the Summary and the
// spend: each test's channel spent during its window.
func TestLiftTestsFile(t *testing.T) {
	t.Parallel()
	s := generate(t, 7)
	rows := readCSV(t, filepath.Join(s.Dir, liftTestsPath), false)[1:]
	if len(rows) != len(s.LiftTests) || len(rows) < 2 || len(rows) > 3 {
		t.Fatalf("%d lift tests (summary %d), want 2-3", len(rows), len(s.LiftTests))
	}
	spend := dailySpend(t, s.Dir)
	for i, r := range rows {
		l := s.LiftTests[i]
		est, _ := strconv.ParseFloat(r[5], 64)
		se, _ := strconv.ParseFloat(r[6], 64)
		if r[0] != l.ID || r[1] != l.Channel || r[2] != l.ConversionType || r[3] != l.Start || r[4] != l.End ||
			est != l.Estimate || se != l.SE || r[7] != l.Design || r[8] != l.Notes {
			t.Errorf("row %v, summary %+v", r, l)
		}
		if r[2] != "" && !slices.Contains(convTypeNames[:], r[2]) {
			t.Errorf("%s: conversion type %q", r[0], r[2])
		}
		if !strings.HasPrefix(r[3], "2025-") || !strings.HasPrefix(r[4], "2025-") || r[3] > r[4] {
			t.Errorf("%s: window %s..%s", r[0], r[3], r[4])
		}
		var inWindow float64
		for d, v := range spend[r[1]] {
			if date := string(appendDate(nil, yearStart+int64(d)*daySec)); date >= r[3] && date <= r[4] {
				inWindow += v
			}
		}
		if inWindow <= 0 {
			t.Errorf("%s: %s has no spend in %s..%s", r[0], r[1], r[3], r[4])
		}
	}
}

// spendChannel maps the ad platforms' source/medium to a channel (README.md).
var spendChannel = map[[2]string]string{
	{"google", "cpc"}: "Paid Search", {"bing", "cpc"}: "Paid Search", {"baidu", "cpc"}: "Paid Search",
	{"facebook", "cpc"}: "Paid Social", {"wechat", "paid_social"}: "Paid Social", {"douyin", "paid_social"}: "Paid Social",
	{"gdn", "display"}: "Display", {"dv360", "cpm"}: "Display",
	{"moneysupermarket", "affiliate"}: "Affiliates", {"rong360", "affiliate"}: "Affiliates",
	{"newsletter", "email"}: "Email",
}

// dailySpend reads both spend files (good rows) into USD per channel and
// day of 2025.
func dailySpend(t *testing.T, dir string) map[string][]float64 {
	t.Helper()
	out := map[string][]float64{}
	add := func(ch string, date time.Time, v float64) {
		if out[ch] == nil {
			out[ch] = make([]float64, nDays)
		}
		d := int((date.Unix() - yearStart) / daySec)
		if d < 0 || d >= nDays {
			t.Fatalf("%s spend on %s, outside 2025", ch, date)
		}
		out[ch][d] += v
	}
	for _, r := range readCSV(t, filepath.Join(dir, offlineSpendPath), false)[1:] {
		v, err := strconv.ParseFloat(r[3], 64)
		date, err2 := time.Parse(time.DateOnly, r[0])
		if err != nil || err2 != nil {
			t.Fatalf("offline spend %v", r)
		}
		if v >= 0 {
			add(r[1], date, v)
		}
	}
	rd, err := file.OpenParquetFile(filepath.Join(dir, spendParquetPath), false)
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
	rr := array.NewTableReader(tbl, 0)
	defer rr.Release()
	for rr.Next() {
		rec := rr.RecordBatch()
		dates := rec.Column(0).(*array.Date32)
		src, med := rec.Column(1).(*array.String), rec.Column(2).(*array.String)
		cost := rec.Column(4).(*array.Decimal128)
		for i := range int(rec.NumRows()) {
			ch, ok := spendChannel[[2]string{src.Value(i), med.Value(i)}]
			if !ok {
				t.Fatalf("ad spend of %s/%s", src.Value(i), med.Value(i))
			}
			if v := float64(cost.Value(i).LowBits()) / 100; cost.Value(i).Sign() >= 0 {
				add(ch, dates.Value(i).ToTime(), v)
			}
		}
	}
	return out
}

// TestSpendIdentifiable checks that every spend channel varies over the
// year (weekly spend is not constant: budget tests, flights, go-dark weeks,
// drop dates) and that touches follow spend: no spend, no touches.
func TestSpendIdentifiable(t *testing.T) {
	t.Parallel()
	s := generate(t, 7)
	spend := dailySpend(t, s.Dir)
	want := []string{"Paid Search", "Paid Social", "Display", "Affiliates", "Email", "Branch", "Call Centre", "Direct Mail", "Events", "Outdoor", "TV"}
	for _, ch := range want {
		daily := spend[ch]
		if daily == nil {
			t.Errorf("no spend for %s", ch)
			continue
		}
		var weeks [53]float64
		for d, v := range daily {
			weeks[(d+2)/7] += v // weeks start on Monday; 2025-01-01 is a Wednesday
		}
		mean, sd := stat(weeks[1:52])
		if sd < 0.1*mean {
			t.Errorf("%s: weekly spend %.0f ± %.0f hardly varies", ch, mean, sd)
		}
	}
	dark := func(ch, from, to string) {
		for d, v := range spend[ch] {
			date := string(appendDate(nil, yearStart+int64(d)*daySec))
			in := date >= from && date <= to
			if in && v != 0 {
				t.Errorf("%s spends %.2f on %s, in its go-dark weeks", ch, v, date)
			}
			if !in && v == 0 && date >= "2025-03-01" && date < "2025-12-01" { // always on, whatever the flights
				t.Errorf("%s spends nothing on %s, outside its go-dark weeks", ch, date)
			}
		}
	}
	dark("Display", "2025-07-07", "2025-07-20")
	dark("Paid Social", "2025-11-03", "2025-11-09")

	// Touches only on days with spend of their channel (email sessions
	// follow a send for three more days and are left out).
	spends := func(ch string, date string) bool {
		d, err := time.Parse(time.DateOnly, date[:10])
		if err != nil {
			t.Fatalf("date %q", date)
		}
		i := int((d.Unix() - yearStart) / daySec)
		return i >= 0 && i < nDays && spend[ch][i] > 0
	}
	paths, _ := filepath.Glob(filepath.Join(s.Dir, "data", "web", "*.ndjson"))
	var sessions int
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, ln := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
			var m map[string]any
			if err := json.Unmarshal(ln, &m); err != nil {
				t.Fatal(err)
			}
			ts, _ := m["ts"].(string)
			ch, paid := spendChannel[[2]string{m["utm_source"].(string), m["utm_medium"].(string)}]
			if !paid || ch == "Email" || !parses(layoutISO, ts) {
				continue
			}
			sessions++
			if !spends(ch, ts) {
				t.Errorf("%s session on %s without %s spend", m["utm_campaign"], ts, ch)
			}
		}
	}
	if sessions == 0 {
		t.Error("no paid sessions")
	}
	for _, c := range []struct{ ch, rel, team string }{
		{"Call Centre", "data/call_centre/calls.csv", teamOutbound},
		{"Direct Mail", "data/direct_mail/drops.csv", ""},
		{"Events", "data/events/attendees.csv", ""},
	} {
		for _, r := range readCSV(t, filepath.Join(s.Dir, filepath.FromSlash(c.rel)), c.ch == "Events")[1:] {
			if (c.team != "" && r[2] != c.team) || !parses(layoutDateOn, r[0][:min(10, len(r[0]))]) {
				continue
			}
			if !spends(c.ch, r[0]) {
				t.Errorf("%s touch on %s without spend", c.ch, r[0])
			}
		}
	}
}

func stat(v []float64) (mean, sd float64) {
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	for _, x := range v {
		sd += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(sd / float64(len(v)))
}
