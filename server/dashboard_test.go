package server

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"attrib/config"
	"attrib/jobs"
	"attrib/testkit"
	"attrib/warehouse"
)

// findChromium returns Debian's chromium, installing it when the test runs
// as root with apt-get; it skips only where Chromium cannot exist.
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if _, err := exec.LookPath("apt-get"); err != nil || os.Geteuid() != 0 {
		t.Skip("no Chromium on this machine and no way to install it (needs root and apt-get: apt-get install chromium)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("apt-get install chromium failed (no package registry reachable?): %v\n%s", err, out)
	}
	p, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("chromium installed but not on PATH")
	}
	return p
}

// demoWarehouse returns the config and open warehouse of a copy of a demo
// of people (seed 7) after a whole pipeline run (built once per test
// process, testkit.Built), with one user, marketer.
func demoWarehouse(t testing.TB, people int) (*config.Config, *warehouse.Warehouse) {
	t.Helper()
	dir := testkit.DemoRun(t, people, 7, runPipeline)
	cfg, w := testkit.OpenDir(t, dir)
	cfg.Serve.Users = []config.User{{Name: "marketer", Password: "m-pass", Token: "tok-m"}}
	return cfg, w
}

// runPipeline runs cfg's default job once on w.
func runPipeline(ctx context.Context, cfg *config.Config, w *warehouse.Warehouse) error {
	r, err := jobs.NewRunner(ctx, w, cfg)
	if err != nil {
		return err
	}
	job, err := cfg.Job("")
	if err != nil {
		return err
	}
	if _, err := r.Run(ctx, job, jobs.TriggerManual); err != nil {
		return fmt.Errorf("pipeline run: %w", err)
	}
	return nil
}

func near(a, b float64) bool {
	return math.Abs(a-b) <= 1e-6*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// pageErrors collects what a page reports as broken: uncaught exceptions,
// console.error calls and browser log errors (a refused script or style,
// a failed request).
type pageErrors struct {
	mu   sync.Mutex
	msgs []string
}

func (p *pageErrors) add(m string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.msgs = append(p.msgs, m)
}

func (p *pageErrors) all() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.msgs)
}

