package attribution

import (
	"errors"
	"fmt"
	"maps"
	"slices"
)

// MaxMarkovOrder is the highest Markov chain order Markov accepts.
const MaxMarkovOrder = 3

const (
	// denseLimit is the largest key space (or transition matrix) indexed by a plain slice;
	// larger ones use maps.
	denseLimit = 1 << 22
	// maxChannelsMarkov keeps base^MaxMarkovOrder state keys within 64 bits.
	maxChannelsMarkov = 1<<21 - 1
)

// MarkovResult is a fitted Markov chain attribution. Slices are indexed by channel id; a
// channel that never occurs in a path with a count has zeros everywhere.
type MarkovResult struct {
	// Order is the chain order the result was fitted with.
	Order int
	// States is the number of transient states (channel tuples) of the chain.
	States int
	// Conversion is the probability of reaching the conversion state from start.
	Conversion float64
	// RemovalEffect is 1 - P(conversion without c)/P(conversion), in [0,1].
	RemovalEffect []float64
	// ValueRemovalEffect is the same ratio for the expected conversion value, where a
	// conversion from a state is worth the mean value per conversion of the paths ending there.
	ValueRemovalEffect []float64
	// Conversions is the global allocation RemovalEffect[c]/sum(RemovalEffect) times the sum
	// of Conversions over all paths.
	Conversions []float64
	// Value is the global allocation ValueRemovalEffect[c]/sum(ValueRemovalEffect) times the
	// sum of Value over all paths.
	Value []float64
}

// Markov fits an order-k Markov chain (1 <= order <= MaxMarkovOrder) with start, conversion and
// null states to paths, solves it exactly as an absorbing chain and returns removal effects and
// the global allocation of conversions and value. See the package documentation for the state
// definition. The result does not depend on the order of paths.
func Markov(paths []PathCount, nChannels, order int) (MarkovResult, error) {
	if order < 1 || order > MaxMarkovOrder {
		return MarkovResult{}, fmt.Errorf("attribution: markov order must be 1..%d, got %d", MaxMarkovOrder, order)
	}
	if nChannels > maxChannelsMarkov {
		return MarkovResult{}, fmt.Errorf("attribution: markov supports at most %d channels, got %d", maxChannelsMarkov, nChannels)
	}
	if err := validatePaths(paths, nChannels); err != nil {
		return MarkovResult{}, err
	}
	ch, totalConv, totalValue := buildChain(paths, nChannels, order)
	n := len(ch.states)
	res := MarkovResult{
		Order:              order,
		States:             n,
		RemovalEffect:      make([]float64, nChannels),
		ValueRemovalEffect: make([]float64, nChannels),
		Conversions:        make([]float64, nChannels),
		Value:              make([]float64, nChannels),
	}
	x, y := make([]float64, n), make([]float64, n)
	removed := make([]bool, n)
	px, py, err := ch.absorb(removed, x, y)
	if err != nil {
		return MarkovResult{}, err
	}
	res.Conversion = px
	members := ch.channelStates(nChannels)
	for c, states := range members {
		if len(states) == 0 {
			continue
		}
		for _, s := range states {
			removed[s] = true
		}
		qx, qy, err := ch.absorb(removed, x, y)
		if err != nil {
			return MarkovResult{}, err
		}
		for _, s := range states {
			removed[s] = false
		}
		res.RemovalEffect[c] = removalEffect(qx, px)
		res.ValueRemovalEffect[c] = removalEffect(qy, py)
	}
	allocate(res.Conversions, res.RemovalEffect, totalConv)
	allocate(res.Value, res.ValueRemovalEffect, totalValue)
	return res, nil
}

// Credit splits one converting path's credit over its distinct channels in proportion to their
// removal effects (equally when all are zero); touches of a channel share its part equally.
func (r *MarkovResult) Credit(steps []int32) ([]float64, error) {
	if err := validateSteps(steps, len(r.RemovalEffect)); err != nil {
		return nil, fmt.Errorf("attribution: %w", err)
	}
	return touchCredits(steps, func(c int32) float64 { return r.RemovalEffect[c] }), nil
}

func removalEffect(without, with float64) float64 {
	if with <= 0 {
		return 0
	}
	return min(max(1-without/with, 0), 1)
}

