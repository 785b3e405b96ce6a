package warehouse

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
)

// FilePlan is what DiffFile found: the warehouse file's state after a
// checkpoint, and which of its chunks differ from a copy's.
type FilePlan struct {
	header  []byte     // the warehouse's headers when it was hashed
	sums    *BlockSums // the warehouse file's chunk sums
	changed []int      // chunks that differ from the copy's
}

// Size is the warehouse file's size in bytes.
func (p *FilePlan) Size() int64 { return p.sums.Size }

// Changed is how many chunks differ from the copy and how many bytes they hold.
func (p *FilePlan) Changed() (chunks int, bytes int64) {
	for _, i := range p.changed {
		off, end := chunkRange(i, p.sums.Size)
		bytes += end - off
	}
	return len(p.changed), bytes
}

// DiffFile checkpoints the warehouse (as CopyFile does), hashes every chunk
// of its file and compares the hashes with old, the sums of a copy of an
// earlier state: the chunks that differ are what PatchFile must write. It
// reads the whole file once and writes nothing.
func (w *Warehouse) DiffFile(ctx context.Context, old *BlockSums) (*FilePlan, error) {
	if w.opts.Path == "" || w.opts.ReadOnly {
		return nil, ErrNoFileCopy
	}
	w.fileMu.Lock()
	defer w.fileMu.Unlock()
	if err := w.openFile(); err != nil {
		return nil, err
	}
	return w.diff(ctx, old)
}

// diff is DiffFile with fileMu held.
func (w *Warehouse) diff(ctx context.Context, old *BlockSums) (*FilePlan, error) {
	buf := make([]byte, copyBuffer)
	for range copyAttempts {
		before, size, err := w.checkpoint(ctx)
		if err != nil {
			return nil, err
		}
		sums, err := sumFile(w.file, size, buf, ctxCheck(ctx))
		if errors.Is(err, errShrunk) {
			continue
		}
		if err != nil {
			return nil, err
		}
		after, err := w.header()
		if err != nil {
			return nil, err
		}
		if bytes.Equal(before, after) {
			return &FilePlan{header: before, sums: sums, changed: changedChunks(old, sums)}, nil
		}
	}
	return nil, fmt.Errorf("%w: a checkpoint ran during each of %d reads", ErrNoFileCopy, copyAttempts)
}

// changedChunks lists the chunks of cur that differ from old: another
// hash, another length, or new.
func changedChunks(old, cur *BlockSums) []int {
	var out []int
	for i, s := range cur.Sums {
		if i < len(old.Sums) {
			o0, o1 := chunkRange(i, old.Size)
			c0, c1 := chunkRange(i, cur.Size)
			if old.Sums[i] == s && o1-o0 == c1-c0 {
				continue
			}
		}
		out = append(out, i)
	}
	return out
}

// PatchStats says what PatchFile did.
type PatchStats struct {
	Chunks  int   // chunks written
	Written int64 // bytes written
	Size    int64 // the copy's size afterwards
}

// patchHook, when set (tests), runs before each run of chunks is written;
// an error stops the patch there, as a failing disk would.
var patchHook func(first int) error

// PatchFile brings the copy at dst, whose sums are old, to the warehouse
// file's state of plan (from DiffFile with the same old): it writes the
// changed chunks in place, truncates the copy to the warehouse's size,
// syncs it and writes its new sums. If a checkpoint changed the warehouse
// since the plan, it hashes the file again first (and again when one runs
// during the writes), so the copy is always one checkpointed state. The
// result is the warehouse file byte for byte.
//
// The copy must not be open in any DuckDB instance (DuckDB caches blocks it
// has read). Its sums are removed, durably, before the first write and
// written again only after the copy is synced: on an error, or after a
// crash, the copy has no sums (ReadSums fails with ErrNoSums) and must be
// discarded, never opened.
func (w *Warehouse) PatchFile(ctx context.Context, dst string, old *BlockSums, plan *FilePlan) (*PatchStats, error) {
	w.fileMu.Lock()
	defer w.fileMu.Unlock()
	if err := w.openFile(); err != nil {
		return nil, err
	}
	if err := RemoveSums(dst); err != nil {
		return nil, err
	}
	out, err := os.OpenFile(dst, os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("warehouse: patch %s: %w", dst, err)
	}
	stats, sums, err := w.patch(ctx, out, old, plan)
	if cerr := out.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("warehouse: patch %s: %w", dst, cerr)
	}
	if err != nil {
		return nil, err
	}
	if err := WriteSums(dst, sums); err != nil {
		return nil, err
	}
	return stats, nil
}

