package queries

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/big"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// Text renders one value for people: NULL as empty, times in RFC 3339,
// decimals exactly, floats with up to 6 significant decimals.
func Text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	case time.Time:
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 && x.Location() == time.UTC {
			return x.Format("2006-01-02")
		}
		return x.Format(time.RFC3339)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32)
	case duckdb.Decimal:
		return decimalString(x)
	case *big.Int:
		return x.String()
	case []any, map[string]any:
		b, err := json.Marshal(jsonValue(x))
		if err != nil {
			return fmt.Sprint(x)
		}
		return string(b)
	case duckdb.Interval:
		return fmt.Sprintf("%d months %d days %s", x.Months, x.Days, time.Duration(x.Micros)*time.Microsecond)
	default:
		return fmt.Sprint(x)
	}
}

func decimalString(d duckdb.Decimal) string {
	s := d.Value.String()
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	scale := int(d.Scale)
	if scale > 0 {
		for len(s) <= scale {
			s = "0" + s
		}
		s = s[:len(s)-scale] + "." + s[len(s)-scale:]
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if neg && s != "0" {
		s = "-" + s
	}
	return s
}

// JSONValue is a value for encoding/json: numbers stay numbers (decimals
// exactly), lists and structs stay JSON arrays and objects, NaN and
// infinities and everything else become text.
func JSONValue(v any) any { return jsonValue(v) }

func jsonValue(v any) any {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return Text(x)
		}
		return x
	case float32:
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return Text(x)
		}
		return x
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonValue(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = jsonValue(e)
		}
		return out
	case nil, bool, int8, int16, int32, int64, int, uint8, uint16, uint32, uint64:
		return x
	case duckdb.Decimal:
		return json.Number(decimalString(x))
	case *big.Int:
		return json.Number(x.String())
	default:
		return Text(x)
	}
}

// Write prints a result as table, csv or json.
func Write(w io.Writer, r *Result, format string) error {
	switch format {
	case "", "table":
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(r.Columns, "\t"))
		for _, row := range r.Rows {
			cells := make([]string, len(row))
			for i, v := range row {
				cells[i] = Text(v)
				if f, ok := v.(float64); ok {
					cells[i] = strconv.FormatFloat(f, 'f', 4, 64)
				}
			}
			fmt.Fprintln(tw, strings.Join(cells, "\t"))
		}
		return tw.Flush()
	case "csv":
		cw := csv.NewWriter(w)
		if err := cw.Write(r.Columns); err != nil {
			return err
		}
		for _, row := range r.Rows {
			cells := make([]string, len(row))
			for i, v := range row {
				cells[i] = Text(v)
			}
			if err := cw.Write(cells); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	case "json":
		// One object per row, keys in column order.
		bw := bufio.NewWriter(w)
		bw.WriteString("[")
		for ri, row := range r.Rows {
			if ri > 0 {
				bw.WriteString(",")
			}
			bw.WriteString("\n  {")
			for i, v := range row {
				if i > 0 {
					bw.WriteString(", ")
				}
				k, _ := json.Marshal(r.Columns[i])
				val, err := json.Marshal(jsonValue(v))
				if err != nil {
					return err
				}
				bw.Write(k)
				bw.WriteString(": ")
				bw.Write(val)
			}
			bw.WriteString("}")
		}
		bw.WriteString("\n]\n")
		return bw.Flush()
	}
	return fmt.Errorf("queries: unknown format %q (table, csv, json)", format)
}
