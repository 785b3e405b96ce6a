package ingest

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestSameContentSkipped(t *testing.T) {
	t.Parallel()
	h := newHarness(t, tpSource)
	h.write("data/a.csv", baseCSV)
	wantCounts(t, only(t, h.mustRun()), Loaded, 2, 2, 0, 0)
	wantCounts(t, only(t, h.mustRun()), Skipped, 0, 0, 0, 0)
	// The same bytes under another name are skipped too.
	h.write("data/b.csv", baseCSV)
	rep := h.mustRun()
	if f := byBase(t, rep, "b.csv"); f.Status != Skipped || !strings.Contains(f.Message, "same content as") {
		t.Fatalf("copy: %+v", f)
	}
	if n := h.int(`SELECT count(*) FROM touchpoints`); n != 2 {
		t.Fatalf("touchpoints = %d, want 2", n)
	}
	// One row per file and content: the load, and the copy's skip once;
	// a file seen again on later runs adds no row.
	if got := h.str(`SELECT string_agg(status || ' ' || parse_filename(path), ',' ORDER BY started_at, path) FROM ingest_files`); got != "loaded a.csv,skipped b.csv" {
		t.Fatalf("ingest_files = %s, want loaded a.csv,skipped b.csv", got)
	}
	for range 2 {
		rep := h.mustRun()
		for _, f := range rep.Files {
			if f.Status != Skipped {
				t.Fatalf("a later run: %+v", f)
			}
		}
	}
	if n := h.int(`SELECT count(*) FROM ingest_files`); n != 2 {
		t.Fatalf("ingest_files has %d rows after two more runs, want 2", n)
	}
}

func TestChangedFileLoadsNewRowsOnly(t *testing.T) {
	t.Parallel()
	h := newHarness(t, tpSource)
	v1 := "touchpoint_id,occurred_at,anonymous_id\nt1,2025-01-02 10:00:00,a\nt2,2025-01-02 11:00:00,b\n"
	h.write("data/a.csv", v1)
	wantCounts(t, only(t, h.mustRun()), Loaded, 2, 2, 0, 0)
	h.write("data/a.csv", v1+"t3,2025-01-02 12:00:00,c\n")
	wantCounts(t, only(t, h.mustRun()), Loaded, 3, 1, 0, 2)
	if got := strings.Join(h.strs(`SELECT touchpoint_id FROM touchpoints ORDER BY 1`), ","); got != "t1,t2,t3" {
		t.Fatalf("touchpoints = %s", got)
	}
	if n := h.int(`SELECT count(DISTINCT sha256) FROM ingest_files WHERE status = 'loaded'`); n != 2 {
		t.Fatalf("versions recorded: %d, want 2", n)
	}
}

// Rows without an id get one from their content, so a later export that
// repeats them from another file does not count them twice.
func TestLateReExportNotLoadedTwice(t *testing.T) {
	t.Parallel()
	h := newHarness(t, tpSource)
	h.write("data/a.csv", "occurred_at,anonymous_id,channel\n2025-01-02 10:00:00,a,Email\n2025-01-02 11:00:00,b,Email\n")
	h.write("data/b.csv", "occurred_at,anonymous_id,channel\n2025-01-02 11:00:00,b,Email\n2025-01-02 12:00:00,c,Email\n")
	rep := h.mustRun()
	wantCounts(t, byBase(t, rep, "a.csv"), Loaded, 2, 2, 0, 0)
	wantCounts(t, byBase(t, rep, "b.csv"), Loaded, 2, 1, 0, 1)
	if n := h.int(`SELECT count(*) FROM touchpoints`); n != 3 {
		t.Fatalf("touchpoints = %d, want 3", n)
	}
	// The same time written another way is the same row.
	h.write("data/c.csv", "occurred_at,anonymous_id,channel\n2025-01-02T12:00:00Z,c,Email\n")
	wantCounts(t, byBase(t, h.mustRun(), "c.csv"), Loaded, 1, 0, 0, 1)
}

func TestPartialNamesNotLoaded(t *testing.T) {
	t.Parallel()
	h := newHarness(t, tpSource)
	h.write("data/a.csv.tmp", baseCSV)
	h.write("data/b.csv.part", baseCSV)
	h.write("data/.c.csv", baseCSV)
	h.write("data/~d.csv", baseCSV)
	rep := h.mustRun()
	if len(rep.Files) != 0 {
		t.Fatalf("partial files were picked up: %+v", rep.Files)
	}
	// Once renamed to its final name, the file loads.
	if err := os.Rename(h.dir+"/data/b.csv.part", h.dir+"/data/b.csv"); err != nil {
		t.Fatal(err)
	}
	wantCounts(t, only(t, h.mustRun()), Loaded, 2, 2, 0, 0)
}

