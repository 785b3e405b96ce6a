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
	_, err := w.copyFile(ctx, dst)
	return err
}

// CopyFileTracked is CopyFile that also writes the copy's chunk sums next
// to it (SumsPath), hashed while copying, so that PatchFile can later bring
// the copy up to date by writing only the chunks that changed.
func (w *Warehouse) CopyFileTracked(ctx context.Context, dst string) (*BlockSums, error) {
	sums, err := w.copyFile(ctx, dst)
	if err != nil {
		return nil, err
	}
	if err := WriteSums(dst, sums); err != nil {
		_ = os.Remove(dst)
		return nil, err
	}
	return sums, nil
}

func (w *Warehouse) copyFile(ctx context.Context, dst string) (*BlockSums, error) {
	if w.opts.Path == "" || w.opts.ReadOnly {
		return nil, ErrNoFileCopy
	}
	w.fileMu.Lock()
	defer w.fileMu.Unlock()
	if err := w.openFile(); err != nil {
		return nil, err
	}
	for range copyAttempts {
		before, size, err := w.checkpoint(ctx)
		if err != nil {
			return nil, err
		}
		sums, err := w.copyTo(ctx, dst, size)
		if errors.Is(err, errShrunk) {
			_ = os.Remove(dst)
			continue
		}
		if err != nil {
			_ = os.Remove(dst)
			return nil, err
		}
		if w.afterCopy != nil {
			w.afterCopy()
		}
		after, err := w.header()
		if err != nil {
			_ = os.Remove(dst)
			return nil, err
		}
		if bytes.Equal(before, after) {
			return sums, nil
		}
		_ = os.Remove(dst)
	}
	return nil, fmt.Errorf("%w: a checkpoint ran during each of %d copies", ErrNoFileCopy, copyAttempts)
}

// openFile opens the descriptor the file is read through (fileMu held).
func (w *Warehouse) openFile() error {
	if w.file != nil {
		return nil
	}
	f, err := os.Open(w.opts.Path)
	if err != nil {
		return fmt.Errorf("warehouse: copy file: %w", err)
	}
	w.file = f
	return nil
}

// checkpoint puts every committed change into the file and returns its
// headers and size after the checkpoint (fileMu held).
func (w *Warehouse) checkpoint(ctx context.Context) ([]byte, int64, error) {
	// Commits not yet checkpointed are in the WAL (DuckDB writes it at
	// commit only). If there are some and the checkpoint leaves the
	// headers as they were, it did not run, and the file lacks them.
	pending := false
	if st, err := os.Stat(w.opts.Path + ".wal"); err == nil && st.Size() > 0 {
		pending = true
	}
	prev, err := w.header()
	if err != nil {
		return nil, 0, err
	}
	if _, err := w.db.ExecContext(ctx, "CHECKPOINT"); err != nil {
		if ctx.Err() != nil {
			return nil, 0, fmt.Errorf("warehouse: copy file: checkpoint: %w", ctx.Err())
		}
		return nil, 0, fmt.Errorf("%w: checkpoint: %v", ErrNoFileCopy, err)
	}
	before, err := w.header()
	if err != nil {
		return nil, 0, err
	}
	if pending && bytes.Equal(prev, before) {
		return nil, 0, fmt.Errorf("%w: the checkpoint did not write the WAL's commits", ErrNoFileCopy)
	}
	st, err := w.file.Stat()
	if err != nil {
		return nil, 0, fmt.Errorf("warehouse: copy file: %w", err)
	}
	return before, st.Size(), nil
}

func (w *Warehouse) header() ([]byte, error) {
	b := make([]byte, headerBytes)
	n, err := w.file.ReadAt(b, 0)
	if err != nil && !(errors.Is(err, io.EOF) && n > 0) {
		return nil, fmt.Errorf("warehouse: copy file: read header: %w", err)
	}
	return b[:n], nil
}

// copyBuffer is how much of the file one read takes.
const copyBuffer = headerBytes + 32*ChunkBytes

// copyTo copies the first size bytes of the file, as it is now, to a new
// file dst, and returns their chunk sums.
func (w *Warehouse) copyTo(ctx context.Context, dst string, size int64) (*BlockSums, error) {
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, fmt.Errorf("warehouse: copy file: %w", err)
	}
	sums := &BlockSums{Size: size, Sums: make([]uint64, chunkCount(size))}
	err = eachChunkRun(w.file, size, make([]byte, copyBuffer), ctxCheck(ctx), func(first int, data []byte, _ int64) error {
		hashChunks(sums.Sums, first, data)
		if _, err := out.Write(data); err != nil {
			return fmt.Errorf("warehouse: copy file to %s: %w", dst, err)
		}
		return nil
	})
	if err != nil {
		_ = out.Close()
		return nil, err
	}
	if err := out.Close(); err != nil {
		return nil, fmt.Errorf("warehouse: copy file to %s: %w", dst, err)
	}
	return sums, nil
}

// ctxCheck reports ctx's end as a copy error.
func ctxCheck(ctx context.Context) func() error {
	return func() error {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("warehouse: copy file: %w", err)
		}
		return nil
	}
}
