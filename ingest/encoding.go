package ingest

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

func isUTF8(enc string) bool {
	switch strings.ToLower(enc) {
	case "", "utf-8", "utf8":
		return true
	}
	return false
}

// transcode streams a GB18030/GBK file into a UTF-8 temp file in dir and
// returns its path; the caller removes it.
func transcode(path, enc, dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("transcode %s: %w", path, err)
	}
	in, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("transcode %s: %w", path, err)
	}
	defer in.Close()
	out, err := os.CreateTemp(dir, "transcoded-*.csv")
	if err != nil {
		return "", fmt.Errorf("transcode %s: %w", path, err)
	}
	dec := simplifiedchinese.GB18030.NewDecoder()
	if strings.EqualFold(enc, "gbk") {
		dec = simplifiedchinese.GBK.NewDecoder()
	}
	bw := bufio.NewWriterSize(out, 1<<20)
	if _, err := io.Copy(bw, transform.NewReader(bufio.NewReaderSize(in, 1<<20), dec)); err != nil {
		out.Close()
		os.Remove(out.Name())
		return "", fmt.Errorf("transcode %s from %s: %w", path, enc, err)
	}
	if err := bw.Flush(); err != nil {
		out.Close()
		os.Remove(out.Name())
		return "", fmt.Errorf("transcode %s: %w", path, err)
	}
	if err := out.Close(); err != nil {
		return "", fmt.Errorf("transcode %s: %w", path, err)
	}
	return out.Name(), nil
}
