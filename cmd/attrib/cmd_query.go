package main

import (
	"bytes"
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/duckdb/duckdb-go/v2"
	"github.com/spf13/cobra"

	"attrib/access"
	"attrib/config"
)

func newQueryCmd(g *globalFlags) *cobra.Command {
	var format, via string
	var maxRows int
	cmd := &cobra.Command{
		Use:   `query [--format table|csv|json|parquet] "SQL"`,
		Short: "Run one read-only SQL statement and print the result (through a running `attrib serve` when there is one)",
		Long: "Runs one read-only SQL statement. When `attrib serve` is running for this config (serve.http answers),\n" +
			"the statement goes to it, so it never meets the warehouse file lock; otherwise the warehouse is opened read-only.\n" +
			"Through serve, the answer comes from the last finished run; the token or password of the first user in\n" +
			"serve.users is used (or $ATTRIB_TOKEN). --format parquet writes Parquet to stdout.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			q := args[0]
			if err := access.CheckReadOnly(q); err != nil {
				return err
			}
			switch format {
			case "table", "csv", "json", "parquet":
			default:
				return fmt.Errorf("query: unknown format %q (table, csv, json, parquet)", format)
			}
			cfg, err := loadConfig(g)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if via != "local" && cfg.Serve.HTTP != "" && serveRunning(ctx, cfg.Serve.HTTP) {
				err := queryServe(ctx, cfg, q, format, maxRows, out)
				if !errors.Is(err, errNotAttribServe) || via == "serve" {
					return err
				}
			} else if via == "serve" {
				return fmt.Errorf("query: no attrib serve answers on %s (serve.http)", cfg.Serve.HTTP)
			}
			return queryLocal(ctx, cfg, q, format, maxRows, out)
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table, csv, json or parquet")
	cmd.Flags().IntVar(&maxRows, "max-rows", 0, "stop after this many rows (0 = all)")
	cmd.Flags().StringVar(&via, "via", "auto", "auto (serve when running, else the file), serve or local")
	return cmd
}

// serveRunning reports whether something listens on the serve HTTP address.
func serveRunning(ctx context.Context, addr string) bool {
	d := net.Dialer{Timeout: 500 * time.Millisecond}
	c, err := d.DialContext(ctx, "tcp", dialAddr(addr))
	if err != nil {
		return false
	}
	_ = c.Close()
	return true
}

// dialAddr turns a listen address (":8080", "0.0.0.0:8080") into one to dial.
func dialAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

var errNotAttribServe = errors.New("not an attrib serve")

// queryServe sends the statement to a running serve's HTTP API.
func queryServe(ctx context.Context, cfg *config.Config, q, format string, maxRows int, out io.Writer) error {
	req, err := serveRequest(ctx, cfg, q, nil)
	if err != nil {
		return fmt.Errorf("query: %w", err)
	}
	accept := "application/json"
	if format == "csv" && maxRows == 0 {
		accept = "text/csv"
	}
	if format == "parquet" {
		accept = "application/vnd.apache.arrow.stream"
	}
	req.Header.Set("Accept", accept)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("query: via serve: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return errNotAttribServe
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
		if json.Unmarshal(b, &e) == nil && e.Error != "" {
			return fmt.Errorf("query (via attrib serve): %s", e.Error)
		}
		return fmt.Errorf("query (via attrib serve): %s: %s", resp.Status, strings.TrimSpace(string(b)))
	}
	switch format {
	case "parquet":
		rd, err := ipc.NewReader(resp.Body)
		if err != nil {
			return fmt.Errorf("query: arrow stream: %w", err)
		}
		defer rd.Release()
		return writeParquet(out, rd, maxRows)
	case "csv":
		if maxRows == 0 {
			_, err := io.Copy(out, resp.Body)
			return err
		}
	}
	var res struct {
		Columns []struct{ Name, Type string }
		Rows    [][]json.RawMessage
	}
	dec := json.NewDecoder(resp.Body)
	dec.UseNumber()
	if err := dec.Decode(&res); err != nil {
		return fmt.Errorf("query: via serve: %w", err)
	}
	r := &access.Result{}
	for _, c := range res.Columns {
		r.Columns = append(r.Columns, c.Name)
		r.Types = append(r.Types, c.Type)
	}
	for i, row := range res.Rows {
		if maxRows > 0 && i >= maxRows {
			break
		}
		vals := make([]any, len(row))
		for j, raw := range row {
			vals[j] = jsonCell(raw)
		}
		r.Rows = append(r.Rows, vals)
	}
	return writeResult(out, r, format, cfg)
}

// serveRequest is a POST of one statement (values bound as params) to a
// running serve's /api/query, with the credentials of $ATTRIB_TOKEN or the
// first user in serve.users.
func serveRequest(ctx context.Context, cfg *config.Config, q string, params []any) (*http.Request, error) {
	body, err := json.Marshal(map[string]any{"sql": q, "params": params})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+dialAddr(cfg.Serve.HTTP)+"/api/query", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if tok := os.Getenv("ATTRIB_TOKEN"); tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	} else if len(cfg.Serve.Users) > 0 {
		u := cfg.Serve.Users[0]
		if u.Token != "" {
			req.Header.Set("Authorization", "Bearer "+u.Token)
		} else {
			req.SetBasicAuth(u.Name, u.Password)
		}
	}
	return req, nil
}

