package jobs_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"attrib/config"
	"attrib/demo"
	"attrib/ingest"
	"attrib/jobs"
	"attrib/testkit"
	"attrib/transform/channel"
	"attrib/warehouse"
)

// webChannels is the demo README's table of web source/medium pairs and the
// GA4 default channel group they fall in.
var webChannels = map[[2]string]string{
	{"google", "cpc"}: "Paid Search", {"bing", "cpc"}: "Paid Search", {"baidu", "cpc"}: "Paid Search",
	{"facebook", "cpc"}: "Paid Social", {"wechat", "paid_social"}: "Paid Social", {"douyin", "paid_social"}: "Paid Social",
	{"gdn", "display"}: "Display", {"dv360", "cpm"}: "Display",
	{"moneysupermarket", "affiliate"}: "Affiliates", {"rong360", "affiliate"}: "Affiliates",
	{"newsletter", "email"}: "Email",
	{"google", "organic"}:   "Organic Search", {"baidu", "organic"}: "Organic Search", {"bing", "organic"}: "Organic Search",
	{"weibo", "social"}: "Organic Social", {"xiaohongshu", "social"}: "Organic Social",
	{"linkedin", "social"}: "Organic Social", {"facebook", "social"}: "Organic Social",
	{"nerdwallet.com", "referral"}: "Referral", {"moneysavingexpert.com", "referral"}: "Referral",
	{"eastmoney.com", "referral"}: "Referral",
	{"(direct)", "(none)"}:        "Direct",
}

type channelTotals struct {
	conversions float64
	revenue     float64
}