// openBrowser starts headless Chromium sending user:password as HTTP Basic
// credentials, listening to the page's errors; it ends with the test.
func openBrowser(t *testing.T, chrome, userPass string) (context.Context, *pageErrors) {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome), chromedp.NoSandbox, chromedp.Headless, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("no-first-run", true), chromedp.WindowSize(1400, 1000))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelA)
	bctx, cancelB := chromedp.NewContext(actx)
	t.Cleanup(cancelB)
	bctx, cancelT := context.WithTimeout(bctx, 3*time.Minute)
	t.Cleanup(cancelT)
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte(userPass))
	if _, err := chromedp.Call(bctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	if _, err := chromedp.Call(bctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Authorization": auth}}); err != nil {
		t.Fatal(err)
	}
	errs := &pageErrors{}
	err := chromedp.Listen(bctx, func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventExceptionThrown:
			m := e.ExceptionDetails.Text
			if e.ExceptionDetails.Exception != nil {
				m += " " + e.ExceptionDetails.Exception.Description
			}
			errs.add("exception: " + m)
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError {
				var parts []string
				for _, a := range e.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				errs.add("console.error: " + strings.Join(parts, " "))
			}
		case *log.EventEntryAdded:
			if e.Entry.Level == log.EntryLevelError {
				errs.add("log: " + e.Entry.Text + " " + e.Entry.URL)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return bctx, errs
}

// navigate loads url and waits until every panel has loaded.
func navigate(t *testing.T, bctx context.Context, url string) {
	t.Helper()
	if err := chromedp.Do(bctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"]`))); err != nil {
		t.Fatalf("load %s: %v", url, err)
	}
}

// evaluate runs a JavaScript expression on the page.
func evaluate[T any](t *testing.T, bctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(bctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}

// panelStates are the load states of the page's panels.
const panelStatesJS = `Object.fromEntries([...document.querySelectorAll("[data-panel]")].map(s => [s.dataset.panel, s.dataset.state]))`

// panelText is the text of a panel's body.
func panelText(t *testing.T, bctx context.Context, panel string) string {
	t.Helper()
	return evaluate[string](t, bctx, `document.querySelector('[data-panel="`+panel+`"] .body').textContent`)
}

// TestDashboardChromium loads the dashboard in headless Chromium against a
// demo warehouse, checks the numbers it shows against SQL, applies a
// filter, and saves screenshots for docs/dashboard.md.
func TestDashboardChromium(t *testing.T) {
	t.Parallel()
	chrome := findChromium(t)
	cfg, w := demoWarehouse(t, 2000)
	ctx := context.Background()
	srv, err := New(ctx, w, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	c := httpClient{t: t, base: ts.URL, auth: func(r *http.Request) { r.SetBasicAuth("marketer", "m-pass") }}

	bctx, pageErrs := openBrowser(t, chrome, "marketer:m-pass")
	navigate(t, bctx, ts.URL+"/?model=markov")
	const kpiJS = `Object.fromEntries([...document.querySelectorAll(".kpi")].map(k => [k.dataset.kpi, k.dataset.value ?? ""]))`
	kpis, err := chromedp.Run(bctx, chromedp.Evaluate[map[string]string](kpiJS))
	if err != nil {
		t.Fatal(err)
	}
	states := evaluate[map[string]string](t, bctx, panelStatesJS)
	channelRows, err := chromedp.Run(bctx, chromedp.Evaluate[[][]string](`[...document.querySelectorAll('[data-panel="channels"] tbody tr')].map(tr => [tr.children[0].firstChild.textContent, tr.querySelector('[data-col="roas"]').dataset.value ?? "", tr.querySelector('[data-col="revenue"]').textContent])`))
	if err != nil {
		t.Fatal(err)
	}
	for panel, state := range states {
		if state != "ready" && state != "empty" {
			t.Errorf("panel %s is %q", panel, state)
		}
	}
	for _, p := range []string{"kpis", "channels", "trend", "roas_matrix", "runs", "mmm_fit", "contribution", "incrementality", "response_curves", "budget"} {
		if states[p] != "ready" {
			t.Errorf("panel %s: %q, want ready", p, states[p])
		}
	}
	checkFirstHour(t, bctx, cfg)
	// Issue 14 item 2: a budget row's change_factor is its recommended / spend, exactly as shown.
	var bad, n int
	if err := w.DB().QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE abs(change_factor - recommended_spend::DOUBLE / spend::DOUBLE) > 1e-9), count(*)
		FROM budget_recommendations WHERE spend > 0`).Scan(&bad, &n); err != nil {
		t.Fatal(err)
	}
	if bad > 0 || n == 0 {
		t.Errorf("budget_recommendations: %d of %d rows with change_factor <> recommended / spend", bad, n)
	}

	// The headline numbers against SQL.
	checkKPIs := func(kpis map[string]string, where string, args ...any) {
		t.Helper()
		var spend, conv, rev float64
		q := `SELECT sum(spend)::DOUBLE, sum(conversions)::DOUBLE, sum(revenue)::DOUBLE FROM channel_performance
			WHERE model = 'markov' AND conversion_type = '(all)'` + where
		if err := w.DB().QueryRowContext(ctx, q, args...).Scan(&spend, &conv, &rev); err != nil {
			t.Fatal(err)
		}
		for k, want := range map[string]float64{"spend": spend, "conversions": conv, "revenue": rev, "roas": rev / spend, "cpa": spend / conv, "roi": (rev - spend) / spend} {
			got, err := strconv.ParseFloat(kpis[k], 64)
			if err != nil || !near(got, want) {
				t.Errorf("KPI %s%s: dashboard %q, SQL %v", k, where, kpis[k], want)
			}
		}
	}
	checkKPIs(kpis, "")

	// ROAS by channel against SQL, and the formatted revenue shown.
	rows, err := w.DB().QueryContext(ctx, `SELECT channel, sum(revenue)::DOUBLE / nullif(sum(spend), 0)::DOUBLE, sum(revenue)::DOUBLE FROM channel_performance
		WHERE model = 'markov' AND conversion_type = '(all)' GROUP BY channel ORDER BY sum(revenue) DESC NULLS LAST, channel`)
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	for rows.Next() {
		var ch string
		var roas sql.NullFloat64
		var rev float64
		if err := rows.Scan(&ch, &roas, &rev); err != nil {
			t.Fatal(err)
		}
		if i >= len(channelRows) {
			t.Fatalf("dashboard shows %d channels, SQL has more (%s)", len(channelRows), ch)
		}
		got := channelRows[i]
		if got[0] != ch {
			t.Errorf("channel row %d: %q, want %q", i, got[0], ch)
		}
		if roas.Valid {
			if v, err := strconv.ParseFloat(got[1], 64); err != nil || !near(v, roas.Float64) {
				t.Errorf("%s ROAS shown %q, SQL %v", ch, got[1], roas.Float64)
			}
		} else if got[1] != "" {
			t.Errorf("%s ROAS shown %q, SQL NULL", ch, got[1])
		}
		if want := formatMoney(rev); got[2] != want {
			t.Errorf("%s revenue text %q, want %q", ch, got[2], want)
		}
		i++
	}
	rows.Close()
	if i != len(channelRows) || i == 0 {
		t.Errorf("dashboard shows %d channels, SQL %d", len(channelRows), i)
	}

	// The funnel (when the pipeline builds it) against SQL.
	if states["funnel"] == "ready" {
		shown, err := chromedp.Run(bctx, chromedp.Evaluate[[][]string](`[...document.querySelectorAll('[data-panel="funnel"] tbody tr')].map(tr => [tr.children[0].textContent, tr.querySelector('[data-col="persons"]').dataset.value])`))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := w.DB().QueryContext(ctx, `SELECT stage, sum(persons)::BIGINT FROM funnel WHERE channel = '(all)' GROUP BY stage, stage_order ORDER BY stage_order`)
		if err != nil {
			t.Fatal(err)
		}
		i := 0
		for rows.Next() {
			var stage string
			var n int64
			if err := rows.Scan(&stage, &n); err != nil {
				t.Fatal(err)
			}
			if i >= len(shown) || shown[i][0] != stage || shown[i][1] != strconv.FormatInt(n, 10) {
				t.Errorf("funnel row %d: shown %v, SQL %s %d", i, shown, stage, n)
			}
			i++
		}
		rows.Close()
		if i != len(shown) {
			t.Errorf("funnel: %d stages shown, %d in SQL", len(shown), i)
		}
	}

	checkIncrementality(t, bctx, c, w)
	if errs := pageErrs.all(); len(errs) > 0 {
		t.Errorf("the page reported errors:\n%s", strings.Join(errs, "\n"))
	}

	shot := func(name string, what chromedp.Action[[]byte]) {
		t.Helper()
		png, err := chromedp.Run(bctx, what)
		if err != nil {
			t.Fatal(err)
		}
		// The screenshots docs/dashboard.md shows are refreshed only on request
		// (ATTRIB_UPDATE_SCREENSHOTS=1), so a test run leaves the tree clean.
		dir := t.TempDir()
		if os.Getenv("ATTRIB_UPDATE_SCREENSHOTS") != "" {
			dir = filepath.Join("..", "docs", "img")
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	shot("dashboard.png", chromedp.FullScreenshot(100))
	shot("dashboard-incrementality.png", chromedp.Screenshot(chromedp.CSS("#incrementality")))

	// Filter by channel and date range, as a marketer would.
	var ch, from, to string
	if err := w.DB().QueryRowContext(ctx, `SELECT channel, (min(date) + INTERVAL 30 DAY)::DATE::VARCHAR, (min(date) + INTERVAL 120 DAY)::DATE::VARCHAR
		FROM channel_performance WHERE model = 'markov' AND conversion_type = '(all)' AND spend > 0
		GROUP BY channel ORDER BY sum(revenue) DESC LIMIT 1`).Scan(&ch, &from, &to); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(bctx,
		chromedp.SetValue(chromedp.CSS(`#f-channel`), ch),
		chromedp.SetValue(chromedp.CSS(`#f-from`), from),
		chromedp.SetValue(chromedp.CSS(`#f-to`), to),
		chromedp.Evaluate[chromedp.Void](`document.body.dataset.ready = "false"; undefined`),
		chromedp.Click(chromedp.CSS(`#filters button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"]`)),
	)
	if err != nil {
		t.Fatalf("filter: %v", err)
	}
	if kpis, err = chromedp.Run(bctx, chromedp.Evaluate[map[string]string](kpiJS)); err != nil {
		t.Fatal(err)
	}
	checkKPIs(kpis, " AND channel = ? AND date BETWEEN ?::DATE AND ?::DATE", ch, from, to)
	checkNoStrayText(t, bctx)
	shot("dashboard-filtered.png", chromedp.FullScreenshot(100))

	// One conversion type: the incrementality section shows that type's fit.
	var typ, status string
	if err := w.DB().QueryRowContext(ctx, `SELECT conversion_type, status FROM mmm_fit WHERE conversion_type <> '(all)' ORDER BY conversion_type LIMIT 1`).Scan(&typ, &status); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(bctx,
		chromedp.SetValue(chromedp.CSS(`#f-type`), typ),
		chromedp.Evaluate[chromedp.Void](`document.body.dataset.ready = "false"; undefined`),
		chromedp.Click(chromedp.CSS(`#filters button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"]`)),
	)
	if err != nil {
		t.Fatalf("type filter: %v", err)
	}
	if got := evaluate[string](t, bctx, `document.querySelector("#inc-type").textContent`); got != typ {
		t.Errorf("incrementality heading names %q, want %q", got, typ)
	}
	if got := evaluate[string](t, bctx, `document.querySelector('[data-panel="mmm_fit"] .fitline').dataset.status`); got != status {
		t.Errorf("%s fit shown as %q, SQL %q", typ, got, status)
	}
	if errs := pageErrs.all(); len(errs) > 0 {
		t.Errorf("the page reported errors:\n%s", strings.Join(errs, "\n"))
	}
}

// formatMoney is the dashboard's money format (en-US, two decimals).
func formatMoney(v float64) string {
	s := strconv.FormatFloat(math.Abs(v), 'f', 2, 64)
	intPart, frac := s[:len(s)-3], s[len(s)-3:]
	var out []byte
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, byte(c))
	}
	if v < 0 {
		return "-" + string(out) + frac
	}
	return string(out) + frac
}

