package transform

import (
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// rootsView is the name of the Arrow view roots_fill.sql reads.
const rootsView = "attrib_id_roots_in"

// rootsBatch is how many nodes one Arrow batch of rootsReader holds.
const rootsBatch = 1 << 16

// rootsSchema is id_roots' columns (roots_create.sql).
var rootsSchema = arrow.NewSchema([]arrow.Field{
	{Name: "nid", Type: arrow.PrimitiveTypes.Int32},
	{Name: "root", Type: arrow.PrimitiveTypes.Int32},
	{Name: "comp", Type: arrow.PrimitiveTypes.Int32},
	{Name: "capped", Type: arrow.FixedWidthTypes.Boolean},
	{Name: "cut", Type: arrow.FixedWidthTypes.Boolean},
	{Name: "rep", Type: arrow.PrimitiveTypes.Int32},
	{Name: "size", Type: arrow.PrimitiveTypes.Int32},
}, nil)

// rootsReader hands id_roots' rows to DuckDB as Arrow batches, built as they
// are read: every node i in [0, n) with rootOf(i), and rep and size of its
// root. Row by row through the appender, 36.8 M nodes (18 M people) took 20 s.
// DuckDB reads a stream's batches one at a time, so rootOf (whose find
// compresses paths) is never called concurrently.
type rootsReader struct {
	refs      atomic.Int64
	n, next   int
	rootOf    func(int32) (root, comp int32, capped, cut bool)
	rep, size []int32
	cur       arrow.RecordBatch
	b         *array.RecordBuilder
}

func newRootsReader(n int, rootOf func(int32) (int32, int32, bool, bool), rep, size []int32) *rootsReader {
	r := &rootsReader{n: n, rootOf: rootOf, rep: rep, size: size, b: array.NewRecordBuilder(memory.DefaultAllocator, rootsSchema)}
	r.refs.Store(1)
	return r
}

func (r *rootsReader) Retain() { r.refs.Add(1) }

func (r *rootsReader) Release() {
	if r.refs.Add(-1) == 0 {
		if r.cur != nil {
			r.cur.Release()
			r.cur = nil
		}
		r.b.Release()
	}
}

func (r *rootsReader) Schema() *arrow.Schema { return rootsSchema }

func (r *rootsReader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if r.next >= r.n {
		return false
	}
	end := min(r.next+rootsBatch, r.n)
	nid := r.b.Field(0).(*array.Int32Builder)
	root := r.b.Field(1).(*array.Int32Builder)
	comp := r.b.Field(2).(*array.Int32Builder)
	capped := r.b.Field(3).(*array.BooleanBuilder)
	cut := r.b.Field(4).(*array.BooleanBuilder)
	rep := r.b.Field(5).(*array.Int32Builder)
	size := r.b.Field(6).(*array.Int32Builder)
	for _, f := range r.b.Fields() {
		f.Reserve(end - r.next)
	}
	for i := r.next; i < end; i++ {
		rt, cp, capd, ct := r.rootOf(int32(i))
		nid.UnsafeAppend(int32(i))
		root.UnsafeAppend(rt)
		comp.UnsafeAppend(cp)
		capped.UnsafeAppend(capd)
		cut.UnsafeAppend(ct)
		rep.UnsafeAppend(r.rep[rt])
		size.UnsafeAppend(r.size[rt])
	}
	r.next = end
	r.cur = r.b.NewRecordBatch()
	return true
}

func (r *rootsReader) RecordBatch() arrow.RecordBatch { return r.cur }

// Record is RecordBatch (array.RecordReader still asks for it).
func (r *rootsReader) Record() arrow.RecordBatch { return r.cur }

func (r *rootsReader) Err() error { return nil }

var _ array.RecordReader = (*rootsReader)(nil)
