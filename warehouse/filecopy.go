package warehouse

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
)

// headerBytes is the start of a DuckDB file that a checkpoint rewrites: the
// main header and the two database headers (4 KiB each), which say which
// blocks hold the checkpointed database. Blocks a header points to are
// never written again until a later checkpoint has written a new header, so
// bytes copied while these stay the same are one consistent database.
const headerBytes = 3 * 4096

// copyAttempts is how often CopyFile retries when a checkpoint ran during
// the copy before it gives up (the caller then copies another way).
const copyAttempts = 3

// ErrNoFileCopy is returned by CopyFile when the warehouse cannot be copied
// as a file: in memory, read-only, or a CHECKPOINT refused (other
// transactions running) or racing the copy every time. The caller copies
// the tables another way.
var ErrNoFileCopy = errors.New("warehouse: no consistent file copy")

// CopyFile writes a consistent copy of the warehouse file to dst (which must
// not exist): a CHECKPOINT puts every committed change into the file, then
// the file's bytes are copied, again if a checkpoint rewrote the headers
// meanwhile. It is a plain sequential read and write (no tables decoded or
// compressed again), so it costs about the time the disk needs for the
// file's size. The copy opens in DuckDB like the warehouse itself, with the
// state of the checkpoint (the WAL is not copied).
//
// The file is read through one descriptor kept open until Close: closing a
// descriptor of the file would drop the process's POSIX lock on it, which
// DuckDB holds to keep other processes out.
func (w *Warehouse) CopyFile(ctx context.Context, dst string) error {
	if w.opts.Path == "" || w.opts.ReadOnly {
		return ErrNoFileCopy
	}
	w.fileMu.Lock()
	defer w.fileMu.Unlock()
	if w.file == nil {
		f, err := os.Open(w.opts.Path)
		if err != nil {
			return fmt.Errorf("warehouse: copy file: %w", err)
		}
		w.file = f
	}
	for range copyAttempts {
		// Commits not yet checkpointed are in the WAL (DuckDB writes it at
		// commit only). If there are some and the checkpoint leaves the
		// headers as they were, it did not run, and the file lacks them.
		pending := false
		if st, err := os.Stat(w.opts.Path + ".wal"); err == nil && st.Size() > 0 {
			pending = true
		}
		prev, err := w.header()
		if err != nil {
			return err
		}
		if _, err := w.db.ExecContext(ctx, "CHECKPOINT"); err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("warehouse: copy file: checkpoint: %w", ctx.Err())
			}
			return fmt.Errorf("%w: checkpoint: %v", ErrNoFileCopy, err)
		}
		before, err := w.header()
		if err != nil {
			return err
		}
		if pending && bytes.Equal(prev, before) {
			return fmt.Errorf("%w: the checkpoint did not write the WAL's commits", ErrNoFileCopy)
		}
		if err := w.copyTo(ctx, dst); err != nil {
			_ = os.Remove(dst)
			return err
		}
		if w.afterCopy != nil {
			w.afterCopy()
		}
		after, err := w.header()
		if err != nil {
			_ = os.Remove(dst)
			return err
		}
		if bytes.Equal(before, after) {
			return nil
		}
		_ = os.Remove(dst)
	}
	return fmt.Errorf("%w: a checkpoint ran during each of %d copies", ErrNoFileCopy, copyAttempts)
}

func (w *Warehouse) header() ([]byte, error) {
	b := make([]byte, headerBytes)
	n, err := w.file.ReadAt(b, 0)
	if err != nil && !(errors.Is(err, io.EOF) && n > 0) {
		return nil, fmt.Errorf("warehouse: copy file: read header: %w", err)
	}
	return b[:n], nil
}

// copyTo copies the whole file, as it is now, to a new file dst.
func (w *Warehouse) copyTo(ctx context.Context, dst string) error {
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("warehouse: copy file: %w", err)
	}
	buf := make([]byte, 8<<20)
	var off int64
	for {
		if err := ctx.Err(); err != nil {
			_ = out.Close()
			return fmt.Errorf("warehouse: copy file: %w", err)
		}
		n, rerr := w.file.ReadAt(buf, off)
		if n > 0 {
			if _, err := out.Write(buf[:n]); err != nil {
				_ = out.Close()
				return fmt.Errorf("warehouse: copy file to %s: %w", dst, err)
			}
			off += int64(n)
		}
		if errors.Is(rerr, io.EOF) {
			break
		}
		if rerr != nil {
			_ = out.Close()
			return fmt.Errorf("warehouse: copy file: read: %w", rerr)
		}
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("warehouse: copy file to %s: %w", dst, err)
	}
	return nil
}