func TestDoneMarker(t *testing.T) {
	t.Parallel()
	h := newHarness(t, tpSource+"    done_marker: .done\n")
	h.write("data/a.csv", baseCSV)
	if rep := h.mustRun(); len(rep.Files) != 0 {
		t.Fatalf("loaded without its marker: %+v", rep.Files)
	}
	h.write("data/a.csv.done", "")
	f := only(t, h.mustRun())
	wantCounts(t, f, Loaded, 2, 2, 0, 0)
	if !strings.HasSuffix(f.Path, "a.csv") {
		t.Fatalf("loaded %s", f.Path)
	}
}

// A file whose size changes between the two looks of one run is not loaded.
func TestGrowingFileNotLoaded(t *testing.T) {
	// Not parallel: it switches the package variable afterFirstLook.
	h := newHarness(t, tpSource)
	p := h.write("data/a.csv", baseCSV)
	afterFirstLook = func(path string) {
		f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Error(err)
			return
		}
		_, _ = f.WriteString("2025-01-02 12:00:00,late,Email\n")
		_ = f.Close()
	}
	rep, err := h.run()
	afterFirstLook = nil
	if err != nil {
		t.Fatalf("an incomplete file is not an error: %v", err)
	}
	wantCounts(t, only(t, rep), Incomplete, 0, 0, 0, 0)
	if n := h.int(`SELECT count(*) FROM touchpoints`) + h.int(`SELECT count(*) FROM ingest_files`); n != 0 {
		t.Fatalf("an incomplete file left %d rows", n)
	}
	// Next run, the file is complete and loads whole.
	wantCounts(t, only(t, h.mustRun()), Loaded, 3, 3, 0, 0)
	_ = p
}

// changer rewrites a file once its load has reached the write step: the
// load must not commit rows whose file no longer matches its sha256.
type changer struct{ t *testing.T }

func (changer) Start(string, int64) {}
func (changer) Done(FileResult)     {}
func (c changer) Step(path, step string) {
	if step == StepWrite {
		if err := os.WriteFile(path, []byte(baseCSV+"2025-01-02 12:00:00,late,Email\n"), 0o644); err != nil {
			c.t.Error(err)
		}
	}
}

func TestFileChangedBeforeCommitNotLoaded(t *testing.T) {
	t.Parallel()
	h := newHarness(t, tpSource)
	h.write("data/a.csv", baseCSV)
	rep, err := h.run(func(o *Options) { o.Progress = changer{t} })
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	wantCounts(t, only(t, rep), Incomplete, 0, 0, 0, 0)
	if n := h.int(`SELECT count(*) FROM touchpoints`) + h.int(`SELECT count(*) FROM ingest_files`); n != 0 {
		t.Fatalf("rolled-back load left %d rows", n)
	}
	wantCounts(t, only(t, h.mustRun()), Loaded, 3, 3, 0, 0)
}

func TestRejectThreshold(t *testing.T) {
	t.Parallel()
	// 20 rows, 2 bad: 10%.
	var b strings.Builder
	b.WriteString("occurred_at,anonymous_id\n")
	for i := 0; i < 18; i++ {
		b.WriteString("2025-01-02 10:00:00,p" + string(rune('a'+i)) + "\n")
	}
	b.WriteString("yesterday,x1\n,x2\n")
	t.Run("default 5 percent refuses the file", func(t *testing.T) {
		h := newHarness(t, tpSource)
		h.write("data/a.csv", b.String())
		rep, err := h.run()
		if err == nil {
			t.Fatal("no error for a file over the threshold")
		}
		f := only(t, rep)
		wantCounts(t, f, Failed, 20, 0, 2, 0)
		want := `2 of 20 rows (10.0%) are bad, over the reject threshold of 5.0%; nothing loaded. First: line 20 occurred_at: unparseable time "yesterday"; line 21 occurred_at: missing time`
		if f.Message != want {
			t.Fatalf("message\n got %q\nwant %q", f.Message, want)
		}
		if n := h.int(`SELECT count(*) FROM touchpoints`) + h.int(`SELECT count(*) FROM rejected_rows`); n != 0 {
			t.Fatalf("a refused file left %d rows", n)
		}
		if got := h.str(`SELECT status || ' ' || rows_read || ' ' || rows_rejected FROM ingest_files`); got != "failed 20 2" {
			t.Fatalf("ingest_files: %s", got)
		}
		// A failed file is tried again (and fails again) on the next run.
		if _, err := h.run(); err == nil {
			t.Fatal("second run: no error")
		}
	})
	t.Run("15 percent loads the good rows", func(t *testing.T) {
		h := newHarness(t, tpSource, "ingest:\n  reject_threshold: 0.15\n")
		h.write("data/a.csv", b.String())
		wantCounts(t, only(t, h.mustRun()), Loaded, 20, 18, 2, 0)
		if got := strings.Join(h.strs(`SELECT line || ':' || field FROM rejected_rows ORDER BY line`), " "); got != "20:occurred_at 21:occurred_at" {
			t.Fatalf("rejects %s", got)
		}
	})
}