// patch writes plan's chunks to out (fileMu held) and returns the sums of
// what out then holds.
func (w *Warehouse) patch(ctx context.Context, out *os.File, old *BlockSums, plan *FilePlan) (*PatchStats, *BlockSums, error) {
	check := ctxCheck(ctx)
	buf := make([]byte, copyBuffer)
	// What out holds, chunk by chunk, as it is written.
	have := &BlockSums{Size: old.Size, Sums: slices.Clone(old.Sums)}
	stats := &PatchStats{}
	for attempt := range copyAttempts {
		now, err := w.header()
		if err != nil {
			return nil, nil, err
		}
		if attempt > 0 || !bytes.Equal(now, plan.header) {
			if plan, err = w.diff(ctx, have); err != nil {
				return nil, nil, err
			}
		}
		size := plan.sums.Size
		sums := &BlockSums{Size: size, Sums: slices.Clone(plan.sums.Sums)}
		err = eachChangedRun(plan.changed, size, len(buf), func(first, last int) error {
			if err := check(); err != nil {
				return err
			}
			if patchHook != nil {
				if err := patchHook(first); err != nil {
					return err
				}
			}
			off, _ := chunkRange(first, size)
			_, end := chunkRange(last, size)
			data := buf[:end-off]
			if _, err := w.file.ReadAt(data, off); errors.Is(err, io.EOF) {
				return errShrunk
			} else if err != nil {
				return fmt.Errorf("warehouse: patch: read: %w", err)
			}
			hashChunks(sums.Sums, first, data)
			if _, err := out.WriteAt(data, off); err != nil {
				return fmt.Errorf("warehouse: patch %s: %w", out.Name(), err)
			}
			// Should a later attempt hash again, it compares with what out holds.
			for i := first; i <= last && i < len(have.Sums); i++ {
				have.Sums[i] = sums.Sums[i]
			}
			stats.Chunks += last - first + 1
			stats.Written += end - off
			return nil
		})
		if errors.Is(err, errShrunk) {
			continue // a checkpoint truncated the file: hash again
		}
		if err != nil {
			return nil, nil, err
		}
		if err := out.Truncate(size); err != nil {
			return nil, nil, fmt.Errorf("warehouse: patch %s: %w", out.Name(), err)
		}
		// Every chunk now holds what sums says: those written were hashed as
		// written, the others equalled the plan's already (a chunk whose
		// length changed counts as changed), the rest is cut off.
		have = sums
		after, err := w.header()
		if err != nil {
			return nil, nil, err
		}
		if !bytes.Equal(plan.header, after) {
			continue // a checkpoint ran meanwhile: hash again, write what differs
		}
		if err := out.Sync(); err != nil {
			return nil, nil, fmt.Errorf("warehouse: patch %s: %w", out.Name(), err)
		}
		stats.Size = size
		return stats, sums, nil
	}
	return nil, nil, fmt.Errorf("%w: a checkpoint ran during each of %d patches", ErrNoFileCopy, copyAttempts)
}

// eachChangedRun calls fn with each run of consecutive changed chunks
// [first, last] that fits in room bytes.
func eachChangedRun(changed []int, size int64, room int, fn func(first, last int) error) error {
	for k := 0; k < len(changed); {
		first := changed[k]
		off, _ := chunkRange(first, size)
		last := first
		for k+1 < len(changed) && changed[k+1] == last+1 {
			if _, e := chunkRange(last+1, size); e-off > int64(room) {
				break
			}
			last++
			k++
		}
		if err := fn(first, last); err != nil {
			return err
		}
		k++
	}
	return nil
}
