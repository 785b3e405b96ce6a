package warehouse

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/cespare/xxhash/v2"
)

// TestChunkLayout: the headers are chunk 0 (12 KiB), then 256 KiB chunks,
// the last one short (worked out by hand).
func TestChunkLayout(t *testing.T) {
	const h, c = 3 * 4096, 256 * 1024
	for _, tc := range []struct {
		size int64
		n    int
		last [2]int64
	}{
		{0, 0, [2]int64{}},
		{100, 1, [2]int64{0, 100}},
		{h, 1, [2]int64{0, h}},
		{h + 1, 2, [2]int64{h, h + 1}},
		{h + c, 2, [2]int64{h, h + c}},
		{h + c + 1, 3, [2]int64{h + c, h + c + 1}},
		{h + 10*c, 11, [2]int64{h + 9*c, h + 10*c}},
	} {
		if n := chunkCount(tc.size); n != tc.n {
			t.Errorf("size %d: %d chunks, want %d", tc.size, n, tc.n)
			continue
		}
		if tc.n == 0 {
			continue
		}
		if off, end := chunkRange(tc.n-1, tc.size); off != tc.last[0] || end != tc.last[1] {
			t.Errorf("size %d: last chunk [%d, %d), want [%d, %d)", tc.size, off, end, tc.last[0], tc.last[1])
		}
	}
}

// patchEnv is a warehouse with a few MB of data and a tracked copy of it.
func patchEnv(t *testing.T) (*Warehouse, string, *BlockSums) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	w, err := Open(ctx, Options{Path: filepath.Join(dir, "w.duckdb")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	// Strings hash-like, so that compression leaves several MB.
	if _, err := w.DB().Exec(`CREATE TABLE t AS SELECT range::BIGINT AS x, md5(range::VARCHAR) AS s FROM range(1, 300001);
		CREATE TABLE small AS SELECT 1 AS y`); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, "copy.duckdb")
	sums, err := w.CopyFileTracked(ctx, dst)
	if err != nil {
		t.Fatal(err)
	}
	return w, dst, sums
}