// allocate sets dst[c] = re[c]/sum(re) * total, or zeros when sum(re) is zero.
func allocate(dst, re []float64, total float64) {
	sum := 0.0
	for _, v := range re {
		sum += v
	}
	if sum <= 0 {
		return
	}
	for c, v := range re {
		dst[c] = v / sum * total
	}
}

// chain is the fitted transition structure. Transient states are numbered 0..n-1 in
// ascending key order; CSR row n is the start state. Conversion and null are implicit.
type chain struct {
	base      uint64
	states    []uint64 // tuple key of each transient state
	rowStart  []int32
	col       []int32
	prob      []float64
	conv      []float64 // P(s -> conversion)
	convValue []float64 // P(s -> conversion) * mean value of a conversion from s
}

// tupleKey encodes a channel tuple as digits c+1 in base nChannels+1, so tuples of different
// lengths never collide.
func tupleKey(t []int32, base uint64) uint64 {
	var k uint64
	for j := len(t) - 1; j >= 0; j-- {
		k = k*base + uint64(t[j]) + 1
	}
	return k
}

// appendStates writes the state sequence of a path into buf[:0]: the windows of `order`
// consecutive touches (the whole path when it is shorter), with consecutive equal states
// collapsed, as ChannelAttribution does.
func appendStates(buf []uint64, steps []int32, order int, base uint64) []uint64 {
	buf = buf[:0]
	width := min(order, len(steps))
	for i := 0; i+width <= len(steps); i++ {
		k := tupleKey(steps[i:i+width], base)
		if len(buf) == 0 || buf[len(buf)-1] != k {
			buf = append(buf, k)
		}
	}
	return buf
}

func buildChain(paths []PathCount, nChannels, order int) (ch *chain, totalConv, totalValue float64) {
	base := uint64(nChannels) + 1
	space := uint64(1)
	for range order {
		space *= base
	}
	idx := newStateIndex(space)
	var buf []uint64
	for i := range paths {
		p := &paths[i]
		if p.Conversions+p.Nulls == 0 {
			continue
		}
		buf = appendStates(buf, p.Steps, order, base)
		for _, k := range buf {
			idx.add(k)
		}
	}
	ch = &chain{base: base, states: idx.number()}
	n := len(ch.states)
	acc := newEdgeAcc(n)
	rowTotal := make([]float64, n+1)
	convW := make([]float64, n)
	valW := make([]exactSum, n)
	var valueSum exactSum
	for _, i := range summationOrder(paths) {
		p := &paths[i]
		totalConv += p.Conversions
		valueSum.add(p.Value)
		w := p.Conversions + p.Nulls
		if w == 0 {
			continue
		}
		buf = appendStates(buf, p.Steps, order, base)
		from := int32(n)
		for _, k := range buf {
			to := idx.id(k)
			acc.add(from, to, w)
			rowTotal[from] += w
			from = to
		}
		rowTotal[from] += w
		convW[from] += p.Conversions
		valW[from].add(p.Value)
	}
	ch.rowStart, ch.col, ch.prob = acc.csr(rowTotal)
	ch.conv = make([]float64, n)
	ch.convValue = make([]float64, n)
	for s := range n {
		if rowTotal[s] > 0 {
			ch.conv[s] = convW[s] / rowTotal[s]
			ch.convValue[s] = valW[s].Float64() / rowTotal[s]
		}
	}
	return ch, totalConv, valueSum.Float64()
}

// channelStates lists, per channel, the transient states whose tuple contains it.
func (ch *chain) channelStates(nChannels int) [][]int32 {
	out := make([][]int32, nChannels)
	for s, k := range ch.states {
		var seen [MaxMarkovOrder]uint64
		for j := 0; k > 0; j++ {
			d := k % ch.base
			k /= ch.base
			if !slices.Contains(seen[:j], d) {
				out[d-1] = append(out[d-1], int32(s))
			}
			seen[j] = d
		}
	}
	return out
}

const (
	solveRelTol = 1e-15
	maxSweeps   = 100000
)

var errNoConvergence = errors.New("attribution: markov solver did not converge")