// incrementalityFixtureSQL holds media mix model tables small enough to
// work out every panel's answer by hand: a daily (all) fit over Wednesday
// 2025-01-01 .. Friday 2025-01-10 (day d = 1..10: baseline d, TV 1 on
// spend 100, Search 0.5 d on spend 10 d), a weekly account_opened fit over
// the weeks of 2025-01-06 and 2025-01-13, and a failed loan_funded fit.
const incrementalityFixtureSQL = `
CREATE TABLE mmm_fit (conversion_type VARCHAR, status VARCHAR, grain VARCHAR, periods INTEGER, window_start DATE, window_end DATE,
  r_squared DOUBLE, nrmse DOUBLE, holdout_mape DOUBLE, baseline_share DOUBLE, experiments_used INTEGER, experiment_fit DOUBLE,
  seed UBIGINT, warnings VARCHAR);
INSERT INTO mmm_fit VALUES
  ('(all)', 'fitted', 'day', 10, DATE '2025-01-01', DATE '2025-01-10', 0.9, 0.05, 0.12, 0.6, 1, 1.0, 7, 'w one; w two'),
  ('account_opened', 'fitted', 'week', 2, DATE '2025-01-06', DATE '2025-01-19', 0.8, 0.1, 0.2, 0.7, 0, NULL, 7, ''),
  ('loan_funded', 'failed', NULL, NULL, DATE '2025-01-01', DATE '2025-01-10', NULL, NULL, NULL, NULL, NULL, NULL, 7, 'mmm: not implemented');
CREATE TABLE incrementality_timeseries (period_start DATE, conversion_type VARCHAR, channel VARCHAR, spend DOUBLE,
  contribution DOUBLE, contribution_low DOUBLE, contribution_high DOUBLE);
INSERT INTO incrementality_timeseries
  SELECT DATE '2024-12-31' + d::INTEGER, '(all)', '(baseline)', NULL, d, d - 1, d + 1 FROM range(1, 11) t(d)
  UNION ALL SELECT DATE '2024-12-31' + d::INTEGER, '(all)', 'TV', 100, 1, 0, 2 FROM range(1, 11) t(d)
  UNION ALL SELECT DATE '2024-12-31' + d::INTEGER, '(all)', 'Search', 10 * d, 0.5 * d, 0, d FROM range(1, 11) t(d);
INSERT INTO incrementality_timeseries VALUES
  (DATE '2025-01-06', 'account_opened', '(baseline)', NULL, 100, 90, 110), (DATE '2025-01-13', 'account_opened', '(baseline)', NULL, 110, 100, 120),
  (DATE '2025-01-06', 'account_opened', 'TV', 700, 20, 10, 30), (DATE '2025-01-13', 'account_opened', 'TV', 700, 30, 20, 40);
CREATE TABLE response_curves (conversion_type VARCHAR, channel VARCHAR, period_spend DOUBLE, incremental_conversions DOUBLE,
  incremental_revenue DOUBLE, marginal_roas DOUBLE, is_current BOOLEAN);
INSERT INTO response_curves VALUES
  ('(all)', 'Radio', 0, 0, 0, 2, true), ('(all)', 'Radio', 10, 1, 15, 1, false),
  ('(all)', 'Search', 100, 3, 120, 0.5, false), ('(all)', 'Search', 0, 0, 0, 3, false), ('(all)', 'Search', 50, 2, 90, 1, true),
  ('(all)', 'TV', 0, 0, 0, 4, false), ('(all)', 'TV', 100, 5, 300, 2, true), ('(all)', 'TV', 200, 7, 450, 1, false),
  ('account_opened', 'TV', 700, 25, 2500, 1.5, true);
CREATE TABLE channel_incrementality (conversion_type VARCHAR, channel VARCHAR, channel_group VARCHAR, window_start DATE, window_end DATE,
  spend DECIMAL(38, 4), incremental_conversions DOUBLE, incremental_conversions_low DOUBLE, incremental_conversions_high DOUBLE,
  incremental_revenue DOUBLE, incremental_revenue_low DOUBLE, incremental_revenue_high DOUBLE, cost_per_incremental_conversion DOUBLE,
  iroas DOUBLE, marginal_roas DOUBLE, attributed_conversions DOUBLE, attribution_model VARCHAR, incrementality_factor DOUBLE,
  method VARCHAR, decay DOUBLE, half_saturation_spend DOUBLE);
INSERT INTO channel_incrementality VALUES
  ('(all)', 'Branch', 'offline', DATE '2025-01-01', DATE '2025-01-10', 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 5, 'markov', NULL,
   'no spend: measured as part of the baseline', NULL, NULL),
  ('(all)', 'Search', 'online', DATE '2025-01-01', DATE '2025-01-10', 550, 20, 5, 35, 800, 200, 1400, 27.5, 1.4545, 1, 40, 'markov', 0.5, 'mmm+experiments', 0.2, 60),
  ('(all)', 'TV', 'offline', DATE '2025-01-01', DATE '2025-01-10', 1000, 30, 10, 50, 1500, 500, 2500, 33.3333, 1.5, 2, 10, 'markov', 3, 'mmm', 0.5, 90),
  ('account_opened', 'TV', 'offline', DATE '2025-01-06', DATE '2025-01-19', 1400, 50, 30, 70, 5000, 3000, 7000, 28, 3.5714, 1.5, 25, 'markov', 2, 'mmm', 0.5, 90);
CREATE TABLE budget_recommendations (channel VARCHAR, channel_group VARCHAR, period_start DATE, period_end DATE, spend DECIMAL(38, 4),
  roi DOUBLE, marginal_roi DOUBLE, recommended_spend DECIMAL(38, 2), change DECIMAL(38, 4), change_factor DOUBLE, recommended_marginal_roi DOUBLE,
  expected_revenue_change DOUBLE, expected_revenue_change_low DOUBLE, expected_revenue_change_high DOUBLE, basis VARCHAR, action VARCHAR, reason VARCHAR);
INSERT INTO budget_recommendations VALUES
  ('Display', 'online', DATE '2024-10-14', DATE '2025-01-10', 100, -0.5, -0.8, 50, -50, 0.5, -0.5, -10, -20, 0, 'mmm', 'decrease', 'r d'),
  ('Radio', 'offline', DATE '2024-10-14', DATE '2025-01-10', 200, NULL, NULL, 200, 0, 1, NULL, 0, 0, 0, 'held', 'hold', 'r r'),
  ('Search', 'online', DATE '2024-10-14', DATE '2025-01-10', 500, 0.2, 0.1, 250, -250, 0.5, 0.3, -40, -90, 10, 'mmm+experiments', 'decrease', 'r s'),
  ('TV', 'offline', DATE '2024-10-14', DATE '2025-01-10', 1000, 1.5, 1, 1300, 300, 1.3, 0.6, 240, 100, 380, 'mmm', 'increase', 'r t');
`