// jsonCell turns a JSON cell back into a value access.Write prints as the
// local path would: numbers keep their digits, nested values stay JSON.
func jsonCell(raw json.RawMessage) any {
	s := strings.TrimSpace(string(raw))
	switch {
	case s == "null":
		return nil
	case strings.HasPrefix(s, `"`):
		var v string
		_ = json.Unmarshal(raw, &v)
		return v
	case s == "true" || s == "false":
		return s == "true"
	default:
		return s // number, array or object as written
	}
}

// queryLocal opens the warehouse read-only in this process.
func queryLocal(ctx context.Context, cfg *config.Config, q, format string, maxRows int, out io.Writer) error {
	w, err := openWarehouse(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer w.Close()
	if format == "parquet" {
		c, err := w.DB().Conn(ctx)
		if err != nil {
			return fmt.Errorf("query: %w", err)
		}
		defer c.Close()
		return c.Raw(func(dc any) error {
			ar, err := duckdb.NewArrowFromConn(dc.(driver.Conn))
			if err != nil {
				return fmt.Errorf("query: %w", err)
			}
			rr, err := ar.QueryContext(ctx, q)
			if err != nil {
				return beforeFirstRun(ctx, w.DB(), fmt.Errorf("query: %w", err))
			}
			defer rr.Release()
			return writeParquet(out, rr, maxRows)
		})
	}
	res, err := access.Query(ctx, w.DB(), q, maxRows)
	if err != nil {
		return beforeFirstRun(ctx, w.DB(), err)
	}
	return writeResult(out, res, format, cfg)
}

// writeParquet writes record batches as one Parquet file (zstd).
func writeParquet(out io.Writer, rr array.RecordReader, maxRows int) error {
	props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Zstd))
	fw, err := pqarrow.NewFileWriter(rr.Schema(), out, props, pqarrow.DefaultWriterProps())
	if err != nil {
		return fmt.Errorf("query: parquet: %w", err)
	}
	left := int64(maxRows)
	for rr.Next() {
		rec := rr.RecordBatch()
		if maxRows > 0 {
			if left <= 0 {
				break
			}
			if rec.NumRows() > left {
				s := rec.NewSlice(0, left)
				err := fw.Write(s)
				s.Release()
				if err != nil {
					return fmt.Errorf("query: parquet: %w", err)
				}
				left = 0
				continue
			}
			left -= rec.NumRows()
		}
		if err := fw.Write(rec); err != nil {
			return fmt.Errorf("query: parquet: %w", err)
		}
	}
	if err := rr.Err(); err != nil {
		return fmt.Errorf("query: %w", err)
	}
	if err := fw.Close(); err != nil {
		return fmt.Errorf("query: parquet: %w", err)
	}
	return nil
}

// writeResult prints a result; a table shows times in the configured zone.
func writeResult(out io.Writer, r *access.Result, format string, cfg *config.Config) error {
	if format == "table" {
		loc, err := time.LoadLocation(cfg.Timezone)
		if err != nil {
			return fmt.Errorf("query: time zone %q: %w", cfg.Timezone, err)
		}
		return access.WriteTable(out, r, loc)
	}
	return access.Write(out, r, format)
}
