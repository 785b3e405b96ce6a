package ingest

import (
	"hash"
	"io"
	"sync"
)

// jsonScan reads the bytes of an NDJSON file while they are hashed (see
// fingerprint) and tells whether DuckDB's read_json with VARCHAR columns
// gives each mapped value exactly as read_ndjson_objects + json_extract_string
// do (see jsoncols.go): it does for JSON strings and null, not for every
// number (read_json prints 1e-07 where json_extract_string gives 1e-7).
//
// The scan accepts a restricted grammar only: each line is one JSON object
// or blank (both readers skip blank lines), the object's values strings, null, numbers,
// true, false or nested objects and arrays, spaces and tabs between tokens,
// LF or CRLF line ends. Anything else (a second object on a line, a line that
// is not an object, a truncated file) ends the scan with ok false: the file is
// then read as today, and DuckDB says what is wrong. Keys whose values are not
// all strings or null are kept in odd; escapes in strings are not decoded (a
// key with an escape and a value that is not a string also makes ok false,
// because the key could not be named).
type jsonScan struct {
	objects int64           // objects read, one per line
	bad     bool            // the file left the restricted grammar
	odd     map[string]bool // keys with a value that is not a string or null

	state     int
	depth     int    // nesting inside a nested value
	bsPending bool   // the last chunk ended with a backslash in a string
	esc       bool   // the string read so far has a backslash
	lit       []byte // the literal (null, true, false) or number read so far
	key       []byte // the last key, raw
	keyFrom   int    // where the key being read starts in the current chunk (-1: it began in an earlier one)
	keyEsc    bool   // the last key has an escape
	inNest    bool   // the string being read is inside a nested value
}

// The states of jsonScan: where in a line the scan is.
const (
	jsLineStart  = iota // before a line's object
	jsObjOpen           // after '{': a key or '}'
	jsKey               // in a key string
	jsColon             // after a key
	jsValue             // after ':'
	jsString            // in a string value, or a string in a nested value (inNest)
	jsLiteral           // in a number or a literal
	jsNested            // in a nested value, outside its strings
	jsAfterValue        // after a value: ',' or '}'
	jsNextKey           // after ',': a key
	jsAfterObj          // after the line's object: the line end
)

func newJSONScan() *jsonScan { return &jsonScan{odd: map[string]bool{}, keyFrom: -1} }

// ok reports whether the whole file kept to the restricted grammar.
func (s *jsonScan) ok() bool {
	return !s.bad && (s.state == jsLineStart || s.state == jsAfterObj)
}

// Write scans p, the next bytes of the file.
func (s *jsonScan) Write(p []byte) (int, error) {
	if s.bad {
		return len(p), nil
	}
	i := 0
	for i < len(p) && !s.bad {
		c := p[i]
		switch s.state {
		case jsLineStart:
			switch c {
			case '{':
				s.objects++
				s.state = jsObjOpen
			case ' ', '\t', '\r', '\n':
				// spaces before the object, blank lines (both readers skip them)
			default: // a line that is not an object
				s.bad = true
			}
			i++
		case jsObjOpen, jsNextKey:
			switch {
			case c == '"':
				s.state, s.esc, s.keyFrom = jsKey, false, i+1
				s.key = s.key[:0]
			case c == ' ' || c == '\t':
			case c == '}' && s.state == jsObjOpen:
				s.state = jsAfterObj
			default:
				s.bad = true
			}
			i++
		case jsKey, jsString:
			i = s.str(p, i)
		case jsColon:
			switch c {
			case ':':
				s.state = jsValue
			case ' ', '\t':
			default:
				s.bad = true
			}
			i++
		case jsValue:
			switch {
			case c == '"':
				s.state, s.inNest = jsString, false
			case c == ' ' || c == '\t':
			case c == '{' || c == '[':
				s.markOdd()
				s.state, s.depth = jsNested, 1
			case c == '-' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'):
				s.state = jsLiteral
				s.lit = append(s.lit[:0], c)
			default:
				s.bad = true
			}
			i++
		case jsLiteral:
			if c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') {
				s.lit = append(s.lit, c)
				i++
				continue
			}
			if string(s.lit) != "null" {
				s.markOdd()
			}
			s.state = jsAfterValue // c is read there
		case jsNested:
			switch c {
			case '"':
				s.state, s.inNest = jsString, true
			case '{', '[':
				s.depth++
			case '}', ']':
				s.depth--
				if s.depth == 0 {
					s.state = jsAfterValue
				}
			case '\n':
				s.bad = true
			}
			i++
		case jsAfterValue:
			switch c {
			case ',':
				s.state = jsNextKey
			case '}':
				s.state = jsAfterObj
			case ' ', '\t':
			default:
				s.bad = true
			}
			i++
		case jsAfterObj:
			switch c {
			case '\n':
				s.state = jsLineStart
			case ' ', '\t', '\r':
			default:
				s.bad = true
			}
			i++
		}
	}
	// A key read up to the end of p is kept: p is not the scan's to keep.
	if s.state == jsKey && s.keyFrom >= 0 {
		s.key = append(s.key[:0], p[min(s.keyFrom, len(p)):]...)
		s.keyFrom = -1
	}
	return len(p), nil
}