// panelRows asks the dashboard API for one panel and returns its column
// names and its rows keyed by column.
func panelRows(t *testing.T, c httpClient, query string) ([]string, []map[string]any) {
	t.Helper()
	resp, b := c.do("GET", "/api/dashboard/"+query, "", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("%s: %d %s", query, resp.StatusCode, b)
	}
	var pr PanelResult
	if err := json.Unmarshal(b, &pr); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	if pr.Missing {
		t.Fatalf("%s: table %s missing", query, pr.Table)
	}
	var cols []string
	for _, c := range pr.Columns {
		cols = append(cols, c.Name)
	}
	var out []map[string]any
	for _, r := range pr.Rows {
		m := map[string]any{}
		for i, c := range cols {
			m[c] = r[i]
		}
		out = append(out, m)
	}
	return cols, out
}

// num reads a JSON number (NULL: NaN).
func num(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case nil:
		return math.NaN()
	}
	f, err := strconv.ParseFloat(toString(v), 64)
	if err != nil {
		return math.NaN()
	}
	return f
}

// incrementalityServer serves a warehouse holding incrementalityFixtureSQL
// and a channel_performance with the four conversion types (for the filter).
func incrementalityServer(t *testing.T) (*httptest.Server, httpClient) {
	t.Helper()
	ctx := context.Background()
	cfg := &config.Config{Dir: t.TempDir(), Timezone: "UTC"}
	cfg.Warehouse.Path = "attrib.duckdb"
	cfg.Serve.Users = []config.User{{Name: "analyst", Password: testPassword, Token: "tok-analyst"}}
	w := testkit.Warehouse(t, warehouse.Options{Path: cfg.WarehousePath(), TimeZone: "UTC"})
	if _, err := w.DB().ExecContext(ctx, incrementalityFixtureSQL); err != nil {
		t.Fatal(err)
	}
	if _, err := w.DB().ExecContext(ctx, `CREATE TABLE channel_performance AS
		SELECT DATE '2025-01-01' AS date, 'TV' AS channel, 'offline' AS channel_group, '' AS campaign, conversion_type, 'markov' AS model,
		       1 AS touchpoints, 1.0 AS conversions, 10.0 AS revenue, 5.0 AS spend, 0 AS impressions, 0 AS clicks
		FROM (VALUES ('(all)'), ('account_opened'), ('card_activated'), ('loan_funded')) v(conversion_type)`); err != nil {
		t.Fatal(err)
	}
	srv, err := New(ctx, w, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts, httpClient{t: t, base: ts.URL, auth: func(r *http.Request) { r.Header.Set("Authorization", "Bearer tok-analyst") }}
}

// TestDashboardIncrementalityPanels: the incrementality and budget panels'
// SQL on tables whose answers are worked out by hand.
func TestDashboardIncrementalityPanels(t *testing.T) {
	t.Parallel()
	_, c := incrementalityServer(t)

	type week struct {
		start, channel            string
		days, spend, contribution float64 // spend NaN: the baseline has none
	}
	nan := math.NaN()
	checkWeeks := func(query string, want []week) {
		t.Helper()
		cols, rows := panelRows(t, c, "contribution?"+query)
		if strings.Join(cols, ",") != "week_start,channel,days,spend,contribution" {
			t.Fatalf("contribution columns %v", cols)
		}
		if len(rows) != len(want) {
			t.Fatalf("contribution?%s: %d rows %v, want %d", query, len(rows), rows, len(want))
		}
		for i, w := range want {
			r := rows[i]
			spend := num(r["spend"])
			if toString(r["week_start"]) != w.start || r["channel"] != w.channel || num(r["days"]) != w.days ||
				!(near(spend, w.spend) || math.IsNaN(spend) && math.IsNaN(w.spend)) || !near(num(r["contribution"]), w.contribution) {
				t.Errorf("contribution?%s row %d: %v, want %+v", query, i, r, w)
			}
		}
	}
	// Days 1..5 fall in the week of Monday 2024-12-30, days 6..10 in the next.
	checkWeeks("", []week{
		{"2024-12-30", "(baseline)", 5, nan, 1 + 2 + 3 + 4 + 5}, {"2024-12-30", "Search", 5, 10 * 15, 0.5 * 15}, {"2024-12-30", "TV", 5, 500, 5},
		{"2025-01-06", "(baseline)", 5, nan, 6 + 7 + 8 + 9 + 10}, {"2025-01-06", "Search", 5, 10 * 40, 0.5 * 40}, {"2025-01-06", "TV", 5, 500, 5},
	})
	// Days 3..7 of the date filter; one channel keeps the baseline.
	checkWeeks("from=2025-01-03&to=2025-01-07&channel=TV&type=(all)", []week{
		{"2024-12-30", "(baseline)", 3, nan, 3 + 4 + 5}, {"2024-12-30", "TV", 3, 300, 3},
		{"2025-01-06", "(baseline)", 2, nan, 6 + 7}, {"2025-01-06", "TV", 2, 200, 2},
	})
	// A weekly fit: a week counts when one of its days is in the range.
	checkWeeks("type=account_opened&from=2025-01-08", []week{
		{"2025-01-06", "(baseline)", 7, nan, 100}, {"2025-01-06", "TV", 7, 700, 20},
		{"2025-01-13", "(baseline)", 7, nan, 110}, {"2025-01-13", "TV", 7, 700, 30},
	})
	checkWeeks("type=account_opened&from=2025-01-13", []week{{"2025-01-13", "(baseline)", 7, nan, 110}, {"2025-01-13", "TV", 7, 700, 30}})
	checkWeeks("type=account_opened&to=2025-01-12", []week{{"2025-01-06", "(baseline)", 7, nan, 100}, {"2025-01-06", "TV", 7, 700, 20}})
	checkWeeks("type=loan_funded", nil)

	// The fit of the chosen type, (all) by default.
	cols, rows := panelRows(t, c, "mmm_fit")
	if strings.Join(cols, ",") != "conversion_type,status,grain,periods,window_start,window_end,r_squared,nrmse,holdout_mape,baseline_share,experiments_used,experiment_fit,warnings" {
		t.Errorf("mmm_fit columns %v", cols)
	}
	if len(rows) != 1 || rows[0]["conversion_type"] != "(all)" || rows[0]["status"] != "fitted" || num(rows[0]["r_squared"]) != 0.9 || rows[0]["warnings"] != "w one; w two" {
		t.Errorf("mmm_fit (all): %v", rows)
	}
	if _, rows := panelRows(t, c, "mmm_fit?type=loan_funded"); len(rows) != 1 || rows[0]["status"] != "failed" || rows[0]["warnings"] != "mmm: not implemented" {
		t.Errorf("mmm_fit loan_funded: %v", rows)
	}
	if _, rows := panelRows(t, c, "mmm_fit?type=card_activated"); len(rows) != 0 {
		t.Errorf("mmm_fit of a type without a fit: %v", rows)
	}

	// Response curves: channels by current spend (TV 100, Search 50, Radio 0), levels ascending.
	cols, rows = panelRows(t, c, "response_curves")
	if strings.Join(cols, ",") != "channel,grain,period_spend,incremental_conversions,incremental_revenue,marginal_roas,is_current" {
		t.Errorf("response_curves columns %v", cols)
	}
	var got []string
	for _, r := range rows {
		got = append(got, fmt.Sprintf("%s %v %v %v %v", r["channel"], r["grain"], r["period_spend"], r["incremental_revenue"], r["is_current"]))
	}
	want := []string{"TV day 0 0 false", "TV day 100 300 true", "TV day 200 450 false", "Search day 0 0 false", "Search day 50 90 true",
		"Search day 100 120 false", "Radio day 0 0 true", "Radio day 10 15 false"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("response_curves:\n got %v\nwant %v", got, want)
	}
	if _, rows := panelRows(t, c, "response_curves?type=account_opened&channel=TV"); len(rows) != 1 || rows[0]["grain"] != "week" || num(rows[0]["period_spend"]) != 700 {
		t.Errorf("response_curves account_opened TV: %v", rows)
	}

	// Path vs incremental: most incremental first, a channel without spend last.
	cols, rows = panelRows(t, c, "incrementality")
	if strings.Join(cols, ",") != "channel,channel_group,window_start,window_end,spend,attribution_model,attributed_conversions,"+
		"incremental_conversions,incremental_conversions_low,incremental_conversions_high,incrementality_factor,"+
		"incremental_revenue,incremental_revenue_low,incremental_revenue_high,cost_per_incremental_conversion,iroas,marginal_roas,method" {
		t.Errorf("incrementality columns %v", cols)
	}
	got = nil
	for _, r := range rows {
		got = append(got, fmt.Sprintf("%s %v %v %v %v %v", r["channel"], num(r["attributed_conversions"]), num(r["incremental_conversions"]),
			num(r["incremental_conversions_low"]), num(r["incremental_conversions_high"]), num(r["incrementality_factor"])))
	}
	want = []string{"TV 10 30 10 50 3", "Search 40 20 5 35 0.5", "Branch 5 NaN NaN NaN NaN"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("incrementality:\n got %v\nwant %v", got, want)
	}
	if _, rows := panelRows(t, c, "incrementality?channel=Search"); len(rows) != 1 || rows[0]["method"] != "mmm+experiments" || rows[0]["attribution_model"] != "markov" {
		t.Errorf("incrementality Search: %v", rows)
	}
	if _, rows := panelRows(t, c, "incrementality?type=account_opened"); len(rows) != 1 || num(rows[0]["incremental_conversions"]) != 50 {
		t.Errorf("incrementality account_opened: %v", rows)
	}

	// Budget: moved channels by the size of the move, held ones last; filters do not apply.
	cols, rows = panelRows(t, c, "budget?channel=TV&type=account_opened")
	if strings.Join(cols, ",") != "channel,channel_group,period_start,period_end,spend,recommended_spend,change,change_factor,"+
		"expected_revenue_change,expected_revenue_change_low,expected_revenue_change_high,roi,marginal_roi,recommended_marginal_roi,basis,action,reason" {
		t.Errorf("budget columns %v", cols)
	}
	got = nil
	for _, r := range rows {
		got = append(got, fmt.Sprintf("%s %v %v %v %v %s", r["channel"], num(r["spend"]), num(r["recommended_spend"]), num(r["change"]), num(r["change_factor"]), r["basis"]))
	}
	want = []string{"TV 1000 1300 300 1.3 mmm", "Search 500 250 -250 0.5 mmm+experiments", "Display 100 50 -50 0.5 mmm", "Radio 200 200 0 1 held"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("budget:\n got %v\nwant %v", got, want)
	}
}

// monday is the Monday of d's week.
func monday(d time.Time) time.Time { return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7)) }