func TestFxConversion(t *testing.T) {
	h := newHarness(t, `  - name: fx
    dataset: fx_rates
    path: fx/*
  - name: conv
    dataset: conversions
    path: conv/*
`, "ingest:\n  reject_threshold: 0.5\n")
	h.write("fx/rates.csv", "date,currency,rate\n2025-01-02,EUR,1.1\n2025-01-02,GBP,-1\n")
	h.write("conv/c.csv", "conversion_id,occurred_at,customer_id,conversion_type,revenue,currency\n"+
		"c1,2025-01-02 10:00:00,C1,account_opened,100,EUR\n"+ // 110 USD
		"c2,2025-01-03 10:00:00,C2,account_opened,50,EUR\n"+ // no EUR rate on 2025-01-03: rejected
		"c3,2025-01-03 10:00:00,C3,account_opened,20,USD\n"+ // reporting currency: 20
		"c4,2025-01-03 10:00:00,C4,account_opened,,EUR\n") // no amount: nothing to convert
	rep := h.mustRun()
	wantCounts(t, byBase(t, rep, "rates.csv"), Loaded, 2, 1, 1, 0)
	wantCounts(t, byBase(t, rep, "c.csv"), Loaded, 4, 3, 1, 0)
	got := strings.Join(h.strs(`SELECT conversion_id || '=' || coalesce(revenue::VARCHAR, 'null') || '/' || coalesce(revenue_original::VARCHAR, 'null') || ' ' || currency
		FROM conversions ORDER BY 1`), "; ")
	if got != "c1=110.0000/100.0000 EUR; c3=20.0000/20.0000 USD; c4=null/null EUR" {
		t.Fatalf("conversions: %s", got)
	}
	rej := strings.Join(h.strs(`SELECT path[-5:] || ' ' || line || ' ' || field || ' ' || reason FROM rejected_rows ORDER BY path, line`), "; ")
	if rej != "c.csv 3 currency no fx rate for EUR on 2025-01-03; s.csv 3 rate invalid rate \"-1\"" {
		t.Fatalf("rejects: %s", rej)
	}
}

// TestFxConversionLargeAmounts: a day's spend or a conversion's revenue of
// a million or more converts without overflow. DuckDB types DECIMAL(18,4) x
// DECIMAL(18,8) as DECIMAL(18,12), whose 18 digits end at 999,999.99...; the
// whole offline spend file of an 18 M-person demo failed on that.
func TestFxConversionLargeAmounts(t *testing.T) {
	h := newHarness(t, `  - name: fx
    dataset: fx_rates
    path: fx/*
  - name: spend
    dataset: spend
    path: spend/*
  - name: conv
    dataset: conversions
    path: conv/*
`)
	h.write("fx/rates.csv", "date,currency,rate\n2025-01-02,EUR,1.1\n")
	h.write("spend/s.csv", "date,channel,spend,currency\n"+
		"2025-01-02,TV,1534726.60,USD\n"+ // reporting currency: as is
		"2025-01-02,Direct Mail,2000000,EUR\n"+ // 2,200,000 USD
		"2025-01-02,Outdoor,9999999999.5,USD\n") // ten billion: still DECIMAL(18,4)
	h.write("conv/c.csv", "conversion_id,occurred_at,customer_id,conversion_type,revenue,currency\n"+
		"c1,2025-01-02 10:00:00,C1,mortgage,3000000,EUR\n") // 3,300,000 USD
	rep := h.mustRun()
	wantCounts(t, byBase(t, rep, "s.csv"), Loaded, 3, 3, 0, 0)
	wantCounts(t, byBase(t, rep, "c.csv"), Loaded, 1, 1, 0, 0)
	got := strings.Join(h.strs(`SELECT channel || '=' || spend::VARCHAR FROM spend ORDER BY channel`), "; ")
	if got != "Direct Mail=2200000.0000; Outdoor=9999999999.5000; TV=1534726.6000" {
		t.Fatalf("spend: %s", got)
	}
	if got := h.str(`SELECT revenue::VARCHAR FROM conversions`); got != "3300000.0000" {
		t.Fatalf("revenue: %s", got)
	}
}

