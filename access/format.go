package access

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
	"time"
	"unicode/utf8"

	"github.com/duckdb/duckdb-go/v2"
	"golang.org/x/text/width"
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
		return WriteTable(w, r, nil)
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
	return fmt.Errorf("access: unknown format %q (table, csv, json)", format)
}

// maxFloatDecimals caps the decimals of a DOUBLE column in a table.
const maxFloatDecimals = 4

// WriteTable prints a result as an aligned text table for people: numbers
// right-aligned, a floating-point column with as many decimals as its values
// need (at least one, at most four, so round(x, 1) prints 78.0), a DECIMAL
// column exactly with its fractions padded to the longest, integers without
// decimals, times with a zone in loc (nil: as they come), and East
// Asian wide characters counted as two columns.
func WriteTable(w io.Writer, r *Result, loc *time.Location) error {
	n := len(r.Columns)
	rows := tableValues(r, loc)
	numeric, decimals := columnFormats(r, rows)
	cells := make([][]string, 0, len(rows)+1)
	cells = append(cells, r.Columns)
	for _, row := range rows {
		line := make([]string, n)
		for i := 0; i < n && i < len(row); i++ {
			line[i] = tableCell(row[i], decimals[i], r.typeOf(i), loc)
		}
		cells = append(cells, line)
	}
	return writeAligned(w, cells, numeric)
}

// typeOf is column i's type in upper case, "" when unknown.
func (r *Result) typeOf(i int) string {
	if i < len(r.Types) {
		return strings.ToUpper(r.Types[i])
	}
	return ""
}

// tableValues is r's rows with values that came through JSON (attrib
// query via serve) as text turned back into what they were: floats become
// floats again, so they print like local results, and zoned times (with
// loc) times.
func tableValues(r *Result, loc *time.Location) [][]any {
	rows := make([][]any, len(r.Rows))
	for ri, row := range r.Rows {
		rows[ri] = make([]any, len(row))
		for i, v := range row {
			if str, ok := v.(string); ok && floatType(r.typeOf(i)) {
				if f, err := strconv.ParseFloat(str, 64); err == nil {
					v = f
				}
			}
			if str, ok := v.(string); ok && loc != nil && zonedType(r.typeOf(i)) {
				if t, err := time.Parse(time.RFC3339Nano, str); err == nil {
					v = t
				}
			}
			rows[ri][i] = v
		}
	}
	return rows
}

// columnFormats says per column whether it is numeric (right-aligned; by
// type, or without types by its values) and how many decimals its floats
// get: DECIMAL columns are exact, padded to the column's longest fraction.
func columnFormats(r *Result, rows [][]any) (numeric []bool, decimals []int) {
	n := len(r.Columns)
	numeric = make([]bool, n)
	decimals = make([]int, n)
	decimal := make([]bool, n) // DECIMAL columns: exact, padded to the column's longest fraction
	for i := range n {
		numeric[i] = numericType(r.typeOf(i))
		seen, allNum := false, true
		for _, row := range rows {
			if i >= len(row) || row[i] == nil {
				continue
			}
			seen = true
			switch x := row[i].(type) {
			case float64:
				decimals[i] = max(decimals[i], floatDecimals(x))
			case float32:
				decimals[i] = max(decimals[i], floatDecimals(float64(x)))
			case duckdb.Decimal:
				decimals[i] = max(decimals[i], fracDigits(decimalString(x)))
				decimal[i] = true
			case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, *big.Int, json.Number:
			default:
				allNum = false
			}
		}
		if seen && r.Types == nil {
			numeric[i] = allNum
		}
		if !decimal[i] {
			decimals[i] = min(max(decimals[i], 1), maxFloatDecimals)
		}
	}
	return numeric, decimals
}

// writeAligned writes cells as lines of columns two spaces apart, padded
// to each column's display width: numeric columns right-aligned, the
// others left-aligned, trailing spaces trimmed.
func writeAligned(w io.Writer, cells [][]string, numeric []bool) error {
	widths := make([]int, len(numeric))
	for _, line := range cells {
		for i, c := range line {
			widths[i] = max(widths[i], DisplayWidth(c))
		}
	}
	bw := bufio.NewWriter(w)
	for _, line := range cells {
		var b strings.Builder
		for i, c := range line {
			pad := strings.Repeat(" ", widths[i]-DisplayWidth(c))
			if i > 0 {
				b.WriteString("  ")
			}
			if numeric[i] {
				b.WriteString(pad + c)
			} else {
				b.WriteString(c + pad)
			}
		}
		bw.WriteString(strings.TrimRight(b.String(), " ") + "\n")
	}
	return bw.Flush()
}

// tableCell is one value of a table: floats with the column's decimals,
// times in loc when they carry a zone.
func tableCell(v any, decimals int, typ string, loc *time.Location) string {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return Text(x)
		}
		return strconv.FormatFloat(x, 'f', decimals, 64)
	case float32:
		return tableCell(float64(x), decimals, typ, loc)
	case duckdb.Decimal:
		d := decimalString(x)
		if pad := decimals - fracDigits(d); pad > 0 {
			if !strings.Contains(d, ".") {
				d += "."
			}
			d += strings.Repeat("0", pad)
		}
		return d
	case time.Time:
		midnightUTC := x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 && x.Location() == time.UTC
		// Unknown type: a UTC midnight is taken for a DATE.
		if loc == nil || (typ != "" && !zonedType(typ)) || (typ == "" && midnightUTC) {
			return Text(x)
		}
		t := x.In(loc)
		if t.Nanosecond() != 0 {
			return t.Format("2006-01-02 15:04:05.999999-07:00")
		}
		return t.Format("2006-01-02 15:04:05-07:00")
	}
	return strings.ReplaceAll(strings.ReplaceAll(Text(v), "\n", " "), "\t", " ")
}

// floatDecimals is how many decimals the shortest exact text of x has.
func floatDecimals(x float64) int {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	s := strconv.FormatFloat(x, 'f', -1, 64)
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return len(s) - i - 1
	}
	return 0
}

func numericType(t string) bool {
	switch {
	case t == "":
		return false
	case strings.HasPrefix(t, "DECIMAL"), strings.HasPrefix(t, "NUMERIC"), floatType(t):
		return true
	}
	switch t {
	case "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT", "INT", "INT8", "INT4", "INT2", "INT1":
		return true
	}
	return false
}

func floatType(t string) bool {
	return t == "DOUBLE" || t == "FLOAT" || t == "REAL" || t == "FLOAT8" || t == "FLOAT4"
}

// zonedType reports a timestamp column that is an instant (shown in the
// configured zone); plain TIMESTAMP and DATE columns are shown as stored.
func zonedType(t string) bool {
	return t == "TIMESTAMPTZ" || t == "TIMESTAMP WITH TIME ZONE" || t == "TIMESTAMP_TZ"
}

// DisplayWidth is the number of terminal columns s takes: East Asian wide
// and fullwidth characters take two.
func DisplayWidth(s string) int {
	n := 0
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		s = s[size:]
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}

// fracDigits is the number of digits after the decimal point of a number's text.
func fracDigits(s string) int {
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return len(s) - i - 1
	}
	return 0
}
