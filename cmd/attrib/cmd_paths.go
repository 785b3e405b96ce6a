package main

import (
	"context"
	"database/sql"
	"database/sql/driver"
	_ "embed"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/duckdb/duckdb-go/v2"
	"github.com/spf13/cobra"

	"attrib/access"
	"attrib/transform/attribution"
)

// pathsReadSQL reads a path file as text (sql/paths_read.sql).
//
//go:embed sql/paths_read.sql
var pathsReadSQL string

// pathsModels are the data-driven models `attrib paths` fits.
var pathsModels = []string{"markov", "shapley", "fractribution"}

// pathsColumns are the result columns of `attrib paths`.
var pathsColumns = []string{"model", "channel", "removal_effect", "conversions", "value"}

func newPathsCmd() *cobra.Command {
	var format, models string
	var order int
	cmd := &cobra.Command{
		Use:   "paths FILE [--format table|csv|json|parquet] [--order K] [--models markov,shapley,fractribution]",
		Short: "Fit the data-driven models to an aggregated path file (ChannelAttribution's format) and print per-channel results",
		Long: "Reads a CSV file in R/Python ChannelAttribution's format - columns path (channels separated by \" > \"),\n" +
			"total_conversions, total_null and optional total_conversion_value - with DuckDB's CSV reader (in memory,\n" +
			"no attrib.yaml), fits the data-driven models and prints per model and channel the Markov removal effect\n" +
			"(empty for other models), the credited conversions and the credited value (empty without a value column).\n" +
			"Markov conversions are the global allocation RE(c)/sum(RE) x total conversions, as ChannelAttribution's\n" +
			"total_conversions. --format parquet writes Parquet to stdout.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch format {
			case "table", "csv", "json", "parquet":
			default:
				return fmt.Errorf("paths: unknown format %q (table, csv, json, parquet)", format)
			}
			if order < 1 || order > attribution.MaxMarkovOrder {
				return fmt.Errorf("paths: --order must be 1..%d, got %d", attribution.MaxMarkovOrder, order)
			}
			var ms []string
			for _, m := range strings.Split(models, ",") {
				m = strings.TrimSpace(m)
				if !slices.Contains(pathsModels, m) {
					return fmt.Errorf("paths: unknown model %q (%s)", m, strings.Join(pathsModels, ", "))
				}
				if !slices.Contains(ms, m) {
					ms = append(ms, m)
				}
			}
			return runPaths(cmd.Context(), cmd.OutOrStdout(), args[0], format, order, ms)
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table, csv, json or parquet")
	cmd.Flags().IntVar(&order, "order", 1, "Markov chain order (1..3)")
	cmd.Flags().StringVar(&models, "models", strings.Join(pathsModels, ","), "models to fit, comma-separated: markov, shapley, fractribution")
	return cmd
}

// pathFile is a path file read into the kernels' form.
type pathFile struct {
	channels []string // by id, sorted by name
	paths    []attribution.PathCount
	hasValue bool
}

// runPaths reads file, fits models and prints the result.
func runPaths(ctx context.Context, out io.Writer, file, format string, order int, models []string) error {
	pf, err := readPathFile(ctx, file)
	if err != nil {
		return err
	}
	res, err := fitPaths(pf, order, models)
	if err != nil {
		return fmt.Errorf("paths: %s: %w", file, err)
	}
	switch format {
	case "parquet":
		return writePathsParquet(out, res)
	case "table":
		return access.WriteTable(out, res, nil)
	default:
		return access.Write(out, res, format)
	}
}

