package server

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/jackc/pgx/v5/pgtype"
)

// PostgreSQL type OIDs sent in RowDescription.
const (
	oidBool        = 16
	oidBytea       = 17
	oidInt8        = 20
	oidInt2        = 21
	oidInt4        = 23
	oidText        = 25
	oidJSON        = 114
	oidFloat4      = 700
	oidFloat8      = 701
	oidDate        = 1082
	oidTime        = 1083
	oidTimestamp   = 1114
	oidTimestamptz = 1184
	oidInterval    = 1186
	oidTimetz      = 1266
	oidNumeric     = 1700
	oidUUID        = 2950
)

// arrayOID is the array type of a scalar OID (0 when not supported).
var arrayOID = map[uint32]uint32{
	oidBool: 1000, oidInt2: 1005, oidInt4: 1007, oidInt8: 1016, oidText: 1009, oidFloat4: 1021,
	oidFloat8: 1022, oidNumeric: 1231, oidDate: 1182, oidTimestamp: 1115, oidTimestamptz: 1185,
	oidUUID: 2951, oidInterval: 1187, oidTime: 1183, oidBytea: 1001,
}

// pgType describes how one DuckDB column is shown to PostgreSQL clients.
type pgType struct {
	oid  uint32
	elem *pgType // LIST/ARRAY element
	info duckdb.TypeInfo
	loc  *time.Location
}

// newPGType maps a DuckDB column type to a PostgreSQL type.
func newPGType(info duckdb.TypeInfo, loc *time.Location) *pgType {
	t := &pgType{info: info, loc: loc, oid: oidText}
	if info == nil {
		return t
	}
	if strings.EqualFold(info.Alias(), "JSON") {
		t.oid = oidJSON
		return t
	}
	switch info.InternalType() {
	case duckdb.TYPE_BOOLEAN:
		t.oid = oidBool
	case duckdb.TYPE_TINYINT, duckdb.TYPE_SMALLINT, duckdb.TYPE_UTINYINT:
		t.oid = oidInt2
	case duckdb.TYPE_INTEGER, duckdb.TYPE_USMALLINT:
		t.oid = oidInt4
	case duckdb.TYPE_BIGINT, duckdb.TYPE_UINTEGER:
		t.oid = oidInt8
	case duckdb.TYPE_UBIGINT, duckdb.TYPE_HUGEINT, duckdb.TYPE_UHUGEINT, duckdb.TYPE_BIGNUM, duckdb.TYPE_DECIMAL:
		t.oid = oidNumeric
	case duckdb.TYPE_FLOAT:
		t.oid = oidFloat4
	case duckdb.TYPE_DOUBLE:
		t.oid = oidFloat8
	case duckdb.TYPE_BLOB:
		t.oid = oidBytea
	case duckdb.TYPE_DATE:
		t.oid = oidDate
	case duckdb.TYPE_TIME:
		t.oid = oidTime
	case duckdb.TYPE_TIME_TZ:
		t.oid = oidTimetz
	case duckdb.TYPE_TIMESTAMP, duckdb.TYPE_TIMESTAMP_S, duckdb.TYPE_TIMESTAMP_MS, duckdb.TYPE_TIMESTAMP_NS:
		t.oid = oidTimestamp
	case duckdb.TYPE_TIMESTAMP_TZ:
		t.oid = oidTimestamptz
	case duckdb.TYPE_INTERVAL:
		t.oid = oidInterval
	case duckdb.TYPE_UUID:
		t.oid = oidUUID
	case duckdb.TYPE_STRUCT, duckdb.TYPE_MAP:
		t.oid = oidJSON
	case duckdb.TYPE_LIST, duckdb.TYPE_ARRAY:
		var child duckdb.TypeInfo
		switch d := info.Details().(type) {
		case *duckdb.ListDetails:
			child = d.Child
		case *duckdb.ArrayDetails:
			child = d.Child
		}
		elem := newPGType(child, loc)
		if a, ok := arrayOID[elem.oid]; ok {
			t.oid = a
			t.elem = elem
		} else {
			t.elem = elem // shown as a text array literal
		}
	}
	return t
}

