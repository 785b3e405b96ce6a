package ingest

import (
	"compress/gzip"
	"fmt"
	"io"
	"os"

	"github.com/klauspost/compress/zstd"
)

// corruptError says a compressed file is damaged or truncated.
type corruptError struct {
	kind string
	err  error
}

func (e *corruptError) Error() string {
	return fmt.Sprintf("damaged or truncated %s file (%v); nothing loaded: ask for the export again", e.kind, e.err)
}

func (e *corruptError) Unwrap() error { return e.err }

// checkCompressed decompresses r to the end, which verifies the gzip CRC and
// length of every member or the zstd frame checksums, and returns the number
// of compressed bytes read.
func checkCompressed(r io.Reader, kind string) (int64, error) {
	cr := &countingReader{r: r}
	dec, err := openDecompressor(cr, kind)
	if err != nil {
		return cr.n, &corruptError{kind, err}
	}
	defer dec.Close()
	if _, err := io.Copy(io.Discard, dec); err != nil {
		if cr.err != nil {
			return cr.n, cr.err // the file itself could not be read
		}
		return cr.n, &corruptError{kind, err}
	}
	// Trailing bytes after the last gzip member are read by the decoder; make sure all were hashed.
	if _, err := io.Copy(io.Discard, cr); err != nil {
		return cr.n, err
	}
	return cr.n, nil
}

type countingReader struct {
	r   io.Reader
	n   int64
	err error
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err != nil && err != io.EOF {
		c.err = err
	}
	return n, err
}

// openContent opens the file at path for its content: decompressed when its
// name says gzip or zstd. Closing it closes the file too.
func openContent(path string) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	kind := compression(path)
	in, err := openDecompressor(f, kind)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", kind, err)
	}
	return struct {
		io.Reader
		io.Closer
	}{in, closers{in, f}}, nil
}

// closers closes each of its closers in order and returns the first error.
type closers []io.Closer

func (cs closers) Close() error {
	var first error
	for _, c := range cs {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// openDecompressor reads r through the gzip or zstd decompressor, or as it
// is when kind is "" (closing it then leaves r open).
func openDecompressor(r io.Reader, kind string) (io.ReadCloser, error) {
	switch kind {
	case "":
		return io.NopCloser(r), nil
	case "gzip":
		return gzip.NewReader(r)
	case "zstd":
		zr, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, err
		}
		return zr.IOReadCloser(), nil
	}
	return nil, fmt.Errorf("unknown compression %q", kind)
}