// nearNull compares two numbers where NaN stands for NULL.
func nearNull(a, b float64) bool {
	return math.IsNaN(a) && math.IsNaN(b) || near(a, b)
}

// checkIncrementality checks the incrementality section of a page loaded
// with the default filters against direct queries of the demo's tables.
func checkIncrementality(t *testing.T, bctx context.Context, c httpClient, w *warehouse.Warehouse) {
	t.Helper()
	ctx := context.Background()
	db := w.DB()
	var status, warnings string
	if err := db.QueryRowContext(ctx, `SELECT status, warnings FROM mmm_fit WHERE conversion_type = '(all)'`).Scan(&status, &warnings); err != nil {
		t.Fatal(err)
	}
	if status != "fitted" {
		t.Errorf("the demo's (all) fit is %q (%s), want fitted", status, warnings)
	}

	// The fit line.
	var r2, mape, base sql.NullFloat64
	if err := db.QueryRowContext(ctx, `SELECT r_squared, holdout_mape, baseline_share FROM mmm_fit WHERE conversion_type = '(all)'`).Scan(&r2, &mape, &base); err != nil {
		t.Fatal(err)
	}
	facts := evaluate[map[string]string](t, bctx, `Object.fromEntries([...document.querySelectorAll('[data-panel="mmm_fit"] .fact')].map(f => [f.dataset.key, f.dataset.value ?? ""]))`)
	for k, v := range map[string]sql.NullFloat64{"r_squared": r2, "holdout_mape": mape, "baseline_share": base} {
		got, err := strconv.ParseFloat(facts[k], 64)
		if v.Valid && (err != nil || !near(got, v.Float64)) || !v.Valid && facts[k] != "" {
			t.Errorf("fit %s shown %q, SQL %v", k, facts[k], v)
		}
	}

	// Contribution: the panel's weeks against the daily rows summed by week here.
	cols, rows := panelRows(t, c, "contribution")
	if strings.Join(cols, ",") != "week_start,channel,days,spend,contribution" {
		t.Errorf("contribution columns %v", cols)
	}
	type wk struct{ week, channel string }
	sums := map[wk]*[3]float64{} // days, spend, contribution
	perChannel := map[string]float64{}
	q, err := db.QueryContext(ctx, `SELECT t.period_start, t.channel, coalesce(t.spend, 0), t.contribution, f.grain
		FROM incrementality_timeseries t JOIN mmm_fit f USING (conversion_type) WHERE t.conversion_type = '(all)'`)
	if err != nil {
		t.Fatal(err)
	}
	for q.Next() {
		var d time.Time
		var ch, grain string
		var spend, contr float64
		if err := q.Scan(&d, &ch, &spend, &contr, &grain); err != nil {
			t.Fatal(err)
		}
		k := wk{monday(d).Format(time.DateOnly), ch}
		if sums[k] == nil {
			sums[k] = &[3]float64{}
		}
		days := 1.0
		if grain == "week" {
			days = 7
		}
		sums[k][0] += days
		sums[k][1] += spend
		sums[k][2] += contr
		perChannel[ch] += contr
	}
	q.Close()
	if len(rows) != len(sums) || len(rows) == 0 {
		t.Errorf("contribution: %d week x channel rows, %d from the daily rows", len(rows), len(sums))
	}
	for _, r := range rows {
		want := sums[wk{toString(r["week_start"]), r["channel"].(string)}]
		if want == nil || num(r["days"]) != want[0] || !near(num(r["contribution"]), want[2]) ||
			r["channel"] != "(baseline)" && !near(num(r["spend"]), want[1]) {
			t.Errorf("contribution row %v, daily rows give %v", r, want)
		}
	}
	shown := evaluate[[][]string](t, bctx, `[...document.querySelectorAll('[data-panel="contribution"] tbody tr')].map(tr => [tr.children[0].textContent, tr.querySelector('[data-col="contribution"]').dataset.value])`)
	if len(shown) != len(perChannel) {
		t.Errorf("contribution table shows %d series, SQL has %d", len(shown), len(perChannel))
	}
	for _, s := range shown {
		if v, err := strconv.ParseFloat(s[1], 64); err != nil || !near(v, perChannel[s[0]]) {
			t.Errorf("contribution of %s shown %s, SQL %v", s[0], s[1], perChannel[s[0]])
		}
	}
	weeks := map[string]bool{}
	for k := range sums {
		weeks[k.week] = true
	}
	if n := evaluate[int](t, bctx, `document.querySelectorAll('[data-panel="contribution"] svg g[data-week]').length`); n != len(weeks) {
		t.Errorf("contribution chart has %d weeks, the daily rows %d", n, len(weeks))
	}

	// Path vs incremental against the table.
	cols, rows = panelRows(t, c, "incrementality")
	for _, want := range []string{"channel", "attribution_model", "attributed_conversions", "incremental_conversions", "incremental_conversions_low",
		"incremental_conversions_high", "incrementality_factor", "method"} {
		if !slices.Contains(cols, want) {
			t.Errorf("incrementality lacks %s: %v", want, cols)
		}
	}
	type incr struct{ attr, inc, lo, hi, factor float64 }
	table := map[string]incr{}
	q, err = db.QueryContext(ctx, `SELECT channel, attributed_conversions, incremental_conversions, incremental_conversions_low,
		incremental_conversions_high, incrementality_factor FROM channel_incrementality WHERE conversion_type = '(all)'`)
	if err != nil {
		t.Fatal(err)
	}
	for q.Next() {
		var ch string
		var v [5]sql.NullFloat64
		if err := q.Scan(&ch, &v[0], &v[1], &v[2], &v[3], &v[4]); err != nil {
			t.Fatal(err)
		}
		f := func(x sql.NullFloat64) float64 {
			if !x.Valid {
				return math.NaN()
			}
			return x.Float64
		}
		table[ch] = incr{f(v[0]), f(v[1]), f(v[2]), f(v[3]), f(v[4])}
		// The factor is incremental / attributed by definition.
		if v[0].Float64 > 0 && v[1].Valid && !near(v[4].Float64, v[1].Float64/v[0].Float64) {
			t.Errorf("%s: incrementality_factor %v, %v / %v", ch, v[4].Float64, v[1].Float64, v[0].Float64)
		}
	}
	q.Close()
	if len(rows) != len(table) || len(rows) == 0 {
		t.Errorf("incrementality: %d rows, table %d", len(rows), len(table))
	}
	last := math.Inf(1)
	for _, r := range rows {
		want, ok := table[r["channel"].(string)]
		got := incr{num(r["attributed_conversions"]), num(r["incremental_conversions"]), num(r["incremental_conversions_low"]), num(r["incremental_conversions_high"]), num(r["incrementality_factor"])}
		if !ok || !nearNull(got.attr, want.attr) || !nearNull(got.inc, want.inc) || !nearNull(got.lo, want.lo) || !nearNull(got.hi, want.hi) || !nearNull(got.factor, want.factor) {
			t.Errorf("incrementality %s: %+v, table %+v", r["channel"], got, want)
		}
		if v := got.inc; !math.IsNaN(v) && v > last || math.IsNaN(last) && !math.IsNaN(v) {
			t.Errorf("incrementality: %s (%v) after a channel with %v", r["channel"], v, last)
		}
		last = got.inc
	}
	page := evaluate[[][]string](t, bctx, `[...document.querySelectorAll('[data-panel="incrementality"] tbody tr')].map(tr => { const i = tr.querySelector('[data-col="incremental_conversions"]');
		return [tr.children[0].textContent, tr.querySelector('[data-col="attributed_conversions"]').dataset.value ?? "", i.dataset.value ?? "", i.dataset.low ?? "", i.dataset.high ?? ""] })`)
	if len(page) != len(table) {
		t.Errorf("path vs incremental shows %d channels, table %d", len(page), len(table))
	}
	for _, p := range page {
		want := table[p[0]]
		for i, w := range []float64{want.attr, want.inc, want.lo, want.hi} {
			got, err := strconv.ParseFloat(p[i+1], 64)
			if math.IsNaN(w) && p[i+1] != "" || !math.IsNaN(w) && (err != nil || !near(got, w)) {
				t.Errorf("path vs incremental %s: shown %v, table %+v", p[0], p, want)
				break
			}
		}
	}
	if label := evaluate[string](t, bctx, `document.querySelector('[data-panel="incrementality"] .model').textContent`); !strings.Contains(label, rows[0]["attribution_model"].(string)) {
		t.Errorf("path model label %q, table %v", label, rows[0]["attribution_model"])
	}

	// Response curves: 31 levels from 0 per channel, one current, as in the table.
	cols, rows = panelRows(t, c, "response_curves")
	if strings.Join(cols, ",") != "channel,grain,period_spend,incremental_conversions,incremental_revenue,marginal_roas,is_current" {
		t.Errorf("response_curves columns %v", cols)
	}
	type level struct {
		ch    string
		spend float64
	}
	curve := map[level]float64{}
	current := map[string]float64{}
	q, err = db.QueryContext(ctx, `SELECT channel, period_spend, incremental_revenue, is_current FROM response_curves WHERE conversion_type = '(all)'`)
	if err != nil {
		t.Fatal(err)
	}
	for q.Next() {
		var ch string
		var s, rev float64
		var cur bool
		if err := q.Scan(&ch, &s, &rev, &cur); err != nil {
			t.Fatal(err)
		}
		curve[level{ch, s}] = rev
		if cur {
			current[ch] = s
		}
	}
	q.Close()
	levels, currents := map[string]int{}, map[string]int{}
	for _, r := range rows {
		ch := r["channel"].(string)
		want, ok := curve[level{ch, num(r["period_spend"])}]
		if !ok || !near(num(r["incremental_revenue"]), want) {
			t.Errorf("response curve row %v, table %v", r, want)
		}
		if levels[ch] == 0 && num(r["period_spend"]) != 0 {
			t.Errorf("%s: curve starts at %v, not 0", ch, r["period_spend"])
		}
		levels[ch]++
		if r["is_current"] == true {
			currents[ch]++
		}
	}
	for ch, n := range levels {
		if n != 31 || currents[ch] != 1 {
			t.Errorf("%s: %d levels, %d current; want 31 and 1", ch, n, currents[ch])
		}
	}
	figs := evaluate[[][]string](t, bctx, `[...document.querySelectorAll('[data-panel="response_curves"] figure')].map(f => [f.dataset.channel, f.querySelector("circle.current")?.dataset.spend ?? ""])`)
	if len(figs) != len(current) || len(figs) == 0 {
		t.Errorf("%d response curves shown, %d channels with a curve", len(figs), len(current))
	}
	for _, f := range figs {
		if v, err := strconv.ParseFloat(f[1], 64); err != nil || !near(v, current[f[0]]) {
			t.Errorf("%s: current spend marked at %s, table %v", f[0], f[1], current[f[0]])
		}
	}

	// Budget against the table: the total is kept, held rows are set apart.
	cols, rows = panelRows(t, c, "budget")
	for _, want := range []string{"channel", "period_start", "period_end", "spend", "recommended_spend", "change", "change_factor",
		"expected_revenue_change", "expected_revenue_change_low", "expected_revenue_change_high", "basis", "reason"} {
		if !slices.Contains(cols, want) {
			t.Errorf("budget lacks %s: %v", want, cols)
		}
	}
	type move struct {
		spend, rec, lo, hi float64
		basis              string
	}
	budget := map[string]move{}
	var spendSum, recSum float64
	q, err = db.QueryContext(ctx, `SELECT channel, spend::DOUBLE, recommended_spend::DOUBLE, expected_revenue_change_low, expected_revenue_change_high, basis FROM budget_recommendations`)
	if err != nil {
		t.Fatal(err)
	}
	for q.Next() {
		var ch string
		var m move
		if err := q.Scan(&ch, &m.spend, &m.rec, &m.lo, &m.hi, &m.basis); err != nil {
			t.Fatal(err)
		}
		budget[ch] = m
		spendSum += m.spend
		recSum += m.rec
	}
	q.Close()
	if len(rows) != len(budget) || len(rows) == 0 {
		t.Errorf("budget: %d rows, table %d", len(rows), len(budget))
	}
	if math.Abs(spendSum-recSum) > 0.005*float64(len(budget)) {
		t.Errorf("budget: recommended total %v, spend %v", recSum, spendSum)
	}
	shownB := evaluate[[][]string](t, bctx, `[...document.querySelectorAll('[data-panel="budget"] tbody tr')].map(tr => { const e = tr.querySelector('[data-col="expected_revenue_change"]');
		return [tr.children[0].textContent, tr.className, tr.querySelector('[data-col="change_factor"]').dataset.value ?? "", e.dataset.low ?? "", e.dataset.high ?? "", tr.querySelector('[data-col="basis"]').dataset.value] })`)
	if len(shownB) != len(budget) {
		t.Errorf("budget shows %d rows, table %d", len(shownB), len(budget))
	}
	for _, b := range shownB {
		m := budget[b[0]]
		if (b[1] == "held") != (m.basis == "held") || b[5] != m.basis {
			t.Errorf("budget %s: class %q basis %q, table basis %q", b[0], b[1], b[5], m.basis)
		}
		if m.spend > 0 {
			if v, err := strconv.ParseFloat(b[2], 64); err != nil || !near(v, m.rec/m.spend) {
				t.Errorf("budget %s: recommended/spend %s, %v / %v", b[0], b[2], m.rec, m.spend)
			}
		}
		lo, err1 := strconv.ParseFloat(b[3], 64)
		hi, err2 := strconv.ParseFloat(b[4], 64)
		if err1 != nil || err2 != nil || !near(lo, m.lo) || !near(hi, m.hi) {
			t.Errorf("budget %s: interval %s to %s, table %v to %v", b[0], b[3], b[4], m.lo, m.hi)
		}
	}
}