// value converts a DuckDB value for the wire: the text form for text
// format, a pgtype-encodable Go value for binary format.
func (t *pgType) value(v any, binary bool) any {
	if v == nil {
		return nil
	}
	if !binary {
		return t.text(v)
	}
	switch t.oid {
	case oidBool:
		if b, ok := v.(bool); ok {
			return b
		}
	case oidInt2:
		if i, ok := toInt64(v); ok {
			return int16(i)
		}
	case oidInt4:
		if i, ok := toInt64(v); ok {
			return int32(i)
		}
	case oidInt8:
		if i, ok := toInt64(v); ok {
			return i
		}
	case oidFloat4:
		if f, ok := v.(float32); ok {
			return f
		}
	case oidFloat8:
		if f, ok := v.(float64); ok {
			return f
		}
	case oidNumeric:
		switch x := v.(type) {
		case duckdb.Decimal:
			return pgtype.Numeric{Int: x.Value, Exp: -int32(x.Scale), Valid: true}
		case *big.Int:
			return pgtype.Numeric{Int: x, Valid: true}
		case uint64:
			return pgtype.Numeric{Int: new(big.Int).SetUint64(x), Valid: true}
		}
	case oidDate, oidTimestamp, oidTimestamptz:
		if tm, ok := v.(time.Time); ok {
			return tm
		}
	case oidTime:
		if tm, ok := v.(time.Time); ok {
			us := int64(tm.Hour())*3600e6 + int64(tm.Minute())*60e6 + int64(tm.Second())*1e6 + int64(tm.Nanosecond()/1000)
			return pgtype.Time{Microseconds: us, Valid: true}
		}
	case oidInterval:
		if iv, ok := v.(duckdb.Interval); ok {
			return pgtype.Interval{Months: iv.Months, Days: iv.Days, Microseconds: iv.Micros, Valid: true}
		}
	case oidUUID:
		if b := uuidBytes(v); b != nil {
			var u [16]byte
			copy(u[:], b)
			return u
		}
	case oidBytea:
		if b, ok := v.([]byte); ok {
			return b
		}
	}
	if t.elem != nil && t.oid != oidText {
		if xs, ok := v.([]any); ok {
			out := make([]any, len(xs))
			for i, x := range xs {
				out[i] = t.elem.value(x, true)
			}
			return out
		}
	}
	// text, json and anything else: the text form is also the binary form.
	return t.text(v)
}

func toInt64(v any) (int64, bool) {
	switch x := v.(type) {
	case int8:
		return int64(x), true
	case int16:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case int:
		return int64(x), true
	case uint8:
		return int64(x), true
	case uint16:
		return int64(x), true
	case uint32:
		return int64(x), true
	}
	return 0, false
}

func uuidBytes(v any) []byte {
	switch x := v.(type) {
	case []byte:
		if len(x) == 16 {
			return x
		}
	case *duckdb.UUID:
		return x[:]
	case duckdb.UUID:
		return x[:]
	}
	return nil
}

// text renders a value the way PostgreSQL prints its type.
func (t *pgType) text(v any) string {
	switch t.oid {
	case oidJSON:
		return jsonText(v, t.info)
	case oidTimestamptz:
		if tm, ok := v.(time.Time); ok {
			if t.loc != nil {
				tm = tm.In(t.loc)
			}
			return tm.Format("2006-01-02 15:04:05.999999") + pgOffset(tm)
		}
	case oidTimetz:
		if tm, ok := v.(time.Time); ok {
			return tm.Format("15:04:05.999999") + pgOffset(tm)
		}
	case oidTime:
		if tm, ok := v.(time.Time); ok {
			return tm.Format("15:04:05.999999")
		}
	case oidDate:
		if tm, ok := v.(time.Time); ok {
			return tm.Format("2006-01-02")
		}
	case oidUUID:
		if b := uuidBytes(v); b != nil {
			h := hex.EncodeToString(b)
			return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
		}
	}
	if t.elem != nil {
		if xs, ok := v.([]any); ok {
			var b strings.Builder
			b.WriteByte('{')
			for i, x := range xs {
				if i > 0 {
					b.WriteByte(',')
				}
				if x == nil {
					b.WriteString("NULL")
					continue
				}
				s := t.elem.text(x)
				if t.elem.elem != nil && t.elem.oid != oidText {
					b.WriteString(s) // nested array literal
				} else {
					b.WriteString(arrayQuote(s))
				}
			}
			b.WriteByte('}')
			return b.String()
		}
	}
	return scalarText(v)
}

// scalarText is the PostgreSQL text form of a scalar value.
func scalarText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		if x {
			return "t"
		}
		return "f"
	case int64:
		return strconv.FormatInt(x, 10)
	case int8, int16, int32, int, uint8, uint16, uint32:
		i, _ := toInt64(x)
		return strconv.FormatInt(i, 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case float64:
		return floatText(x, 64)
	case float32:
		return floatText(float64(x), 32)
	case duckdb.Decimal:
		return decimalText(x)
	case *big.Int:
		return x.String()
	case []byte:
		return `\x` + hex.EncodeToString(x)
	case time.Time:
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 {
			return x.Format("2006-01-02 15:04:05")
		}
		return x.Format("2006-01-02 15:04:05.999999")
	case duckdb.Interval:
		return intervalText(x)
	case *duckdb.UUID:
		return x.String()
	case map[string]any, duckdb.OrderedMap, duckdb.Map, []any:
		return jsonText(x, nil)
	default:
		return fmt.Sprint(x)
	}
}

