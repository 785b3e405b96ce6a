package demo

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// tsLayout is one of the timestamp formats the generated files use. The
// formats differ on purpose, like exports of different bank systems do; all
// of them are listed in README.md.
type tsLayout uint8

const (
	tsISO      tsLayout = iota // 2025-03-01T10:22:05Z
	tsISOMilli                 // 2025-03-01T10:22:05.123Z
	tsSpace                    // 2025-03-01 10:22:05 (no zone: read in the configured zone, UTC)
	tsOffset8                  // 2025-03-01T18:22:05+08:00 (same instant as 10:22:05Z)
	tsDate                     // 2025-03-01
)

// civil converts days since 1970-01-01 to a proleptic Gregorian date
// (H. Hinnant's days_from_civil inverse). Only non-negative inputs occur.
func civil(days int64) (y, m, d int) {
	z := days + 719468
	era := z / 146097
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	yy := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	dd := doy - (153*mp+2)/5 + 1
	mm := mp + 3
	if mp >= 10 {
		mm = mp - 9
	}
	if mm <= 2 {
		yy++
	}
	return int(yy), int(mm), int(dd)
}

func append2(b []byte, v int) []byte {
	return append(b, byte('0'+v/10), byte('0'+v%10))
}

func appendDate(b []byte, sec int64) []byte {
	y, m, d := civil(sec / daySec)
	b = append2(b, y/100)
	b = append2(b, y%100)
	b = append(b, '-')
	b = append2(b, m)
	b = append(b, '-')
	return append2(b, d)
}

func appendClock(b []byte, sec int64) []byte {
	s := int(sec % daySec)
	b = append2(b, s/3600)
	b = append(b, ':')
	b = append2(b, s/60%60)
	b = append(b, ':')
	return append2(b, s%60)
}

// appendTime formats the unix time sec (plus ms milliseconds, used by
// tsISOMilli only) in the given layout. sec must be >= 0.
func appendTime(b []byte, sec int64, ms int, layout tsLayout) []byte {
	switch layout {
	case tsDate:
		return appendDate(b, sec)
	case tsSpace:
		b = appendDate(b, sec)
		b = append(b, ' ')
		return appendClock(b, sec)
	case tsOffset8:
		local := sec + 8*3600
		b = appendDate(b, local)
		b = append(b, 'T')
		b = appendClock(b, local)
		return append(b, "+08:00"...)
	case tsISOMilli:
		b = appendDate(b, sec)
		b = append(b, 'T')
		b = appendClock(b, sec)
		b = append(b, '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10))
		return append(b, 'Z')
	default:
		b = appendDate(b, sec)
		b = append(b, 'T')
		b = appendClock(b, sec)
		return append(b, 'Z')
	}
}

// appendCents writes an amount in cents with two decimals ("-12.05").
func appendCents(b []byte, cents int64) []byte {
	if cents < 0 {
		b = append(b, '-')
		cents = -cents
	}
	b = strconv.AppendInt(b, cents/100, 10)
	return append(b, '.', byte('0'+cents/10%10), byte('0'+cents%10))
}

// appendCSV writes one CSV field, quoted only when RFC 4180 needs it (or when
// the value has leading or trailing blanks, so readers keep them).
func appendCSV(b []byte, s string) []byte {
	need := len(s) > 0 && (s[0] == ' ' || s[len(s)-1] == ' ')
	for i := 0; i < len(s) && !need; i++ {
		switch s[i] {
		case ',', '"', '\n', '\r':
			need = true
		}
	}
	if !need {
		return append(b, s...)
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

// appendJSONString writes s as a JSON string. UTF-8 passes through unescaped.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

func endLine(b []byte, crlf bool) []byte {
	if crlf {
		return append(b, '\r', '\n')
	}
	return append(b, '\n')
}

// appendHex16 writes v as 16 lower-case hex digits.
func appendHex16(b []byte, v uint64) []byte {
	const hex = "0123456789abcdef"
	for s := 60; s >= 0; s -= 4 {
		b = append(b, hex[(v>>uint(s))&15])
	}
	return b
}

// appendDigits writes v zero-padded to n decimal digits.
func appendDigits(b []byte, v uint64, n int) []byte {
	var tmp [20]byte
	for i := n - 1; i >= 0; i-- {
		tmp[i] = byte('0' + v%10)
		v /= 10
	}
	return append(b, tmp[:n]...)
}

// outFile is one generated file, written through a bufio.Writer.
type outFile struct {
	rel     string // slash-separated path relative to the output directory
	abs     string
	source  string // source name in attrib.yaml ("" for files that are not sources)
	dataset string
	f       *os.File
	w       *bufio.Writer
	rows    int64 // data rows, bad ones included, header excluded
	bad     int64
	bytes   int64
}

// createOut creates dir/rel (and its parent directories) and writes the
// optional UTF-8 byte order mark and header line.
func createOut(dir, rel, source, dataset, header string, bom, crlf bool) (*outFile, error) {
	abs := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return nil, fmt.Errorf("demo: create %s: %w", rel, err)
	}
	f, err := os.Create(abs)
	if err != nil {
		return nil, fmt.Errorf("demo: create %s: %w", rel, err)
	}
	o := &outFile{rel: rel, abs: abs, source: source, dataset: dataset, f: f, w: bufio.NewWriterSize(f, 256<<10)}
	var b []byte
	if bom {
		b = append(b, 0xEF, 0xBB, 0xBF)
	}
	if header != "" {
		b = append(b, header...)
		b = endLine(b, crlf)
	}
	if err := o.write(b); err != nil {
		o.abort()
		return nil, err
	}
	return o, nil
}

func (o *outFile) write(p []byte) error {
	if _, err := o.Write(p); err != nil {
		return fmt.Errorf("demo: write %s: %w", o.rel, err)
	}
	return nil
}

// Write is write for libraries that take an io.Writer (the Parquet writer).
// outFile deliberately has no Close method, so they leave closing it to us.
func (o *outFile) Write(p []byte) (int, error) {
	n, err := o.w.Write(p)
	o.bytes += int64(n)
	return n, err
}

func (o *outFile) close() error {
	if o.f == nil {
		return nil
	}
	err := o.w.Flush()
	if cerr := o.f.Close(); err == nil {
		err = cerr
	}
	o.f = nil
	if err != nil {
		return fmt.Errorf("demo: write %s: %w", o.rel, err)
	}
	return nil
}

// abort closes the file without reporting errors (used on failure paths).
func (o *outFile) abort() {
	if o.f != nil {
		_ = o.f.Close()
		o.f = nil
	}
}

func (o *outFile) summary() FileSummary {
	return FileSummary{Path: o.rel, Source: o.source, Dataset: o.dataset, Rows: o.rows, BadRows: o.bad, Bytes: o.bytes}
}

// writeSmall writes a small file in one go: the header, then n lines, each
// built by line (its fields, without the line end).
func (g *generator) writeSmall(path, source, dataset, header string, n int, line func(b []byte, i int) []byte) (*outFile, error) {
	o, err := createOut(g.dir, path, source, dataset, header, false, false)
	if err != nil {
		return nil, err
	}
	var b []byte
	for i := range n {
		b = append(line(b, i), '\n')
		o.rows++
	}
	if err := o.write(b); err != nil {
		o.abort()
		return nil, err
	}
	return o, o.close()
}