// TestDashboardIncrementalityChromium: the incrementality section and the
// budget panel as a browser shows them, on the hand-made tables.
func TestDashboardIncrementalityChromium(t *testing.T) {
	t.Parallel()
	chrome := findChromium(t)
	ts, _ := incrementalityServer(t)
	bctx, pageErrs := openBrowser(t, chrome, "analyst:"+testPassword)
	navigate(t, bctx, ts.URL+"/")
	states := evaluate[map[string]string](t, bctx, panelStatesJS)
	for _, p := range []string{"mmm_fit", "contribution", "incrementality", "response_curves", "budget"} {
		if states[p] != "ready" {
			t.Errorf("panel %s: %q, want ready", p, states[p])
		}
	}

	// The fit line and its warnings, whole.
	facts := evaluate[map[string]string](t, bctx, `Object.fromEntries([...document.querySelectorAll('[data-panel="mmm_fit"] .fact')].map(f => [f.dataset.key, f.dataset.value ?? ""]))`)
	if facts["r_squared"] != "0.9" || facts["holdout_mape"] != "0.12" || facts["baseline_share"] != "0.6" || facts["experiments_used"] != "1" {
		t.Errorf("fit facts %v", facts)
	}
	if txt := panelText(t, bctx, "mmm_fit"); !strings.Contains(txt, "R²0.90") || !strings.Contains(txt, "holdout MAPE12.0%") || !strings.Contains(txt, "Warnings: w one; w two") {
		t.Errorf("fit line %q", txt)
	}

	// Contribution: baseline first, then channels by contribution; the first
	// week (5 days in the window) lighter.
	rows := evaluate[[][]string](t, bctx, `[...document.querySelectorAll('[data-panel="contribution"] tbody tr, [data-panel="contribution"] tfoot tr')].map(tr => [...tr.children].map(td => td.dataset.value ?? td.textContent))`)
	want := [][]string{{"(baseline)", "–", "55", "0.5945945945945946"}, {"Search", "550", "27.5", "0.2972972972972973"}, {"TV", "1000", "10", "0.10810810810810811"}, {"total", "1550", "92.5", "1"}}
	if fmt.Sprint(rows) != fmt.Sprint(want) {
		t.Errorf("contribution table\n got %v\nwant %v", rows, want)
	}
	weeks := evaluate[[][]string](t, bctx, `[...document.querySelectorAll('[data-panel="contribution"] svg g[data-week]')].map(g => [g.dataset.week, g.getAttribute("class"), String(g.querySelectorAll("rect").length)])`)
	if fmt.Sprint(weeks) != "[[2024-12-30 partial 3] [2025-01-06 partial 3]]" {
		t.Errorf("contribution weeks %v", weeks)
	}

	// Path vs incremental: the interval and the factor, the path model named.
	rows = evaluate[[][]string](t, bctx, `[...document.querySelectorAll('[data-panel="incrementality"] tbody tr')].map(tr => { const i = tr.querySelector('[data-col="incremental_conversions"]');
		return [tr.children[0].textContent, i.dataset.value ?? "", i.dataset.low ?? "", i.dataset.high ?? "", tr.querySelector('[data-col="incrementality_factor"]').textContent] })`)
	if fmt.Sprint(rows) != "[[TV 30 10 50 3.00] [Search 20 5 35 0.50] [Branch    –]]" {
		t.Errorf("path vs incremental %v", rows)
	}
	if label := evaluate[string](t, bctx, `document.querySelector('[data-panel="incrementality"] .model').textContent`); label != "path model: markov" {
		t.Errorf("path model label %q", label)
	}
	bars := evaluate[[][]string](t, bctx, `[...document.querySelectorAll('[data-panel="incrementality"] svg g[data-channel]')].map(g => [g.dataset.channel, ...[...g.querySelectorAll("rect")].map(r => r.dataset.value), g.querySelector(".factor").textContent])`)
	if fmt.Sprint(bars) != "[[TV 10 30 ×3.00] [Search 40 20 ×0.50] [Branch 5 –]]" {
		t.Errorf("path vs incremental bars %v", bars)
	}

	// Response curves: one per channel, by current spend, the current level marked.
	figs := evaluate[[][]string](t, bctx, `[...document.querySelectorAll('[data-panel="response_curves"] figure')].map(f => [f.dataset.channel, f.querySelector("circle.current").dataset.spend, f.querySelector("circle.current").dataset.revenue])`)
	if fmt.Sprint(figs) != "[[TV 100 300] [Search 50 90] [Radio 0 0]]" {
		t.Errorf("response curves %v", figs)
	}

	// Budget: the window, change factor as %, held rows set apart, totals.
	rows = evaluate[[][]string](t, bctx, `[...document.querySelectorAll('[data-panel="budget"] tbody tr')].map(tr => [tr.className, ...[...tr.children].slice(0, 7).map(td => td.textContent)])`)
	want = [][]string{
		{"", "TV", "1,000.00", "1,300.00", "+300.00", "130.0%", "+240.00+100.00 to +380.00", "mmm"},
		{"", "Search", "500.00", "250.00", "-250.00", "50.0%", "-40.00-90.00 to +10.00", "mmm + experiments"},
		{"", "Display", "100.00", "50.00", "-50.00", "50.0%", "-10.00-20.00 to 0.00", "mmm"},
		{"held", "Radio", "200.00", "200.00", "0.00", "100.0%", "0.000.00 to 0.00", "held"},
	}
	if fmt.Sprint(rows) != fmt.Sprint(want) {
		t.Errorf("budget\n got %v\nwant %v", rows, want)
	}
	foot := evaluate[[]string](t, bctx, `[...document.querySelectorAll('[data-panel="budget"] tfoot td, [data-panel="budget"] tfoot th')].map(td => td.textContent)`)
	if fmt.Sprint(foot) != "[total 1,800.00 1,800.00 0.00  +190.00  ]" {
		t.Errorf("budget totals %v", foot)
	}
	if txt := panelText(t, bctx, "budget"); !strings.Contains(txt, "budget window 2024-10-14 to 2025-01-10") {
		t.Errorf("budget window not stated: %q", txt)
	}

	// A failed fit: the panels say why.
	navigate(t, bctx, ts.URL+"/?type=loan_funded")
	states = evaluate[map[string]string](t, bctx, panelStatesJS)
	for _, p := range []string{"contribution", "incrementality", "response_curves"} {
		if txt := panelText(t, bctx, p); states[p] != "empty" || txt != "The media mix model for loan_funded is failed: mmm: not implemented." {
			t.Errorf("%s with a failed fit: %s %q", p, states[p], txt)
		}
	}
	if st := evaluate[string](t, bctx, `document.querySelector('[data-panel="mmm_fit"] .fitline').dataset.status`); st != "failed" {
		t.Errorf("failed fit shown as %q", st)
	}
	// A type without a fit.
	navigate(t, bctx, ts.URL+"/?type=card_activated")
	if txt := panelText(t, bctx, "mmm_fit"); !strings.HasPrefix(txt, "No media mix model for conversion type card_activated") {
		t.Errorf("type without a fit: %q", txt)
	}
	if errs := pageErrs.all(); len(errs) > 0 {
		t.Errorf("the page reported errors:\n%s", strings.Join(errs, "\n"))
	}
}