func floatText(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return strconv.FormatFloat(f, 'g', -1, bits)
}

// decimalText keeps the scale, as PostgreSQL's numeric does (12.50).
func decimalText(d duckdb.Decimal) string {
	s := new(big.Int).Abs(d.Value).String()
	scale := int(d.Scale)
	if scale > 0 {
		for len(s) <= scale {
			s = "0" + s
		}
		s = s[:len(s)-scale] + "." + s[len(s)-scale:]
	}
	if d.Value.Sign() < 0 {
		s = "-" + s
	}
	return s
}

// intervalText is PostgreSQL's default (postgres) interval style.
func intervalText(iv duckdb.Interval) string {
	var parts []string
	unit := func(n int64, one, many string) {
		if n == 0 {
			return
		}
		u := many
		if n == 1 || n == -1 {
			u = one
		}
		parts = append(parts, fmt.Sprintf("%d %s", n, u))
	}
	unit(int64(iv.Months/12), "year", "years")
	unit(int64(iv.Months%12), "mon", "mons")
	unit(int64(iv.Days), "day", "days")
	if us := iv.Micros; us != 0 || len(parts) == 0 {
		sign := ""
		if us < 0 {
			sign = "-"
			us = -us
		}
		h, m, s, frac := us/3600e6, us/60e6%60, us/1e6%60, us%1e6
		clock := fmt.Sprintf("%s%02d:%02d:%02d", sign, h, m, s)
		if frac != 0 {
			clock += strings.TrimRight(fmt.Sprintf(".%06d", frac), "0")
		}
		parts = append(parts, clock)
	}
	return strings.Join(parts, " ")
}

func pgOffset(tm time.Time) string {
	_, off := tm.Zone()
	sign := "+"
	if off < 0 {
		sign = "-"
		off = -off
	}
	s := fmt.Sprintf("%s%02d", sign, off/3600)
	if m := off % 3600 / 60; m != 0 {
		s += fmt.Sprintf(":%02d", m)
	}
	return s
}

// arrayQuote quotes an element of an array literal when PostgreSQL would.
func arrayQuote(s string) string {
	if s != "" && !strings.EqualFold(s, "NULL") && !strings.ContainsAny(s, "{},\"\\ \t\n\r") {
		return s
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// jsonText renders JSON, STRUCT and MAP values as JSON text, struct
// fields in their declared order.
func jsonText(v any, info duckdb.TypeInfo) string {
	b, err := json.Marshal(jsonable(v, info))
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// orderedObject marshals as a JSON object with keys in the given order.
type orderedObject struct {
	keys []string
	vals []any
}

func (o orderedObject) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		vb, err := json.Marshal(o.vals[i])
		if err != nil {
			return nil, err
		}
		b.Write(kb)
		b.WriteByte(':')
		b.Write(vb)
	}
	b.WriteByte('}')
	return []byte(b.String()), nil
}

func jsonable(v any, info duckdb.TypeInfo) any {
	switch x := v.(type) {
	case map[string]any:
		if info != nil {
			if d, ok := info.Details().(*duckdb.StructDetails); ok {
				o := orderedObject{}
				for _, e := range d.Entries {
					o.keys = append(o.keys, e.Name())
					o.vals = append(o.vals, jsonable(x[e.Name()], e.Info()))
				}
				return o
			}
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = jsonable(e, nil)
		}
		return out
	case duckdb.OrderedMap:
		o := orderedObject{}
		vals := x.Values()
		for i, k := range x.Keys() {
			o.keys = append(o.keys, scalarText(k))
			o.vals = append(o.vals, jsonable(vals[i], nil))
		}
		return o
	case duckdb.Map:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[scalarText(k)] = jsonable(e, nil)
		}
		return out
	case []any:
		var child duckdb.TypeInfo
		if info != nil {
			if d, ok := info.Details().(*duckdb.ListDetails); ok {
				child = d.Child
			}
		}
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonable(e, child)
		}
		return out
	case duckdb.Decimal:
		return json.Number(decimalText(x))
	case *big.Int:
		return json.Number(x.String())
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return floatText(x, 64)
		}
		return x
	case time.Time, duckdb.Interval, []byte, *duckdb.UUID:
		return scalarText(x)
	default:
		return x
	}
}
