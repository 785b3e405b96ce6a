package warehouse

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/cespare/xxhash/v2"
)

// A copy of the warehouse file (serve's snapshot) keeps, in a sidecar file
// next to it, a 64-bit hash (xxhash64) of each of its chunks: the first
// chunk is DuckDB's headers (headerBytes), every later one ChunkBytes, the
// size of a DuckDB block, so that a block DuckDB rewrites is one chunk.
// A checkpoint rewrites only the blocks that changed and the headers, so
// after a small run only a few chunks of the warehouse hash differently
// from the copy's, and PatchFile writes only those.

// ChunkBytes is the size of the chunks hashed after the headers: DuckDB's
// default block allocation size (256 KiB).
const ChunkBytes = 256 << 10

// sumsMagic starts a sidecar file (version 1).
var sumsMagic = []byte("attrib-chunk-sums-v1\n")

// BlockSums are the chunk hashes of one file of Size bytes.
type BlockSums struct {
	Size int64
	Sums []uint64
}

// SumsPath is the sidecar file of the copy at path.
func SumsPath(path string) string { return path + ".chunks" }

// chunkCount is how many chunks a file of size bytes has.
func chunkCount(size int64) int {
	if size <= headerBytes {
		if size == 0 {
			return 0
		}
		return 1
	}
	return 1 + int((size-headerBytes+ChunkBytes-1)/ChunkBytes)
}

// chunkRange is the byte range [off, end) of chunk i of a file of size bytes.
func chunkRange(i int, size int64) (off, end int64) {
	if i == 0 {
		return 0, min(headerBytes, size)
	}
	off = headerBytes + int64(i-1)*ChunkBytes
	return off, min(off+ChunkBytes, size)
}

// WriteSums writes sums as the sidecar of the copy at path, atomically
// (a new file renamed over the old one, both synced).
func WriteSums(path string, sums *BlockSums) error {
	var b bytes.Buffer
	b.Write(sumsMagic)
	var u [8]byte
	binary.LittleEndian.PutUint64(u[:], uint64(sums.Size))
	b.Write(u[:])
	binary.LittleEndian.PutUint64(u[:], uint64(len(sums.Sums)))
	b.Write(u[:])
	for _, s := range sums.Sums {
		binary.LittleEndian.PutUint64(u[:], s)
		b.Write(u[:])
	}
	binary.LittleEndian.PutUint64(u[:], xxhash.Sum64(b.Bytes()))
	b.Write(u[:])
	dst := SumsPath(path)
	tmp := dst + ".new"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("warehouse: write chunk sums: %w", err)
	}
	if _, err := f.Write(b.Bytes()); err != nil {
		_ = f.Close()
		return fmt.Errorf("warehouse: write chunk sums: %w", err)
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return fmt.Errorf("warehouse: write chunk sums: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("warehouse: write chunk sums: %w", err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		return fmt.Errorf("warehouse: write chunk sums: %w", err)
	}
	return syncDir(filepath.Dir(dst))
}

// ErrNoSums is returned by ReadSums when the copy has no usable sidecar:
// none (never written, or removed while the copy was being patched), or
// damaged. Such a copy cannot be patched; copy the whole file instead.
var ErrNoSums = errors.New("warehouse: no chunk sums for the copy")

// ReadSums reads the sidecar of the copy at path and checks that it
// describes a file of the copy's size.
func ReadSums(path string) (*BlockSums, error) {
	b, err := os.ReadFile(SumsPath(path))
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNoSums
	}
	if err != nil {
		return nil, fmt.Errorf("warehouse: read chunk sums: %w", err)
	}
	fixed := len(sumsMagic) + 16
	if len(b) < fixed+8 || !bytes.HasPrefix(b, sumsMagic) {
		return nil, fmt.Errorf("%w: %s is not a chunk sums file", ErrNoSums, SumsPath(path))
	}
	body, tail := b[:len(b)-8], b[len(b)-8:]
	if xxhash.Sum64(body) != binary.LittleEndian.Uint64(tail) {
		return nil, fmt.Errorf("%w: %s is damaged", ErrNoSums, SumsPath(path))
	}
	size := int64(binary.LittleEndian.Uint64(b[len(sumsMagic):]))
	n := binary.LittleEndian.Uint64(b[len(sumsMagic)+8:])
	if size < 0 || n != uint64(chunkCount(size)) || uint64(len(body)-fixed) != n*8 {
		return nil, fmt.Errorf("%w: %s is damaged", ErrNoSums, SumsPath(path))
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("warehouse: read chunk sums: %w", err)
	}
	if st.Size() != size {
		return nil, fmt.Errorf("%w: %s describes %d bytes, the file has %d", ErrNoSums, SumsPath(path), size, st.Size())
	}
	sums := &BlockSums{Size: size, Sums: make([]uint64, n)}
	for i := range sums.Sums {
		sums.Sums[i] = binary.LittleEndian.Uint64(b[fixed+8*i:])
	}
	return sums, nil
}

