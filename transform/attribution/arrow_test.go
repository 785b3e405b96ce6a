package attribution

import (
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// pathRecord builds a steps/conversions/nulls[/value] record; a nil steps entry is null.
func pathRecord(t *testing.T, mem memory.Allocator, steps [][]int32, conv, nulls, value []float64) arrow.RecordBatch {
	t.Helper()
	fields := []arrow.Field{
		{Name: ColNulls, Type: arrow.PrimitiveTypes.Float64},
		{Name: ColSteps, Type: arrow.ListOf(arrow.PrimitiveTypes.Int32)},
		{Name: ColConversions, Type: arrow.PrimitiveTypes.Float64},
		{Name: "ignored", Type: arrow.BinaryTypes.String},
	}
	if value != nil {
		fields = append(fields, arrow.Field{Name: ColValue, Type: arrow.PrimitiveTypes.Float64, Nullable: true})
	}
	b := array.NewRecordBuilder(mem, arrow.NewSchema(fields, nil))
	defer b.Release()
	b.Field(0).(*array.Float64Builder).AppendValues(nulls, nil)
	lb := b.Field(1).(*array.ListBuilder)
	vb := lb.ValueBuilder().(*array.Int32Builder)
	for _, s := range steps {
		if s == nil {
			lb.AppendNull()
			continue
		}
		lb.Append(true)
		vb.AppendValues(s, nil)
	}
	b.Field(2).(*array.Float64Builder).AppendValues(conv, nil)
	for range steps {
		b.Field(3).(*array.StringBuilder).Append("x")
	}
	if value != nil {
		vf := b.Field(4).(*array.Float64Builder)
		for _, v := range value {
			if v < 0 {
				vf.AppendNull()
			} else {
				vf.Append(v)
			}
		}
	}
	return b.NewRecordBatch()
}

func TestPathsFromRecord(t *testing.T) {
	t.Parallel()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	steps := [][]int32{{0, 1, 0}, {1}, {2, 2}}
	rec := pathRecord(t, mem, steps, []float64{1, 0, 2}, []float64{0, 3, 1}, []float64{5, -1, 7})
	paths, err := PathsFromRecord(rec, 3)
	rec.Release()
	if err != nil {
		t.Fatal(err)
	}
	want := []PathCount{
		{Steps: []int32{0, 1, 0}, Conversions: 1, Value: 5},
		{Steps: []int32{1}, Nulls: 3}, // null value reads as 0
		{Steps: []int32{2, 2}, Conversions: 2, Nulls: 1, Value: 7},
	}
	if !slices.EqualFunc(paths, want, func(a, b PathCount) bool { return comparePaths(&a, &b) == 0 }) {
		t.Errorf("got %+v, want %+v", paths, want)
	}

	// A sliced record (non-zero offsets) and no value column.
	rec = pathRecord(t, mem, steps, []float64{1, 0, 2}, []float64{0, 3, 1}, nil)
	sl := rec.NewSlice(1, 3)
	rec.Release()
	paths, err = PathsFromRecord(sl, 3)
	sl.Release()
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 2 || !slices.Equal(paths[1].Steps, []int32{2, 2}) || paths[1].Value != 0 {
		t.Errorf("sliced record: got %+v", paths)
	}
}

func TestPathsFromRecordRejects(t *testing.T) {
	t.Parallel()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	cases := []struct {
		name  string
		steps [][]int32
		n     int
	}{
		{"null steps", [][]int32{{0}, nil}, 2},
		{"empty steps", [][]int32{{0}, {}}, 2},
		{"channel out of range", [][]int32{{0}, {2}}, 2},
	}
	for _, tc := range cases {
		rec := pathRecord(t, mem, tc.steps, []float64{1, 1}, []float64{0, 0}, nil)
		if _, err := PathsFromRecord(rec, tc.n); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
		rec.Release()
	}
	// Wrong column type.
	b := array.NewRecordBuilder(mem, arrow.NewSchema([]arrow.Field{
		{Name: ColSteps, Type: arrow.ListOf(arrow.PrimitiveTypes.Int64)},
		{Name: ColConversions, Type: arrow.PrimitiveTypes.Float64},
		{Name: ColNulls, Type: arrow.PrimitiveTypes.Float64},
	}, nil))
	rec := b.NewRecordBatch()
	b.Release()
	if _, err := PathsFromRecord(rec, 2); err == nil {
		t.Error("list<int64>: no error")
	}
	rec.Release()
	// Missing column.
	b = array.NewRecordBuilder(mem, arrow.NewSchema([]arrow.Field{
		{Name: ColSteps, Type: arrow.ListOf(arrow.PrimitiveTypes.Int32)},
		{Name: ColConversions, Type: arrow.PrimitiveTypes.Float64},
	}, nil))
	rec = b.NewRecordBatch()
	b.Release()
	if _, err := PathsFromRecord(rec, 2); err == nil {
		t.Error("no nulls column: no error")
	}
	rec.Release()
}

func TestPathsFromEmptyRecord(t *testing.T) {
	t.Parallel()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := pathRecord(t, mem, nil, nil, nil, nil)
	defer rec.Release()
	paths, err := PathsFromRecord(rec, 2)
	if err != nil || len(paths) != 0 {
		t.Errorf("empty record: %v, %v", paths, err)
	}
}
