package attribution

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Column names of the Arrow boundary.
const (
	ColSteps       = "steps"       // LIST<INT32>: channel ids in time order
	ColConversions = "conversions" // DOUBLE
	ColNulls       = "nulls"       // DOUBLE
	ColValue       = "value"       // DOUBLE, optional
)

// PathsFromRecord reads aggregated paths from a record batch with columns steps
// LIST<INT32>, conversions DOUBLE, nulls DOUBLE and optionally value DOUBLE (found by name,
// in any order; other columns are ignored). A null steps entry or a null channel id is an
// error; a null count or value reads as 0. The steps are copied, so the record may be
// released afterwards. The paths are validated as every model does.
func PathsFromRecord(rec arrow.RecordBatch, nChannels int) ([]PathCount, error) {
	col := func(name string) arrow.Array {
		if idx := rec.Schema().FieldIndices(name); len(idx) == 1 {
			return rec.Column(idx[0])
		}
		return nil
	}
	steps, ok := col(ColSteps).(*array.List)
	if !ok {
		return nil, fmt.Errorf("attribution: record needs one %s column of type list<int32>", ColSteps)
	}
	ids, ok := steps.ListValues().(*array.Int32)
	if !ok {
		return nil, fmt.Errorf("attribution: column %s must be list<int32>, got %s", ColSteps, steps.DataType())
	}
	nums := make([][]float64, 3)
	for j, name := range []string{ColConversions, ColNulls, ColValue} {
		a := col(name)
		if a == nil && name == ColValue {
			continue
		}
		f, ok := a.(*array.Float64)
		if !ok {
			return nil, fmt.Errorf("attribution: record needs one %s column of type double", name)
		}
		nums[j] = make([]float64, f.Len())
		for i := range nums[j] {
			if f.IsValid(i) {
				nums[j][i] = f.Value(i)
			}
		}
	}
	n := steps.Len()
	if n == 0 {
		return nil, validatePaths(nil, nChannels)
	}
	lo, _ := steps.ValueOffsets(0)
	_, hi := steps.ValueOffsets(n - 1)
	all := make([]int32, hi-lo)
	paths := make([]PathCount, n)
	for i := range paths {
		if steps.IsNull(i) {
			return nil, fmt.Errorf("attribution: row %d: null %s", i, ColSteps)
		}
		start, end := steps.ValueOffsets(i)
		for j := start; j < end && ids.NullN() > 0; j++ {
			if ids.IsNull(int(j)) {
				return nil, fmt.Errorf("attribution: row %d: null channel id", i)
			}
		}
		seg := all[start-lo : end-lo : end-lo]
		copy(seg, ids.Int32Values()[start:end])
		paths[i] = PathCount{Steps: seg, Conversions: nums[0][i], Nulls: nums[1][i]}
		if nums[2] != nil {
			paths[i].Value = nums[2][i]
		}
	}
	if err := validatePaths(paths, nChannels); err != nil {
		return nil, err
	}
	return paths, nil
}