// lastTouchByChannel is the query under comparison.
func lastTouchByChannel(t *testing.T, ctx context.Context, w *warehouse.Warehouse) map[string]channelTotals {
	t.Helper()
	rows, err := w.DB().QueryContext(ctx, `SELECT channel, sum(credit)::DOUBLE, sum(revenue_credit)::DOUBLE
		FROM attribution_credits WHERE model = 'last_touch' GROUP BY channel`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]channelTotals{}
	for rows.Next() {
		var ch string
		var v channelTotals
		if err := rows.Scan(&ch, &v.conversions, &v.revenue); err != nil {
			t.Fatal(err)
		}
		out[ch] = v
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func fileSHA(t *testing.T, path string) [32]byte {
	t.Helper()
	return sha256.Sum256(mustRead(t, path))
}

// TestDemoEndToEnd generates the demo at 3,000 people, runs the whole
// pipeline on it and checks it against an independent Go recomputation from
// the files (demo_recompute_test.go):
//
//   - the generator is deterministic (truth.csv, conversions.csv);
//   - ingest accounting per file: loaded, read = loaded + rejected +
//     duplicate, read and rejected equal to the demo summary (plus rows this
//     test appends) and to the Go recomputation, duplicates as recomputed;
//     rejected_rows holds every rejected row;
//   - good conversions, loaded once, match the demo summary, truth_conversions.csv
//     and the warehouse;
//   - web sessions classify as the demo README's source/medium table says;
//   - identity stitching gives as many persons as a Go union-find;
//   - last touch: every conversion's channel, credit and revenue, and the
//     per-channel sums of attribution_credits;
//   - a second run skips every file and gives identical last-touch sums.
func TestDemoEndToEnd(t *testing.T) {
	ctx := context.Background()
	started := time.Now()
	t.Parallel()
	dir, sum := testkit.DemoSummary(t, 3000, 7)

	// Same seed, same bytes (a second generation, compared with testkit's).
	dir2 := t.TempDir()
	if _, err := demo.Generate(ctx, demo.Options{Dir: dir2, People: 3000, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	for _, rel := range []string{"truth.csv", "data/conversions/conversions.csv"} {
		if a, b := fileSHA(t, filepath.Join(dir, rel)), fileSHA(t, filepath.Join(dir2, rel)); a != b {
			t.Errorf("%s differs between two runs with seed 7: %x vs %x", rel, a, b)
		}
	}

	// At 3,000 people and seed 7 the demo writes no bad conversion row (its
	// bad rows are in web, branch, calls, activity and both spend files; about
	// 1.3 of the 285 conversion rows would be expected to be bad) and, by
	// construction, no duplicate: a person converts at most once per type and
	// every web session has its own id. So that these paths are exercised, a
	// few rows are appended to the generated files, copies of a good row:
	//
	//	conversions.csv  an exact copy (a duplicate: loads once), the same row
	//	                 with currency ZZZ and with an empty cust_no (rejected);
	//	sessions-2025-01 an exact copy of the first session (same session_id:
	//	                 a duplicate).
	//
	// extra holds what that adds to each file's read/rejected/duplicate counts.
	type counts struct{ read, rejected, duplicate int64 }
	extra := map[string]counts{}
	appendLines := func(rel string, pick func(line string) bool, variants func(line string) []string, c counts) {
		t.Helper()
		path := filepath.Join(dir, filepath.FromSlash(rel))
		raw := mustRead(t, path)
		if !bytes.HasSuffix(raw, []byte("\n")) {
			t.Fatalf("%s: no final newline", rel)
		}
		for _, ln := range strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")[1:] {
			ln = strings.TrimSuffix(ln, "\r")
			if pick(ln) {
				out := slices.Clone(raw)
				for _, v := range variants(ln) {
					out = append(out, v+"\n"...)
				}
				if err := os.WriteFile(path, out, 0o644); err != nil {
					t.Fatal(err)
				}
				extra[rel] = c
				return
			}
		}
		t.Fatalf("%s: no row to copy", rel)
	}
	appendLines("data/conversions/conversions.csv",
		func(ln string) bool { f := strings.Split(ln, ","); return len(f) == 7 && f[1] != "" && f[5] == "USD" },
		func(ln string) []string {
			f := strings.Split(ln, ",")
			zzz := slices.Clone(f)
			zzz[5] = "ZZZ"
			noID := slices.Clone(f)
			noID[1] = ""
			return []string{ln, strings.Join(zzz, ","), strings.Join(noID, ",")}
		}, counts{read: 3, rejected: 2, duplicate: 1})
	appendLines("data/web/sessions-2025-01.ndjson",
		func(ln string) bool {
			return !strings.Contains(ln, `"cookie":null`) && !strings.Contains(ln, `"cookie":""`)
		},
		func(ln string) []string { return []string{ln} }, counts{read: 1, duplicate: 1})
	var extraRead, extraRejected int64
	for _, c := range extra {
		extraRead += c.read
		extraRejected += c.rejected
	}

	cfg, err := config.Load(sum.Config)
	if err != nil {
		t.Fatal(err)
	}
	cl, err := channel.New(cfg.Channels.Rules)
	if err != nil {
		t.Fatal(err)
	}
	w := testkit.Open(t, cfg)
	r, err := jobs.NewRunner(ctx, w, cfg)
	if err != nil {
		t.Fatal(err)
	}
	job, err := cfg.Job("")
	if err != nil {
		t.Fatal(err)
	}
	runStart := time.Now()
	res, err := r.Run(ctx, job, jobs.TriggerManual)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if res.Status != jobs.StatusSucceeded {
		t.Fatalf("run status %s: %v", res.Status, res.Err)
	}
	t.Logf("first run: %s", time.Since(runStart).Round(time.Millisecond))

	// The Go recomputation uses the same "now" as ingest's future check (24 h
	// tolerance), so it stays right whatever the clock says.
	rc, err := recompute(cfg, dir, cl, runStart)
	if err != nil {
		t.Fatal(err)
	}

	// ---- Ingest accounting -------------------------------------------------
	summaryByRel := map[string]demo.FileSummary{}
	for _, f := range sum.Files {
		if f.Source != "" {
			summaryByRel[f.Path] = f
		}
	}
	gotRel := map[string]ingest.FileResult{}
	var totalRejected, totalRead, future int64
	for _, f := range res.Ingest.Files {
		rel, err := filepath.Rel(dir, f.Path)
		if err != nil {
			t.Fatal(err)
		}
		rel = filepath.ToSlash(rel)
		gotRel[rel] = f
		totalRejected += f.Rejected
		totalRead += f.Read
		if f.Status != ingest.Loaded {
			t.Errorf("%s: status %s (%s), want loaded", rel, f.Status, f.Message)
		}
		if f.Read != f.Loaded+f.Rejected+f.Duplicate {
			t.Errorf("%s: read %d != loaded %d + rejected %d + duplicate %d", rel, f.Read, f.Loaded, f.Rejected, f.Duplicate)
		}
		s, ok := summaryByRel[rel]
		if !ok {
			t.Errorf("ingest loaded %s, which the demo did not write as a source", rel)
			continue
		}
		if f.Source != s.Source || f.Dataset != s.Dataset {
			t.Errorf("%s: source/dataset %s/%s, demo says %s/%s", rel, f.Source, f.Dataset, s.Source, s.Dataset)
		}
		x := extra[rel]
		if f.Read != s.Rows+x.read {
			t.Errorf("%s: read %d rows, the demo wrote %d (+%d appended)", rel, f.Read, s.Rows, x.read)
		}
		if f.Duplicate != x.duplicate {
			t.Errorf("%s: %d duplicates, want %d (the appended copies)", rel, f.Duplicate, x.duplicate)
		}
		fe := rc.files[rel]
		if fe == nil {
			t.Errorf("%s: not found by the Go recomputation's glob", rel)
			continue
		}
		future += fe.future
		// Every deliberately bad row is rejected, and nothing else is, except
		// rows dated after now + 24 h (none while the clock is past mid-2026).
		if f.Rejected != s.BadRows+x.rejected+fe.future {
			t.Errorf("%s: rejected %d, demo bad rows %d (+%d appended, +%d in the future)", rel, f.Rejected, s.BadRows, x.rejected, fe.future)
		}
		if fe.read < 0 {
			continue // Parquet: not recomputed
		}
		if f.Read != fe.read || f.Rejected != fe.rejected || f.Duplicate != fe.duplicates {
			t.Errorf("%s: ingest read/rejected/duplicate %d/%d/%d, Go recomputation %d/%d/%d",
				rel, f.Read, f.Rejected, f.Duplicate, fe.read, fe.rejected, fe.duplicates)
		}
	}
	for rel := range summaryByRel {
		if _, ok := gotRel[rel]; !ok {
			t.Errorf("demo source file %s was not ingested", rel)
		}
	}
	if len(rc.files) != len(summaryByRel) {
		t.Errorf("the Go recomputation found %d source files, the demo wrote %d", len(rc.files), len(summaryByRel))
	}
	// The sum of Rejected is exactly the demo's BadRows plus the rows
	// appended above (plus rows dated after now + 24 h, zero once the clock
	// is past the demo's last activity on 2026-06-30).
	if totalRejected != sum.BadRows+extraRejected+future {
		t.Errorf("rejected %d rows in all, demo BadRows %d (+%d appended, +%d dated in the future)", totalRejected, sum.BadRows, extraRejected, future)
	}
	if totalRead != sum.Rows+extraRead {
		t.Errorf("read %d rows in all, demo wrote %d (+%d appended)", totalRead, sum.Rows, extraRead)
	}
	if future > 0 {
		t.Logf("clock is before the demo's last activity: %d rows rejected as future", future)
	}
	var rejectedRows int64
	if err := w.DB().QueryRowContext(ctx, "SELECT count(*) FROM rejected_rows").Scan(&rejectedRows); err != nil {
		t.Fatal(err)
	}
	if rejectedRows != totalRejected {
		t.Errorf("rejected_rows holds %d rows, files report %d rejected", rejectedRows, totalRejected)
	}

	// ---- Conversions: good rows, loaded once -------------------------------
	goByType := map[string]int64{}
	for _, c := range rc.conversions {
		goByType[c.typ]++
	}
	for typ, n := range sum.Conversions {
		if goByType[typ] != n {
			t.Errorf("%s: Go recomputation has %d good conversions, demo summary %d", typ, goByType[typ], n)
		}
	}
	var whConv int64
	if err := w.DB().QueryRowContext(ctx, "SELECT count(*) FROM conversions").Scan(&whConv); err != nil {
		t.Fatal(err)
	}
	if whConv != int64(len(rc.conversions)) {
		t.Errorf("warehouse has %d conversions, Go recomputation %d (good rows, duplicates once)", whConv, len(rc.conversions))
	}
	truthRows := bytes.Count(mustRead(t, filepath.Join(dir, "truth_conversions.csv")), []byte("\n")) - 1
	if truthRows != len(rc.conversions) {
		t.Errorf("truth_conversions.csv has %d rows, Go recomputation %d good conversions", truthRows, len(rc.conversions))
	}

	// ---- Channels of web sessions: the README's table -----------------------
	for _, tc := range rc.touches {
		if tc.id == "" {
			continue
		}
		want, ok := webChannels[[2]string{tc.source, tc.medium}]
		if !ok {
			t.Errorf("web session %s: source/medium %s/%s not in the README table", tc.id, tc.source, tc.medium)
			break
		}
		if tc.channel != want {
			t.Errorf("web session %s: %s/%s classified %s, README says %s", tc.id, tc.source, tc.medium, tc.channel, want)
			break
		}
	}

	// ---- Identity stitching: same number of persons ------------------------
	if m := rc.maxComponent(); m >= 1000 {
		t.Fatalf("largest Go person has %d identifiers: the pipeline's 1000 cap would split it", m)
	}
	roots := map[string]bool{}
	for x := range rc.parent {
		roots[rc.find(x)] = true
	}
	var whPersons int
	if err := w.DB().QueryRowContext(ctx, "SELECT count(DISTINCT person_id) FROM identity_map").Scan(&whPersons); err != nil {
		t.Fatal(err)
	}
	if whPersons != len(roots) {
		t.Errorf("identity_map has %d persons, Go union-find %d", whPersons, len(roots))
	}

	// ---- Last touch, per conversion and per channel -----------------------
	if len(cfg.Attribution.LookbackByType) != 0 || cfg.Attribution.LookbackDays != 30 {
		t.Fatalf("demo config lookback changed: %v days, by type %v", cfg.Attribution.LookbackDays, cfg.Attribution.LookbackByType)
	}
	lookback := func(string) time.Duration { return 30 * 24 * time.Hour }
	lts := rc.lastTouches(lookback)

	type sqlCredit struct {
		channel string
		credit  float64
		revenue float64
		rows    int
	}
	perConv := map[string]*sqlCredit{}
	rows, err := w.DB().QueryContext(ctx, `SELECT epoch_us(c.occurred_at), c.customer_id, c.conversion_type, a.channel,
			a.credit, a.revenue_credit::DOUBLE
		FROM attribution_credits a JOIN conversions c USING (conversion_id)
		WHERE a.model = 'last_touch'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var us int64
		var cust, typ, ch string
		var credit, rev float64
		if err := rows.Scan(&us, &cust, &typ, &ch, &credit, &rev); err != nil {
			t.Fatal(err)
		}
		k := convKey(time.UnixMicro(us), cust, typ)
		s := perConv[k]
		if s == nil {
			s = &sqlCredit{}
			perConv[k] = s
		}
		if credit > 0 {
			s.channel = ch
		}
		s.credit += credit
		s.revenue += rev
		s.rows++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}

	goTotals := map[string]channelTotals{}
	tiedChannels := map[string]bool{}
	var ties, mismatches int
	goKeys := map[string]bool{}
	for _, lt := range lts {
		cust, ok := strings.CutPrefix(lt.conv.ids[0], "c:")
		if !ok {
			t.Fatalf("demo conversion without a customer number: %v", lt.conv.ids)
		}
		k := convKey(lt.conv.at, cust, lt.conv.typ)
		if goKeys[k] {
			t.Fatalf("two Go conversions share the key %s", k)
		}
		goKeys[k] = true
		rev := float64(lt.conv.revenue4) / 1e4
		s := perConv[k]
		switch {
		case s == nil:
			t.Errorf("conversion %s %s at %s: no last_touch credit in attribution_credits", cust, lt.conv.typ, lt.conv.at)
			mismatches++
		case s.rows != 1 || math.Abs(s.credit-1) > 1e-9 || math.Abs(s.revenue-rev) > 1e-4:
			t.Errorf("conversion %s %s at %s: %d last_touch rows, credit %v, revenue %v (want 1 row, credit 1, revenue %v)",
				cust, lt.conv.typ, lt.conv.at, s.rows, s.credit, s.revenue, rev)
			mismatches++
		case lt.tied != nil && !slices.Contains(lt.tied, s.channel):
			t.Errorf("conversion %s %s at %s: last touch %s, want one of the tied %v", cust, lt.conv.typ, lt.conv.at, s.channel, lt.tied)
			mismatches++
		case lt.tied == nil && s.channel != lt.channel:
			if mismatches < 20 {
				t.Errorf("conversion %s %s at %s: last touch %s, Go recomputation %s", cust, lt.conv.typ, lt.conv.at, s.channel, lt.channel)
			}
			mismatches++
		}
		if lt.tied != nil {
			ties++
			for _, c := range lt.tied {
				tiedChannels[c] = true
			}
			continue
		}
		g := goTotals[lt.channel]
		g.conversions++
		g.revenue += rev
		goTotals[lt.channel] = g
	}
	if mismatches > 0 {
		t.Errorf("%d of %d conversions differ from the Go recomputation", mismatches, len(lts))
	}
	for k := range perConv {
		if !goKeys[k] {
			t.Errorf("attribution_credits has a last_touch conversion %s the Go recomputation does not", k)
		}
	}
	if ties > 0 {
		t.Logf("%d conversions have tied last touches of different channels %v; those channels are left out of the per-channel check", ties, tiedChannels)
	}

	// Per channel, as the dashboard sums it. Channels that appear in a tie
	// whose winner depends on derived touchpoint ids are skipped; all others
	// must match.
	sqlTotals := lastTouchByChannel(t, ctx, w)
	var sqlAll, goAll float64
	for ch, v := range sqlTotals {
		sqlAll += v.conversions
		if tiedChannels[ch] {
			continue
		}
		g := goTotals[ch]
		if math.Abs(v.conversions-g.conversions) > 1e-6 || math.Abs(v.revenue-g.revenue) > 1e-4 {
			t.Errorf("last_touch %s: SQL %.6f conversions / %.4f revenue, Go %.6f / %.4f", ch, v.conversions, v.revenue, g.conversions, g.revenue)
		}
	}
	for ch, g := range goTotals {
		goAll += g.conversions
		if _, ok := sqlTotals[ch]; !ok && !tiedChannels[ch] {
			t.Errorf("last_touch %s: Go %.0f conversions, none in attribution_credits", ch, g.conversions)
		}
	}
	if math.Abs(sqlAll-(goAll+float64(ties))) > 1e-6 {
		t.Errorf("last_touch conversions: SQL %.6f, Go %.0f", sqlAll, goAll+float64(ties))
	}
	if goAll+float64(ties) != float64(len(rc.conversions)) || len(rc.conversions) == 0 {
		t.Errorf("Go credited %v of %d conversions", goAll+float64(ties), len(rc.conversions))
	}
	// The data set is only a useful check if it is not degenerate.
	if goTotals["(unattributed)"].conversions == 0 || len(goTotals) < 6 {
		t.Errorf("degenerate last-touch result: %v", goTotals)
	}
	t.Logf("%d conversions, last touch: %v", len(rc.conversions), goTotals)

	// ---- A second run loads nothing and gives the same numbers -------------
	res2, err := r.Run(ctx, job, jobs.TriggerManual)
	if err != nil {
		t.Fatalf("second run: %v", err)
	}
	if len(res2.Ingest.Files) != len(res.Ingest.Files) {
		t.Errorf("second run saw %d files, first %d", len(res2.Ingest.Files), len(res.Ingest.Files))
	}
	for _, f := range res2.Ingest.Files {
		if f.Status != ingest.Skipped || f.Loaded != 0 {
			t.Errorf("second run: %s %s, loaded %d; want skipped, 0", f.Path, f.Status, f.Loaded)
		}
	}
	var conv2 int64
	if err := w.DB().QueryRowContext(ctx, "SELECT count(*) FROM conversions").Scan(&conv2); err != nil {
		t.Fatal(err)
	}
	if conv2 != whConv {
		t.Errorf("second run: %d conversions, first %d", conv2, whConv)
	}
	again := lastTouchByChannel(t, ctx, w)
	if len(again) != len(sqlTotals) {
		t.Errorf("second run: %d last-touch channels, first %d", len(again), len(sqlTotals))
	}
	for ch, v := range sqlTotals {
		if again[ch] != v {
			t.Errorf("second run: last_touch %s = %+v, first run %+v", ch, again[ch], v)
		}
	}
	t.Logf("total %s", time.Since(started).Round(time.Millisecond))
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