// checkFirstHour: the ROAS chart is sorted largest first, the trend panel
// draws its three charts, every panel with a model label shows it, and the
// reporting currency is on the page.
func checkFirstHour(t *testing.T, bctx context.Context, cfg *config.Config) {
	t.Helper()
	bars := evaluate[[]float64](t, bctx, `[...document.querySelectorAll('[data-panel="channels"] .chart rect')].map(r => Number(r.dataset.value))`)
	if len(bars) == 0 {
		t.Error("ROAS chart: no bars")
	}
	for i := 1; i < len(bars); i++ {
		if bars[i] > bars[i-1] {
			t.Errorf("ROAS chart not sorted: %v", bars)
			break
		}
	}
	if n := evaluate[int](t, bctx, `document.querySelectorAll('[data-panel="trend"] svg').length`); n != 3 {
		t.Errorf("trend panel: %d charts, want 3", n)
	}
	if n := evaluate[int](t, bctx, `document.querySelectorAll('[data-panel="trend"] svg path.line').length`); n == 0 {
		t.Error("trend panel: no lines")
	}
	checkNoStrayText(t, bctx)
	empty := evaluate[[]string](t, bctx, `[...document.querySelectorAll('.modellabel')].filter(e => !e.textContent.trim()).map(e => (e.closest('[data-panel]') || e.parentElement).dataset.panel || e.parentElement.id)`)
	if len(empty) > 0 {
		t.Errorf("panels without a model label: %v", empty)
	}
	if got := evaluate[string](t, bctx, `document.querySelector('#currency').textContent`); !strings.Contains(got, cfg.Currency) || cfg.Currency == "" {
		t.Errorf("currency shown %q, want %q", got, cfg.Currency)
	}
	if got := evaluate[string](t, bctx, `document.querySelector('[data-panel="channels"] th[data-col], [data-panel="channels"] thead th:nth-child(3)').textContent`); !strings.Contains(got, cfg.Currency) {
		t.Errorf("spend heading %q does not name the currency %s", got, cfg.Currency)
	}
	// Under markov the channel table says how its conversions differ from markov_removal_effects.
	if got := evaluate[string](t, bctx, `(document.querySelector('[data-panel="channels"] .markov-note') || {}).textContent || ""`); !strings.Contains(got, "markov_removal_effects") {
		t.Errorf("channels panel under markov: note %q does not explain markov_removal_effects", got)
	}
	// The cohort table fits its card: no sideways scroll.
	if over := evaluate[bool](t, bctx, `(() => { const b = document.querySelector('[data-panel="cohorts"] .body'); return b.scrollWidth > b.clientWidth + 1; })()`); over {
		t.Error("the cohort table scrolls sideways")
	}
}

// checkNoStrayText: no chart holds loose text (a null appended as "null").
func checkNoStrayText(t *testing.T, bctx context.Context) {
	t.Helper()
	for _, p := range []string{"trend", "contribution", "channels"} {
		if txt := evaluate[string](t, bctx, `[...document.querySelector('[data-panel="`+p+`"] .chart').childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join("")`); txt != "" {
			t.Errorf("panel %s: stray text %q in its chart", p, txt)
		}
	}
}
