package server

import (
	"context"
	"database/sql"
	"encoding/base64"
	"math"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"attrib/config"
	"attrib/demo"
	"attrib/jobs"
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

// demoWarehouse generates a small demo, runs the whole pipeline on it and
// returns its config and open warehouse.
func demoWarehouse(t testing.TB, people int) (*config.Config, *warehouse.Warehouse) {
	t.Helper()
	ctx := context.Background()
	sum, err := demo.Generate(ctx, demo.Options{Dir: t.TempDir(), People: people, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(sum.Config)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Serve.Users = []config.User{{Name: "marketer", Password: "m-pass", Token: "tok-m"}}
	w, err := warehouse.Open(ctx, warehouse.Options{Path: cfg.WarehousePath(), TimeZone: cfg.Timezone})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	r, err := jobs.NewRunner(ctx, w, cfg)
	if err != nil {
		t.Fatal(err)
	}
	job, err := cfg.Job("")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Run(ctx, job, jobs.TriggerManual); err != nil {
		t.Fatalf("pipeline run: %v", err)
	}
	return cfg, w
}

func near(a, b float64) bool {
	return math.Abs(a-b) <= 1e-6*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// TestDashboardChromium loads the dashboard in headless Chromium against a
// demo warehouse, checks the numbers it shows against SQL, applies a
// filter, and saves screenshots for docs/dashboard.md.
func TestDashboardChromium(t *testing.T) {
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

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome), chromedp.NoSandbox, chromedp.Headless, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("no-first-run", true), chromedp.WindowSize(1400, 1000))
	actx, cancelA := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelA()
	bctx, cancelB := chromedp.NewContext(actx)
	defer cancelB()
	bctx, cancelT := context.WithTimeout(bctx, 3*time.Minute)
	defer cancelT()

	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte("marketer:m-pass"))
	if _, err := chromedp.Call(bctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	if _, err := chromedp.Call(bctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Authorization": auth}}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(bctx, chromedp.Navigate(ts.URL+"/?model=markov"), chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"]`))); err != nil {
		t.Fatalf("load dashboard: %v", err)
	}
	const kpiJS = `Object.fromEntries([...document.querySelectorAll(".kpi")].map(k => [k.dataset.kpi, k.dataset.value ?? ""]))`
	kpis, err := chromedp.Run(bctx, chromedp.Evaluate[map[string]string](kpiJS))
	if err != nil {
		t.Fatal(err)
	}
	states, err := chromedp.Run(bctx, chromedp.Evaluate[map[string]string](`Object.fromEntries([...document.querySelectorAll("[data-panel]")].map(s => [s.dataset.panel, s.dataset.state]))`))
	if err != nil {
		t.Fatal(err)
	}
	channelRows, err := chromedp.Run(bctx, chromedp.Evaluate[[][]string](`[...document.querySelectorAll('[data-panel="channels"] tbody tr')].map(tr => [tr.children[0].textContent, tr.querySelector('[data-col="roas"]').dataset.value ?? "", tr.querySelector('[data-col="revenue"]').textContent])`))
	if err != nil {
		t.Fatal(err)
	}
	for panel, state := range states {
		if state != "ready" && state != "empty" {
			t.Errorf("panel %s is %q", panel, state)
		}
	}
	for _, p := range []string{"kpis", "channels", "roas_matrix", "runs"} {
		if states[p] != "ready" {
			t.Errorf("panel %s: %q, want ready", p, states[p])
		}
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

	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
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
	shot("dashboard.png")

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
	shot("dashboard-filtered.png")
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
