package attribution

import (
	"encoding/binary"
	"fmt"
)

// Fractribution is Google fractribution's simplified Shapley model ("shapley" in that tool,
// a leave-one-out marginal contribution) over exposure-transformed paths. Build it with
// FitFractribution.
type Fractribution struct {
	nChannels int
	summary   map[string]fracCounts // exposure path key -> counts
}

type fracCounts struct{ conv, nulls float64 }

// FitFractribution builds the path summary: each path is exposure-transformed (consecutive
// repeats collapsed; a no-op on paths that already are) and paths equal after the transform
// are merged by adding their counts. The result does not depend on the order of paths.
func FitFractribution(paths []PathCount, nChannels int) (*Fractribution, error) {
	if err := validatePaths(paths, nChannels); err != nil {
		return nil, err
	}
	f := &Fractribution{nChannels: nChannels, summary: make(map[string]fracCounts, len(paths))}
	var key []byte
	for _, i := range summationOrder(paths) {
		p := &paths[i]
		key = appendPathKey(key[:0], exposure(p.Steps))
		c := f.summary[string(key)]
		c.conv += p.Conversions
		c.nulls += p.Nulls
		f.summary[string(key)] = c
	}
	return f, nil
}

// Credit computes fractribution's attribution of one converting path. The path is
// exposure-transformed; P(x) is conversions/(conversions+non-conversions) of path x in the
// summary (0 when x is absent or has no count). A one-channel path gets all credit. Otherwise
// position i gets max(P(path) - P(path without position i), 0), the counterfactual path taken
// as is (not transformed again); contributions are normalised to sum 1, and when all are zero
// the last touch gets all credit. A position's credit is split equally over the touches it
// collapsed.
func (f *Fractribution) Credit(steps []int32) ([]float64, error) {
	if err := validateSteps(steps, f.nChannels); err != nil {
		return nil, fmt.Errorf("attribution: %w", err)
	}
	path := exposure(steps)
	key := appendPathKey(nil, path)
	p := f.prob(key)
	contrib := make([]float64, len(path))
	if len(path) == 1 {
		contrib[0] = p
	} else {
		var cf []byte
		for i := range path {
			cf = appendPathKey(cf[:0], path[:i])
			cf = appendPathKey(cf, path[i+1:])
			contrib[i] = max(p-f.prob(cf), 0)
		}
	}
	total := 0.0
	for _, c := range contrib {
		total += c
	}
	for i := range contrib {
		if total > 0 {
			contrib[i] /= total
		}
	}
	if total == 0 {
		contrib[len(contrib)-1] = 1
	}
	// Spread each exposure position over the run of touches it stands for.
	out := make([]float64, len(steps))
	for start, pos := 0, 0; start < len(steps); pos++ {
		end := start + 1
		for end < len(steps) && steps[end] == steps[start] {
			end++
		}
		for j := start; j < end; j++ {
			out[j] = contrib[pos] / float64(end-start)
		}
		start = end
	}
	return out, nil
}

func (f *Fractribution) prob(key []byte) float64 {
	c, ok := f.summary[string(key)]
	if !ok || c.conv+c.nulls == 0 {
		return 0
	}
	return c.conv / (c.conv + c.nulls)
}

func appendPathKey(key []byte, path []int32) []byte {
	for _, c := range path {
		key = binary.LittleEndian.AppendUint32(key, uint32(c))
	}
	return key
}

// exposure collapses consecutive repeats (fractribution's exposure transform):
// [D A B B C D C C] -> [D A B C D C]. It does not modify path.
func exposure(path []int32) []int32 {
	out := make([]int32, 0, len(path))
	for i, c := range path {
		if i == 0 || c != path[i-1] {
			out = append(out, c)
		}
	}
	return out
}