// strStop marks the bytes that end a run of a string's plain content: the
// quote and the backslash (one table load per byte instead of two compares).
var strStop = [256]bool{'"': true, '\\': true}

// str reads a string from p[i:] up to its closing quote, and returns where
// the scan goes on. A backslash escapes the byte after it (\" and \\; the
// others do not matter here). A newline inside a string is not looked for:
// both of DuckDB's readers refuse such a line.
func (s *jsonScan) str(p []byte, i int) int {
	start := i
	if s.bsPending { // the chunk before ended with a backslash
		s.bsPending = false
		i++
	}
	for {
		for ; i < len(p); i++ {
			if strStop[p[i]] {
				break
			}
		}
		if i >= len(p) {
			break
		}
		if p[i] == '\\' {
			s.esc = true
			if i += 2; i > len(p) {
				s.bsPending, i = true, len(p)
				break
			}
			continue
		}
		switch {
		case s.state == jsKey:
			if s.keyFrom >= 0 {
				s.key = append(s.key[:0], p[s.keyFrom:i]...)
			} else {
				s.key = append(s.key, p[start:i]...)
			}
			s.keyFrom = -1
			s.keyEsc = s.esc
			s.state = jsColon
		case s.inNest:
			s.state = jsNested
		default:
			s.state = jsAfterValue
		}
		return i + 1
	}
	if s.state == jsKey && s.keyFrom < 0 {
		s.key = append(s.key, p[start:]...)
	}
	return len(p)
}

// markOdd notes that the last key has a value that is not a string or null.
func (s *jsonScan) markOdd() {
	if s.keyEsc {
		s.bad = true // a key that cannot be named
		return
	}
	if !s.odd[string(s.key)] {
		s.odd[string(s.key)] = true
	}
}

// teeParallel copies r to h and to w, h on this goroutine and w on another,
// chunk by chunk through a few reused buffers.
func teeParallel(r io.Reader, h hash.Hash, w io.Writer) (int64, error) {
	const chunk, slots = 1 << 20, 4
	type part struct {
		slot, n int
	}
	var bufs [slots][]byte
	var free [slots]sync.WaitGroup
	for i := range bufs {
		bufs[i] = make([]byte, chunk)
	}
	parts := make(chan part, slots)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for p := range parts {
			_, _ = w.Write(bufs[p.slot][:p.n])
			free[p.slot].Done()
		}
	}()
	var total int64
	var rerr error
	for i := 0; ; i++ {
		slot := i % slots
		free[slot].Wait() // the scan has finished with this buffer
		n, err := io.ReadFull(r, bufs[slot])
		if n > 0 {
			total += int64(n)
			_, _ = h.Write(bufs[slot][:n])
			free[slot].Add(1)
			parts <- part{slot, n}
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			rerr = err
			break
		}
	}
	close(parts)
	<-done
	return total, rerr
}