// Two different rows whose values line up the same way once NULLs are left
// out (campaign=spring vs content=spring) must get different row ids: the id
// hashes a JSON list that keeps NULLs in place.
func TestRowIDKeepsNullPositions(t *testing.T) {
	t.Parallel()
	h := newHarness(t, tpSource)
	h.write("data/a.csv", "occurred_at,anonymous_id,campaign,content\n2025-01-02 10:00:00,a,spring,\n2025-01-02 10:00:00,a,,spring\n")
	wantCounts(t, only(t, h.mustRun()), Loaded, 2, 2, 0, 0)
}

// TestFinishedAt: ingest_files.finished_at is on started_at's clock and
// comes after the rows were written, within the file's load time (DuckDB's
// now() would give the start of the file's transaction, on the real clock).
func TestFinishedAt(t *testing.T) {
	t.Parallel()
	h := newHarness(t, tpSource)
	h.write("data/a.csv", baseCSV)
	start := time.Now()
	f := only(t, h.mustRun())
	wall := time.Since(start)
	var took float64
	if err := h.w.DB().QueryRow(`SELECT epoch(finished_at - started_at) FROM ingest_files`).Scan(&took); err != nil {
		t.Fatal(err)
	}
	if took <= 0 || took > f.Duration.Seconds() || f.Duration > wall {
		t.Fatalf("finished_at - started_at = %v s, load %v, run %v: want 0 < finished - started <= load <= run", took, f.Duration, wall)
	}
}

// A file whose path, size and modification time are those of a file loaded
// before is skipped without being read: a same-size rewrite that keeps the
// old modification time (which only a deliberate touch -d does) is not
// seen, and that is what shows the file was not read. A new modification
// time, or one within a second of the load that recorded it (the file
// system's clock ticks coarsely), has it read and hashed again.
func TestUnchangedFileSkippedUnread(t *testing.T) {
	t.Parallel()
	h := newHarness(t, tpSource)
	now := func(o *Options) { o.Now = time.Now }
	v1 := "touchpoint_id,occurred_at,anonymous_id\nt1,2025-01-02 10:00:00,a\nt2,2025-01-02 11:00:00,b\n"
	v2 := "touchpoint_id,occurred_at,anonymous_id\nt1,2025-01-02 10:00:00,a\nt3,2025-01-02 11:00:00,c\n"
	if len(v1) != len(v2) {
		t.Fatal("the two versions must have the same size")
	}
	p := h.write("data/a.csv", v1)
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	if err := os.Chtimes(p, old, old); err != nil {
		t.Fatal(err)
	}
	run := func() FileResult {
		t.Helper()
		rep, err := h.run(now)
		if err != nil {
			t.Fatal(err)
		}
		checkAccounting(t, rep)
		return only(t, rep)
	}
	wantCounts(t, run(), Loaded, 2, 2, 0, 0)
	loadID := h.str(`SELECT load_id FROM ingest_files`)

	h.write("data/a.csv", v2)
	if err := os.Chtimes(p, old, old); err != nil {
		t.Fatal(err)
	}
	f := run()
	if want := "unchanged since loaded as " + loadID; f.Status != Skipped || !strings.HasPrefix(f.Message, want) {
		t.Fatalf("same path, size and time: %+v, want skipped %q", f, want)
	}
	if got := strings.Join(h.strs(`SELECT touchpoint_id FROM touchpoints ORDER BY 1`), ","); got != "t1,t2" {
		t.Fatalf("touchpoints = %s, want t1,t2 (the file was read)", got)
	}

	// Touched: read again, and its new row loads.
	newer := old.Add(time.Minute)
	if err := os.Chtimes(p, newer, newer); err != nil {
		t.Fatal(err)
	}
	wantCounts(t, run(), Loaded, 2, 1, 0, 1)

	// Modified within a second of a load: the next run hashes it again
	// (same content: skipped as seen, not as unchanged).
	q := h.write("data/b.csv", "touchpoint_id,occurred_at,anonymous_id\nt9,2025-01-02 10:00:00,z\n")
	rep, err := h.run(now)
	if err != nil {
		t.Fatal(err)
	}
	wantCounts(t, byBase(t, rep, "b.csv"), Loaded, 1, 1, 0, 0)
	rep, err = h.run(now)
	if err != nil {
		t.Fatal(err)
	}
	if f := byBase(t, rep, "b.csv"); f.Status != Skipped || !strings.HasPrefix(f.Message, "same content as "+q) {
		t.Fatalf("a file modified just before its load, run again: %+v, want skipped as same content", f)
	}
	if f := byBase(t, rep, "a.csv"); f.Status != Skipped || !strings.HasPrefix(f.Message, "unchanged since loaded as ") {
		t.Fatalf("a.csv, run again: %+v, want skipped unread", f)
	}
}
