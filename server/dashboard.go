package server

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"attrib/warehouse"
)

//go:embed assets
var assetFS embed.FS

//go:embed sql/*.sql
var sqlFS embed.FS

// sqlFiles records the embedded files read at start-up (a test checks
// that every embedded file is among them).
var sqlFiles = warehouse.NewSQLFiles(sqlFS)

// mustSQL reads sql/<name>.sql; called only while the package initialises.
func mustSQL(name string) string { return sqlFiles.Must(name + ".sql") }

// The server's own statements, read once (a missing file panics at start).
var (
	sqlRunMarker   = mustSQL("run_marker")
	sqlTables      = mustSQL("tables")
	sqlTableExists = mustSQL("table_exists")
	sqlPGSession   = mustSQL("pg_session")
)

// panel is one dashboard query: the table it reads, its arguments and its
// statement (sql/dash_<name>.sql, filled in by init).
type panel struct {
	table string
	args  []string // from, to, channel, model, type; currency and timezone come from the config
	sql   string
}

// panels are the dashboard's queries.
var panels = map[string]panel{
	"kpis":             {table: "channel_performance", args: []string{"from", "to", "channel", "model", "type"}},
	"channels":         {table: "channel_performance", args: []string{"from", "to", "channel", "model", "type"}},
	"roas_matrix":      {table: "channel_performance", args: []string{"from", "to", "channel", "type"}},
	"trend":            {table: "channel_performance", args: []string{"from", "to", "channel", "model", "type"}},
	"model_comparison": {table: "model_comparison", args: []string{"channel", "type"}},
	"funnel":           {table: "funnel", args: []string{"from", "to", "channel"}},
	"cohorts":          {table: "cohort_retention", args: []string{"from", "to", "channel"}},
	"churn":            {table: "lifecycle", args: []string{"channel"}},
	"mmm_fit":          {table: "mmm_fit", args: []string{"type"}},
	"contribution":     {table: "incrementality_timeseries", args: []string{"from", "to", "channel", "type"}},
	"response_curves":  {table: "response_curves", args: []string{"channel", "type"}},
	"incrementality":   {table: "channel_incrementality", args: []string{"channel", "type"}},
	"budget":           {table: "budget_recommendations"},
	"runs":             {table: "pipeline_runs"},
	"filters":          {table: "channel_performance", args: []string{"currency", "timezone", "acquisition_model"}},
}

func init() {
	for name, p := range panels {
		p.sql = mustSQL("dash_" + name)
		panels[name] = p
	}
}

// PanelResult is a dashboard panel's data; Missing says the table it
// reads does not exist yet (an empty state, not an error).
type PanelResult struct {
	Result
	Missing bool   `json:"missing,omitempty"`
	Table   string `json:"table"`
}

// panelArgs reads the filter values of a panel request.
func (s *Server) panelArgs(r *http.Request, names []string) ([]any, error) {
	q := r.URL.Query()
	var args []any
	for _, n := range names {
		v := strings.TrimSpace(q.Get(n))
		switch n {
		case "from", "to":
			if v == "" {
				args = append(args, nil)
				continue
			}
			if _, err := time.Parse("2006-01-02", v); err != nil {
				return nil, fmt.Errorf("server: %s=%q: use YYYY-MM-DD: %w", n, v, errBadRequest)
			}
			args = append(args, v)
		case "channel":
			if v == "" || v == "(all)" {
				args = append(args, nil)
			} else {
				args = append(args, v)
			}
		case "model":
			if v == "" {
				v = s.cfg.Evaluation.AcquisitionModel
			}
			if v == "" {
				v = "markov"
			}
			args = append(args, v)
		case "type":
			if v == "" {
				v = "(all)"
			}
			args = append(args, v)
		case "currency": // the config's, never the request's
			args = append(args, s.cfg.Currency)
		case "timezone":
			args = append(args, s.cfg.Timezone)
		case "acquisition_model":
			args = append(args, s.cfg.Evaluation.AcquisitionModel)
		}
	}
	return args, nil
}

// Panel runs one dashboard query on the current snapshot.
func (s *Server) panel(ctx context.Context, name string, args []any) (*PanelResult, error) {
	p, ok := panels[name]
	if !ok {
		return nil, fmt.Errorf("server: no dashboard panel %q: %w", name, errNoTable)
	}
	out := &PanelResult{Table: p.table, Result: Result{Columns: []Column{}, Rows: [][]any{}}}
	err := s.withConn(ctx, func(c *sql.Conn) error {
		exists, err := tableExists(ctx, c, p.table)
		if err != nil {
			return fmt.Errorf("server: panel %s: %w", name, err)
		}
		if !exists {
			out.Missing = true
			return nil
		}
		rows, err := c.QueryContext(ctx, p.sql, args...)
		if err != nil {
			return fmt.Errorf("server: panel %s: %w", name, err)
		}
		defer rows.Close()
		res, truncated, err := s.readRows(rows)
		if err != nil {
			return fmt.Errorf("server: panel %s: %w", name, err)
		}
		out.Result = jsonResult(res, truncated)
		return nil
	})
	return out, err
}

func (s *Server) handlePanel(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("panel")
	p, ok := panels[name]
	if !ok {
		httpError(w, http.StatusNotFound, fmt.Errorf("no dashboard panel %q", name))
		return
	}
	args, err := s.panelArgs(r, p.args)
	if err != nil {
		httpError(w, statusOf(err), err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.timeout)
	defer cancel()
	if format(r) != mimeJSON {
		// CSV (or Arrow) download of the panel's table.
		var exists bool
		err := s.withConn(ctx, func(c *sql.Conn) (err error) {
			exists, err = tableExists(ctx, c, p.table)
			return err
		})
		if err == nil && !exists {
			err = fmt.Errorf("server: table %s does not exist yet: %w", p.table, errNoTable)
		}
		if err != nil {
			httpError(w, statusOf(err), err)
			return
		}
		s.runAndWrite(w, r, p.sql, args, name)
		return
	}
	res, err := s.panel(ctx, name, args)
	if err != nil {
		httpError(w, statusOf(err), err)
		return
	}
	writeJSON(w, res)
}

// tableExists reports whether the snapshot behind c has the table.
func tableExists(ctx context.Context, c *sql.Conn, table string) (bool, error) {
	var n int
	err := c.QueryRowContext(ctx, sqlTableExists, table).Scan(&n)
	return n > 0, err
}

func (s *Server) handleIndex(w http.ResponseWriter, r *http.Request) {
	b, err := assetFS.ReadFile("assets/index.html")
	if err != nil {
		httpError(w, http.StatusInternalServerError, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'")
	_, _ = w.Write(b)
}

func (s *Server) handleAsset(w http.ResponseWriter, r *http.Request) {
	sub, _ := fs.Sub(assetFS, "assets")
	name := strings.TrimPrefix(path.Clean(r.URL.Path), "/assets/")
	b, err := fs.ReadFile(sub, name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	switch path.Ext(name) {
	case ".js":
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	case ".css":
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	case ".svg":
		w.Header().Set("Content-Type", "image/svg+xml")
	}
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(b)
}
