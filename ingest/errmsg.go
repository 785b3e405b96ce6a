package ingest

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"attrib/config"
)

var (
	emailLike = regexp.MustCompile(`[^\s,;|"'<>()\[\]{}]+@[^\s,;|"'<>()\[\]{}]+`)
	phoneLike = regexp.MustCompile(`\+?\d[\d ().-]{6,}\d`)
)

// maxMessage bounds a failure message kept in ingest_files.
const maxMessage = 600

// cleanMessage makes a reader's error fit for ingest_files and logs: DuckDB
// quotes the offending record ("Original Line: ..."), which may hold e-mail
// addresses or phone numbers and be megabytes long; those lines are dropped,
// anything that looks like an e-mail address or phone number is masked, and
// the message is cut to maxMessage bytes.
func cleanMessage(msg string) string {
	var keep []string
	for _, ln := range strings.Split(msg, "\n") {
		t := strings.TrimSpace(ln)
		if strings.HasPrefix(t, "Original Line:") || t == "" {
			continue
		}
		if i := strings.Index(t, "Input: "); i >= 0 { // JSON errors quote the input
			t = t[:i] + "Input: (not shown)"
		}
		keep = append(keep, t)
	}
	out := maskPII(strings.Join(keep, " | "))
	if len(out) > maxMessage {
		cut := maxMessage
		for cut > 0 && !utf8.RuneStart(out[cut]) {
			cut--
		}
		out = out[:cut] + " ..."
	}
	return out
}

// maskPII masks anything that looks like an e-mail address or a phone number
// (not a date, not a plain number).
func maskPII(s string) string {
	s = emailLike.ReplaceAllString(s, "***")
	return phoneLike.ReplaceAllStringFunc(s, func(m string) string {
		switch {
		case len(m) >= 10 && m[4] == '-' && m[7] == '-': // a date, not a phone
			return m
		case strings.Trim(m, "0123456789") == "": // a plain number: sizes, offsets
			return m
		}
		return "***"
	})
}

// maskRecord returns the masking of an NDJSON line that is not valid JSON:
// the value after each of keys (the file's email and phone fields, any case)
// becomes "***", then whatever looks like an e-mail address or phone number.
func maskRecord(keys []string) func(string) string {
	var re *regexp.Regexp
	if len(keys) > 0 {
		alt := make([]string, len(keys))
		for i, k := range keys {
			alt[i] = regexp.QuoteMeta(k)
		}
		re = regexp.MustCompile(`(?i)("(?:` + strings.Join(alt, "|") + `)"\s*:\s*)("(?:[^"\\]|\\.)*"?|[^,}\]\s]*)`)
	}
	return func(s string) string {
		if re != nil {
			s = re.ReplaceAllString(s, `${1}"***"`)
		}
		return maskPII(s)
	}
}

var genericColumn = regexp.MustCompile(`^column\d+$`)

// encodingHint is added to "column ... is not in the file" when the file is
// read as UTF-8 and its header looks misread: names DuckDB made up
// (column0, column1, ...), replacement characters, or a wanted name in a
// non-Latin script that no column matches. A GB18030 or GBK export read as
// UTF-8 looks like that.
func encodingHint(src config.Source, r reader, want string, fileCols []string) string {
	if r.json || r.arrow || !isUTF8(src.CSV.Encoding) {
		return ""
	}
	misread := !isASCII(want)
	generic := len(fileCols) > 0
	for _, c := range fileCols {
		if strings.ContainsRune(c, utf8.RuneError) || !utf8.ValidString(c) {
			misread = true
		}
		generic = generic && genericColumn.MatchString(c)
	}
	if !misread && !generic {
		return ""
	}
	return fmt.Sprintf(" (the file is read as UTF-8: if it is GB18030 or GBK, e.g. an export from a Chinese system, set csv: {encoding: gb18030} on source %s)", src.Name)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
