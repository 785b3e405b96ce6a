package main

import (
	"context"
	"database/sql"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"attrib/access"
	"attrib/config"
	"attrib/jobs"
)

//go:embed sql/runs_via_serve.sql
var sqlRunsViaServe string

func newRunsCmd(g *globalFlags) *cobra.Command {
	var limit int
	var steps bool
	cmd := &cobra.Command{
		Use:   "runs",
		Short: "Recent runs with status, duration and row counts (through a running `attrib serve` when there is one)",
		Long: "Recent runs, newest first, times in the configured time zone. When `attrib serve` is running for this\n" +
			"config, the runs are read through it (as `attrib query` does), so it never meets the warehouse file lock;\n" +
			"a run still in progress then shows once it has finished.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			cfg, err := loadConfig(g)
			if err != nil {
				return err
			}
			loc, err := time.LoadLocation(cfg.Timezone)
			if err != nil {
				return fmt.Errorf("runs: time zone %q: %w", cfg.Timezone, err)
			}
			runs, err := recentRuns(ctx, cfg, limit)
			if err != nil {
				return err
			}
			return writeRuns(cmd.OutOrStdout(), runs, steps, loc)
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 20, "how many runs to show")
	cmd.Flags().BoolVar(&steps, "steps", false, "show per-step durations and row counts (step=seconds/rows)")
	return cmd
}

// recentRuns reads the newest runs through a running serve, else from the
// warehouse opened read-only.
func recentRuns(ctx context.Context, cfg *config.Config, limit int) ([]jobs.Run, error) {
	if cfg.Serve.HTTP != "" && serveRunning(ctx, cfg.Serve.HTTP) {
		runs, err := runsViaServe(ctx, cfg, limit)
		if !errors.Is(err, errNotAttribServe) {
			return runs, err
		}
	}
	w, err := openWarehouse(ctx, cfg, true)
	if err != nil {
		return nil, err
	}
	defer w.Close()
	return jobs.Recent(ctx, w.DB(), limit)
}

// runsViaServe asks a running serve's HTTP API for the newest runs.
func runsViaServe(ctx context.Context, cfg *config.Config, limit int) ([]jobs.Run, error) {
	req, err := serveRequest(ctx, cfg, sqlRunsViaServe, []any{limit})
	if err != nil {
		return nil, fmt.Errorf("runs: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("runs: via serve: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return nil, errNotAttribServe
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(b, &e) == nil && e.Error != "" {
			return nil, fmt.Errorf("runs (via attrib serve): %s", e.Error)
		}
		return nil, fmt.Errorf("runs (via attrib serve): %s: %s", resp.Status, strings.TrimSpace(string(b)))
	}
	var res struct {
		Rows [][]any
	}
	dec := json.NewDecoder(resp.Body)
	dec.UseNumber()
	if err := dec.Decode(&res); err != nil {
		return nil, fmt.Errorf("runs: via serve: %w", err)
	}
	runs := make([]jobs.Run, 0, len(res.Rows))
	for _, row := range res.Rows {
		if len(row) != 13 {
			return nil, fmt.Errorf("runs: via serve: %d columns, want 13", len(row))
		}
		str := func(i int) string { s, _ := row[i].(string); return s }
		num := func(i int) (int64, bool) {
			n, ok := row[i].(json.Number)
			if !ok {
				return 0, false
			}
			v, err := strconv.ParseInt(n.String(), 10, 64)
			return v, err == nil
		}
		r := jobs.Run{RunID: str(0), Job: str(1), Trigger: str(2), Status: str(5), Error: str(8), RangeFrom: str(10), RangeTo: str(11)}
		if us, ok := num(3); ok {
			r.StartedAt = time.UnixMicro(us)
		}
		if us, ok := num(4); ok {
			r.FinishedAt = sql.NullTime{Time: time.UnixMicro(us), Valid: true}
		}
		if n, ok := num(6); ok {
			r.RowsIn = sql.NullInt64{Int64: n, Valid: true}
		}
		if n, ok := num(7); ok {
			r.RowsOut = sql.NullInt64{Int64: n, Valid: true}
		}
		if n, ok := num(9); ok {
			r.Attempt = int(n)
		}
		if s := str(12); s != "" && s != "null" {
			if err := json.Unmarshal([]byte(s), &r.Steps); err != nil {
				return nil, fmt.Errorf("runs: via serve: steps of %s: %w", r.RunID, err)
			}
		}
		runs = append(runs, r)
	}
	return runs, nil
}

// writeRuns prints the runs as a table, times in loc.
func writeRuns(out io.Writer, runs []jobs.Run, steps bool, loc *time.Location) error {
	res := &access.Result{Columns: []string{"run_id", "job", "trigger", "attempt", "started_at", "duration", "status", "rows_in", "rows_out", "range"}}
	if steps {
		res.Columns = append(res.Columns, "steps")
	}
	res.Columns = append(res.Columns, "error")
	for _, r := range runs {
		dur := ""
		if r.FinishedAt.Valid {
			dur = r.FinishedAt.Time.Sub(r.StartedAt).Round(100 * time.Millisecond).String()
		}
		rng := ""
		if r.RangeFrom != "" {
			rng = r.RangeFrom + ".." + r.RangeTo
		}
		row := []any{r.RunID, r.Job, r.Trigger, int64(r.Attempt), r.StartedAt.In(loc).Format("2006-01-02 15:04:05 MST"), dur, r.Status, nullInt(r.RowsIn), nullInt(r.RowsOut), rng}
		if steps {
			var parts []string
			for _, s := range r.Steps {
				part := fmt.Sprintf("%s=%.1fs/%d", s.Step, s.Seconds, s.Rows)
				if s.Note != "" {
					part += "[" + s.Note + "]"
				}
				parts = append(parts, part)
			}
			row = append(row, strings.Join(parts, " "))
		}
		row = append(row, r.Error)
		res.Rows = append(res.Rows, row)
	}
	return access.Write(out, res, "table")
}

func nullInt(n sql.NullInt64) any {
	if !n.Valid {
		return nil
	}
	return n.Int64
}