// readPathFile reads an aggregated path file with DuckDB's CSV reader in an
// in-memory database. Every row must have a non-empty path of non-empty
// channel names and finite non-negative counts; anything else is an error
// naming the file, line and column (line = row number + 1 for the header,
// assuming no quoted line breaks).
func readPathFile(ctx context.Context, file string) (*pathFile, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, fmt.Errorf("paths: open duckdb: %w", err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("paths: open duckdb: %w", err)
	}
	defer conn.Close()
	var pc pathColumns
	var raw []rawPath
	seen := map[string]bool{}
	// Read as Arrow: the text cells come without a conversion per cell
	// (database/sql's Scan of 4 M cells was most of the time on 1 M paths).
	err = conn.Raw(func(dc any) error {
		ar, err := duckdb.NewArrowFromConn(dc.(driver.Conn))
		if err != nil {
			return fmt.Errorf("paths: read %s: %w", file, err)
		}
		rr, err := ar.QueryContext(ctx, pathsReadSQL, file)
		if err != nil {
			return fmt.Errorf("paths: read %s: %w", file, err)
		}
		defer rr.Release()
		fields := rr.Schema().Fields()
		cols := make([]string, len(fields))
		for i, f := range fields {
			cols[i] = f.Name
		}
		if pc, err = findPathColumns(file, cols); err != nil {
			return err
		}
		cells := make([]sql.NullString, len(cols))
		line := 2
		for rr.Next() {
			rec := rr.RecordBatch()
			text := make([]textColumn, len(cols))
			for j := range text {
				c, ok := rec.Column(j).(textColumn)
				if !ok {
					return fmt.Errorf("paths: read %s: column %s is %s, not text", file, cols[j], rec.Column(j).DataType())
				}
				text[j] = c
			}
			for i := 0; i < int(rec.NumRows()); i, line = i+1, line+1 {
				for j, c := range text {
					// The path's channel names outlive the batch: copied.
					cells[j] = sql.NullString{String: strings.Clone(c.Value(i)), Valid: !c.IsNull(i)}
				}
				r, err := pc.parse(file, line, cells, seen)
				if err != nil {
					return err
				}
				raw = append(raw, r)
			}
		}
		if err := rr.Err(); err != nil {
			return fmt.Errorf("paths: read %s: %w", file, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(raw) == 0 {
		return nil, fmt.Errorf("paths: %s: no paths", file)
	}
	return newPathFile(raw, seen, pc.hasValue), nil
}

// textColumn is an Arrow string column (utf8, large utf8 or string view).
type textColumn interface {
	IsNull(i int) bool
	Value(i int) string
}

// pathColumns are the positions of a path file's columns.
type pathColumns struct {
	path, conv, nulls, value int
	hasValue                 bool
}

// findPathColumns finds the columns of a path file by name (trimmed,
// case-insensitive); path, total_conversions and total_null are required.
func findPathColumns(file string, cols []string) (pathColumns, error) {
	idx := map[string]int{}
	for i, c := range cols {
		idx[strings.ToLower(strings.TrimSpace(c))] = i
	}
	need := []string{"path", "total_conversions", "total_null"}
	for _, c := range need {
		if _, ok := idx[c]; !ok {
			return pathColumns{}, fmt.Errorf("paths: %s: line 1: missing column %q (have %s; need path, total_conversions, total_null and optional total_conversion_value)", file, c, strings.Join(cols, ", "))
		}
	}
	vi, hasValue := idx["total_conversion_value"]
	return pathColumns{path: idx["path"], conv: idx["total_conversions"], nulls: idx["total_null"], value: vi, hasValue: hasValue}, nil
}

// rawPath is one row of a path file: its channel names and counts.
type rawPath struct {
	names              []string
	conv, nulls, value float64
}

// parse checks and reads the row cells of line, adding its channel names
// to seen.
func (pc pathColumns) parse(file string, line int, cells []sql.NullString, seen map[string]bool) (rawPath, error) {
	var r rawPath
	p := cells[pc.path]
	if !p.Valid || strings.TrimSpace(p.String) == "" {
		return r, fmt.Errorf("paths: %s: line %d: path is empty", file, line)
	}
	for _, s := range strings.Split(p.String, ">") {
		s = strings.TrimSpace(s)
		if s == "" {
			return r, fmt.Errorf("paths: %s: line %d: path %q has an empty channel", file, line, p.String)
		}
		r.names = append(r.names, s)
		seen[s] = true
	}
	var err error
	if r.conv, err = pathNumber(file, line, "total_conversions", cells[pc.conv]); err != nil {
		return r, err
	}
	if r.nulls, err = pathNumber(file, line, "total_null", cells[pc.nulls]); err != nil {
		return r, err
	}
	if pc.hasValue {
		if r.value, err = pathNumber(file, line, "total_conversion_value", cells[pc.value]); err != nil {
			return r, err
		}
		if r.value > 0 && r.conv == 0 {
			return r, fmt.Errorf("paths: %s: line %d: total_conversion_value %q on a path without conversions", file, line, cells[pc.value].String)
		}
	}
	return r, nil
}

// pathNumber reads cell c of column col on line as a finite non-negative
// number.
func pathNumber(file string, line int, col string, c sql.NullString) (float64, error) {
	if !c.Valid || strings.TrimSpace(c.String) == "" {
		return 0, fmt.Errorf("paths: %s: line %d: %s is empty", file, line, col)
	}
	x, err := strconv.ParseFloat(strings.TrimSpace(c.String), 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
		return 0, fmt.Errorf("paths: %s: line %d: %s %q is not a finite non-negative number", file, line, col, c.String)
	}
	return x, nil
}

// newPathFile numbers the channels seen by name and turns the raw paths
// into the kernels' form.
func newPathFile(raw []rawPath, seen map[string]bool, hasValue bool) *pathFile {
	pf := &pathFile{hasValue: hasValue}
	for s := range seen {
		pf.channels = append(pf.channels, s)
	}
	slices.Sort(pf.channels)
	id := make(map[string]int32, len(pf.channels))
	for i, s := range pf.channels {
		id[s] = int32(i)
	}
	pf.paths = make([]attribution.PathCount, len(raw))
	for i, r := range raw {
		steps := make([]int32, len(r.names))
		for j, s := range r.names {
			steps[j] = id[s]
		}
		pf.paths[i] = attribution.PathCount{Steps: steps, Conversions: r.conv, Nulls: r.nulls, Value: r.value}
	}
	return pf
}

// fitPaths fits each model and returns one row per model and channel, in
// model order then channel name order.
func fitPaths(pf *pathFile, order int, models []string) (*access.Result, error) {
	res := &access.Result{Columns: pathsColumns, Types: []string{"VARCHAR", "VARCHAR", "DOUBLE", "DOUBLE", "DOUBLE"}}
	n := len(pf.channels)
	value := func(v float64) any {
		if !pf.hasValue {
			return nil
		}
		return v
	}
	for _, m := range models {
		var re, conv, val []float64
		switch m {
		case "markov":
			r, err := attribution.Markov(pf.paths, n, order)
			if err != nil {
				return nil, fmt.Errorf("markov: %w", err)
			}
			re, conv, val = r.RemovalEffect, r.Conversions, r.Value
		case "shapley", "fractribution":
			var c attribution.Crediter
			var err error
			if m == "shapley" {
				c, err = attribution.FitShapley(pf.paths, n)
			} else {
				c, err = attribution.FitFractribution(pf.paths, n)
			}
			if err != nil {
				return nil, fmt.Errorf("%s: %w", m, err)
			}
			if conv, val, err = attribution.ChannelTotals(c, pf.paths, n); err != nil {
				return nil, fmt.Errorf("%s: %w", m, err)
			}
		}
		for i, ch := range pf.channels {
			var r any
			if re != nil {
				r = re[i]
			}
			res.Rows = append(res.Rows, []any{m, ch, r, conv[i], value(val[i])})
		}
	}
	return res, nil
}

// writePathsParquet writes the result as one Parquet file.
func writePathsParquet(out io.Writer, res *access.Result) error {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "model", Type: arrow.BinaryTypes.String},
		{Name: "channel", Type: arrow.BinaryTypes.String},
		{Name: "removal_effect", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "conversions", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "value", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for _, row := range res.Rows {
		b.Field(0).(*array.StringBuilder).Append(row[0].(string))
		b.Field(1).(*array.StringBuilder).Append(row[1].(string))
		for j := 2; j < 5; j++ {
			fb := b.Field(j).(*array.Float64Builder)
			if v, ok := row[j].(float64); ok {
				fb.Append(v)
			} else {
				fb.AppendNull()
			}
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	rr, err := array.NewRecordReader(schema, []arrow.RecordBatch{rec})
	if err != nil {
		return fmt.Errorf("paths: parquet: %w", err)
	}
	defer rr.Release()
	if err := writeParquet(out, rr, 0); err != nil {
		return fmt.Errorf("paths: %w", err)
	}
	return nil
}