func sameFiles(t *testing.T, a, b string) {
	t.Helper()
	x, err := os.ReadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	y, err := os.ReadFile(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(x, y) {
		t.Fatalf("%s (%d bytes) differs from %s (%d bytes)", a, len(x), b, len(y))
	}
}

// TestPatchFile: after a small change, only a few chunks differ; patching
// writes just those and leaves the copy byte for byte the warehouse file,
// with the new rows; its sums are read back as written. A second change
// that drops the big table (the file may shrink) patches as well.
func TestPatchFile(t *testing.T) {
	ctx := context.Background()
	w, dst, sums := patchEnv(t)
	sameFiles(t, dst, w.Path())
	if got, err := ReadSums(dst); err != nil || got.Size != sums.Size || len(got.Sums) != len(sums.Sums) {
		t.Fatalf("sums of the copy: %v", err)
	}
	total := chunkCount(sums.Size)
	if total < 12 {
		t.Fatalf("the warehouse has only %d chunks: too small to tell a patch from a copy", total)
	}
	if _, err := w.DB().Exec(`INSERT INTO t VALUES (1000000, 'new')`); err != nil {
		t.Fatal(err)
	}
	plan, err := w.DiffFile(ctx, sums)
	if err != nil {
		t.Fatal(err)
	}
	chunks, size := plan.Changed()
	if chunks == 0 || chunks > total/3 {
		t.Fatalf("one new row changed %d of %d chunks", chunks, total)
	}
	stats, err := w.PatchFile(ctx, dst, sums, plan)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("one new row: %d of %d chunks written", chunks, total)
	if stats.Chunks != chunks || stats.Written != size {
		t.Fatalf("wrote %d chunks, %d bytes; the plan had %d, %d", stats.Chunks, stats.Written, chunks, size)
	}
	sameFiles(t, dst, w.Path())
	// 1..300000 sum to 300000*300001/2, plus the new row.
	if n, sum := sumIn(t, dst); n != 300001 || sum != 300000*300001/2+1000000 {
		t.Fatalf("patched copy has %d rows summing to %d", n, sum)
	}
	next, err := ReadSums(dst)
	if err != nil {
		t.Fatal(err)
	}

	if _, err := w.DB().Exec(`DROP TABLE t; CREATE TABLE t AS SELECT 7::BIGINT AS x`); err != nil {
		t.Fatal(err)
	}
	plan, err = w.DiffFile(ctx, next)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.PatchFile(ctx, dst, next, plan); err != nil {
		t.Fatal(err)
	}
	sameFiles(t, dst, w.Path())
	if n, sum := sumIn(t, dst); n != 1 || sum != 7 {
		t.Fatalf("patched copy has %d rows summing to %d", n, sum)
	}
}

// TestPatchFileChecksumsAgainAfterCheckpoint: a checkpoint between the plan
// and the patch (the headers changed) makes PatchFile hash the file again,
// so the copy holds the later state, not a mix.
func TestPatchFileChecksumsAgainAfterCheckpoint(t *testing.T) {
	ctx := context.Background()
	w, dst, sums := patchEnv(t)
	if _, err := w.DB().Exec(`INSERT INTO t VALUES (1000000, 'a')`); err != nil {
		t.Fatal(err)
	}
	plan, err := w.DiffFile(ctx, sums)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.DB().Exec(`INSERT INTO t VALUES (2000000, 'b'); CHECKPOINT`); err != nil {
		t.Fatal(err)
	}
	if _, err := w.PatchFile(ctx, dst, sums, plan); err != nil {
		t.Fatal(err)
	}
	sameFiles(t, dst, w.Path())
	if n, sum := sumIn(t, dst); n != 300002 || sum != 300000*300001/2+3000000 {
		t.Fatalf("patched copy has %d rows summing to %d", n, sum)
	}
}

// TestPatchFileFailureLeavesNoSums: a write failing midway leaves the copy
// without sums, so it can never be taken for a good copy and patched or
// opened again.
func TestPatchFileFailureLeavesNoSums(t *testing.T) {
	ctx := context.Background()
	w, dst, sums := patchEnv(t)
	if _, err := w.DB().Exec(`INSERT INTO t VALUES (1000000, 'new'); CREATE TABLE more AS SELECT md5(range::VARCHAR) AS s FROM range(200000)`); err != nil {
		t.Fatal(err)
	}
	plan, err := w.DiffFile(ctx, sums)
	if err != nil {
		t.Fatal(err)
	}
	disk := errors.New("no space left on device")
	runs := 0
	patchHook = func(int) error {
		runs++
		if runs > 1 {
			return disk
		}
		return nil
	}
	defer func() { patchHook = nil }()
	if _, err := w.PatchFile(ctx, dst, sums, plan); !errors.Is(err, disk) {
		t.Fatalf("patch with a failing disk: %v", err)
	}
	if runs < 2 {
		t.Fatalf("the patch wrote %d runs of chunks; the test needs a failure after the first", runs)
	}
	if _, err := ReadSums(dst); !errors.Is(err, ErrNoSums) {
		t.Fatalf("sums of a half-patched copy: %v", err)
	}
}

// TestReadSumsRefusesDamage: a damaged sidecar, or one that describes
// another size than the file's, is no sums at all.
func TestReadSumsRefusesDamage(t *testing.T) {
	_, dst, _ := patchEnv(t)
	b, err := os.ReadFile(SumsPath(dst))
	if err != nil {
		t.Fatal(err)
	}
	b[len(sumsMagic)+20] ^= 1
	if err := os.WriteFile(SumsPath(dst), b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadSums(dst); !errors.Is(err, ErrNoSums) {
		t.Fatalf("damaged sums: %v", err)
	}
	b[len(sumsMagic)+20] ^= 1
	if err := os.WriteFile(SumsPath(dst), b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadSums(dst); err != nil {
		t.Fatalf("repaired sums: %v", err)
	}
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := ReadSums(dst); !errors.Is(err, ErrNoSums) {
		t.Fatalf("sums of a file that grew: %v", err)
	}
}

// TestSumFileInParts: the chunk sums read in parallel parts are each chunk's xxhash, computed here
// one chunk at a time (a file of 300 chunks and a short last one, so that four parts are used and
// their bounds fall inside buffer-sized runs); a file that turns out shorter than its size reports
// errShrunk, as a checkpoint's truncation does.
func TestSumFileInParts(t *testing.T) {
	t.Parallel()
	data := make([]byte, headerBytes+300*ChunkBytes+1000)
	for i := range data {
		data[i] = byte(i*7 + i/ChunkBytes)
	}
	check := func() error { return nil }
	got, err := sumFile(bytes.NewReader(data), int64(len(data)), make([]byte, headerBytes+3*ChunkBytes), check)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Sums) != 302 {
		t.Fatalf("%d sums, want 302", len(got.Sums))
	}
	for i := range got.Sums {
		off, end := chunkRange(i, int64(len(data)))
		if want := xxhash.Sum64(data[off:end]); got.Sums[i] != want {
			t.Fatalf("chunk %d: sum %x, want %x", i, got.Sums[i], want)
		}
	}
	if _, err := sumFile(bytes.NewReader(data[:len(data)-5000]), int64(len(data)), make([]byte, headerBytes+3*ChunkBytes), check); !errors.Is(err, errShrunk) {
		t.Fatalf("a file shorter than its size: %v, want errShrunk", err)
	}
}