// absorb solves x = conv + P x and y = convValue + P y by Gauss-Seidel sweeps from zero, with
// removed states held at zero (they lead to null), until no entry changes by more than
// solveRelTol relative. It returns the start state's x and y; x and y are overwritten.
func (ch *chain) absorb(removed []bool, x, y []float64) (float64, float64, error) {
	clear(x)
	clear(y)
	n := len(ch.states)
	for range maxSweeps {
		done := true
		for s := range n {
			if removed[s] {
				continue
			}
			nx, ny := ch.conv[s], ch.convValue[s]
			for e := ch.rowStart[s]; e < ch.rowStart[s+1]; e++ {
				t, p := ch.col[e], ch.prob[e]
				nx += p * x[t]
				ny += p * y[t]
			}
			if changed(nx, x[s]) || changed(ny, y[s]) {
				done = false
			}
			x[s], y[s] = nx, ny
		}
		if done {
			px, py := 0.0, 0.0
			for e := ch.rowStart[n]; e < ch.rowStart[n+1]; e++ {
				px += ch.prob[e] * x[ch.col[e]]
				py += ch.prob[e] * y[ch.col[e]]
			}
			return px, py, nil
		}
	}
	return 0, 0, errNoConvergence
}

func changed(a, b float64) bool {
	d := a - b
	if d < 0 {
		d = -d
	}
	return d > solveRelTol*max(a, b)
}

// stateIndex maps state keys to ids, densely when the key space is small.
type stateIndex struct {
	dense  []int32 // key -> id+1; 0 when absent
	sparse map[uint64]int32
}

func newStateIndex(space uint64) *stateIndex {
	if space <= denseLimit {
		return &stateIndex{dense: make([]int32, space)}
	}
	return &stateIndex{sparse: make(map[uint64]int32)}
}

func (x *stateIndex) add(k uint64) {
	if x.dense != nil {
		x.dense[k] = 1
	} else {
		x.sparse[k] = 0
	}
}

// number gives the added keys ids in ascending key order and returns the keys.
func (x *stateIndex) number() []uint64 {
	var keys []uint64
	if x.dense != nil {
		for k, v := range x.dense {
			if v != 0 {
				x.dense[k] = int32(len(keys)) + 1
				keys = append(keys, uint64(k))
			}
		}
		return keys
	}
	keys = slices.Sorted(maps.Keys(x.sparse))
	for i, k := range keys {
		x.sparse[k] = int32(i)
	}
	return keys
}

func (x *stateIndex) id(k uint64) int32 {
	if x.dense != nil {
		return x.dense[k] - 1
	}
	return x.sparse[k]
}

// edgeAcc sums transition weights from rows 0..n (n = start) to transient columns 0..n-1.
type edgeAcc struct {
	n      int
	dense  []float64
	sparse map[uint64]float64
}

func newEdgeAcc(n int) *edgeAcc {
	if uint64(n+1)*uint64(n) <= denseLimit {
		return &edgeAcc{n: n, dense: make([]float64, (n+1)*n)}
	}
	return &edgeAcc{n: n, sparse: make(map[uint64]float64)}
}

func (a *edgeAcc) add(from, to int32, w float64) {
	k := uint64(from)*uint64(a.n) + uint64(to)
	if a.dense != nil {
		a.dense[k] += w
	} else {
		a.sparse[k] += w
	}
}

// csr returns the rows as compressed sparse rows of probabilities weight/rowTotal, columns
// ascending within a row.
func (a *edgeAcc) csr(rowTotal []float64) (rowStart, col []int32, prob []float64) {
	rowStart = make([]int32, a.n+2)
	emit := func(k uint64, w float64) {
		if w == 0 {
			return
		}
		r := k / uint64(a.n)
		col = append(col, int32(k%uint64(a.n)))
		prob = append(prob, w/rowTotal[r])
		rowStart[r+1]++
	}
	if a.dense != nil {
		for k, w := range a.dense {
			emit(uint64(k), w)
		}
	} else {
		for _, k := range slices.Sorted(maps.Keys(a.sparse)) {
			emit(k, a.sparse[k])
		}
	}
	for r := 1; r < len(rowStart); r++ {
		rowStart[r] += rowStart[r-1]
	}
	return rowStart, col, prob
}