// RemoveSums removes the sidecar of the copy at path, durably: once it
// returns, a crash leaves the copy without sums (so it is never patched
// again, only replaced).
func RemoveSums(path string) error {
	if err := os.Remove(SumsPath(path)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("warehouse: remove chunk sums: %w", err)
	}
	return syncDir(filepath.Dir(path))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("warehouse: sync %s: %w", dir, err)
	}
	err = d.Sync()
	_ = d.Close()
	if err != nil {
		return fmt.Errorf("warehouse: sync %s: %w", dir, err)
	}
	return nil
}

// errShrunk: the file became shorter while it was read (a checkpoint
// truncated it); the read starts again.
var errShrunk = errors.New("warehouse: the file shrank while it was read")

// sumReaders is how many parts of a file sumFile reads at once: reading a cold 14.6 GB warehouse
// file took 8.1 s in one stream and 4.8 s in four on this machine kind (issue #16).
const sumReaders = 4

// sumFile hashes every chunk of the size bytes of r, in sumReaders parts read at the same time
// (each with a buffer the size of buf).
func sumFile(r io.ReaderAt, size int64, buf []byte, check func() error) (*BlockSums, error) {
	return sumFileParts(r, size, buf, check, sumReaders)
}

// sumFileParts is sumFile in at most readers parts (a file of fewer than 64 chunks in one).
func sumFileParts(r io.ReaderAt, size int64, buf []byte, check func() error, readers int) (*BlockSums, error) {
	sums := &BlockSums{Size: size, Sums: make([]uint64, chunkCount(size))}
	n := len(sums.Sums)
	parts := max(1, min(readers, n/64))
	errs := make([]error, parts)
	var wg sync.WaitGroup
	for p := range parts {
		lo, hi := n*p/parts, n*(p+1)/parts
		b := buf
		if p > 0 {
			b = make([]byte, len(buf))
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[p] = eachChunkRunIn(r, size, lo, hi, b, check, func(first int, data []byte, _ int64) error {
				hashChunks(sums.Sums, first, data)
				return nil
			})
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if errors.Is(err, errShrunk) {
			return sums, errShrunk
		}
	}
	return sums, errors.Join(errs...)
}

// hashChunks hashes data, the chunks from first on, into sums.
func hashChunks(sums []uint64, first int, data []byte) {
	for i := first; len(data) > 0; i++ {
		n := ChunkBytes
		if i == 0 {
			n = headerBytes
		}
		n = min(n, len(data))
		sums[i] = xxhash.Sum64(data[:n])
		data = data[n:]
	}
}

// eachChunkRun reads the first size bytes of r in runs of whole chunks
// (at most len(buf) bytes, which must hold one chunk) and hands each run to
// fn with the index of its first chunk and its offset; check runs before
// each read (a cancelled context).
func eachChunkRun(r io.ReaderAt, size int64, buf []byte, check func() error, fn func(first int, data []byte, off int64) error) error {
	return eachChunkRunIn(r, size, 0, chunkCount(size), buf, check, fn)
}

// eachChunkRunIn is eachChunkRun over the chunks lo..hi-1 only.
func eachChunkRunIn(r io.ReaderAt, size int64, lo, hi int, buf []byte, check func() error, fn func(first int, data []byte, off int64) error) error {
	per := max(1, (len(buf)-headerBytes)/ChunkBytes)
	for i := lo; i < hi; {
		j := min(hi, i+per)
		if i == 0 {
			j = min(hi, 1+per) // the headers and per chunks
		}
		off, _ := chunkRange(i, size)
		_, end := chunkRange(j-1, size)
		if err := check(); err != nil {
			return err
		}
		data := buf[:end-off]
		if _, err := r.ReadAt(data, off); errors.Is(err, io.EOF) {
			return errShrunk
		} else if err != nil {
			return fmt.Errorf("warehouse: read file: %w", err)
		}
		if err := fn(i, data, off); err != nil {
			return err
		}
		i = j
	}
	return nil
}
