package attribution

import (
	"fmt"
	"strconv"
	"strings"
)

// Path transform kinds, as written in the config (attribution.path_transforms).
const (
	TransformUnique                = "unique"
	TransformExposure              = "exposure"
	TransformFirst                 = "first"
	TransformFrequency             = "frequency"
	TransformRemoveIfNotAll        = "remove_if_not_all"
	TransformRemoveIfLastAndNotAll = "remove_if_last_and_not_all"
	TransformTrimLong              = "trim_long"
)

// PathTransform is one parsed path transform: a kind with its channel (remove_if_*) or its
// number of steps (trim_long).
type PathTransform struct {
	Kind    string
	Channel string
	N       int
}

// String writes the transform as the config spells it.
func (t PathTransform) String() string {
	switch t.Kind {
	case TransformRemoveIfNotAll, TransformRemoveIfLastAndNotAll:
		return t.Kind + "(" + t.Channel + ")"
	case TransformTrimLong:
		return t.Kind + "(" + strconv.Itoa(t.N) + ")"
	}
	return t.Kind
}

// ParsePathTransform reads one transform: unique, exposure, first, frequency,
// remove_if_not_all(CHANNEL), remove_if_last_and_not_all(CHANNEL) or trim_long(N) with N >= 1.
func ParsePathTransform(s string) (PathTransform, error) {
	s = strings.TrimSpace(s)
	kind, arg, hasArg := s, "", false
	if i := strings.IndexByte(s, '('); i >= 0 {
		if !strings.HasSuffix(s, ")") {
			return PathTransform{}, fmt.Errorf("path transform %q: missing closing parenthesis", s)
		}
		kind, arg, hasArg = strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:len(s)-1]), true
	}
	switch kind {
	case TransformUnique, TransformExposure, TransformFirst, TransformFrequency:
		if hasArg {
			return PathTransform{}, fmt.Errorf("path transform %q takes no argument", kind)
		}
		return PathTransform{Kind: kind}, nil
	case TransformRemoveIfNotAll, TransformRemoveIfLastAndNotAll:
		if arg == "" {
			return PathTransform{}, fmt.Errorf("path transform %q needs a channel: %s(Direct)", kind, kind)
		}
		return PathTransform{Kind: kind, Channel: arg}, nil
	case TransformTrimLong:
		n, err := strconv.Atoi(arg)
		if err != nil || n < 1 {
			return PathTransform{}, fmt.Errorf("path transform %q needs a whole number of steps >= 1: trim_long(5)", s)
		}
		return PathTransform{Kind: kind, N: n}, nil
	}
	return PathTransform{}, fmt.Errorf("unknown path transform %q (one of unique, exposure, first, frequency, "+
		"remove_if_not_all(X), remove_if_last_and_not_all(X), trim_long(N))", s)
}

// ParsePathTransforms parses a list of transforms, applied in list order.
func ParsePathTransforms(specs []string) ([]PathTransform, error) {
	out := make([]PathTransform, 0, len(specs))
	for _, s := range specs {
		t, err := ParsePathTransform(s)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// PathTransformer applies a chain of path transforms to channel-id paths and remembers, for
// every touch of the input, which step of the output stands for it, so that a model's credit
// of a transformed path can be given back to the touches. Transforms that merge touches
// (exposure, frequency) make one step stand for several touches, which share its credit
// equally; transforms that drop touches (first, remove_if_*, trim_long) leave those touches
// without credit. frequency turns each channel into a state "channel(count)", which gets a
// new id after the input channels; States names every id. A PathTransformer is not safe for
// concurrent use (frequency adds states).
type PathTransformer struct {
	ops    []PathTransform
	remove []int32 // channel id of a remove_if_* op, -1 when the channel is unknown
	names  []string
	ids    map[string]int32
}

// NewPathTransformer prepares the chain for paths over the given channels (index = id).
func NewPathTransformer(ops []PathTransform, channels []string) *PathTransformer {
	t := &PathTransformer{ops: ops, remove: make([]int32, len(ops)), names: append([]string(nil), channels...),
		ids: make(map[string]int32, len(channels))}
	for i, c := range channels {
		t.ids[c] = int32(i)
	}
	for i, op := range ops {
		t.remove[i] = -1
		if id, ok := t.ids[op.Channel]; ok && op.Channel != "" {
			t.remove[i] = id
		}
	}
	return t
}

// Identity reports whether the chain leaves every path as it is.
func (t *PathTransformer) Identity() bool {
	for _, op := range t.ops {
		if op.Kind != TransformUnique {
			return false
		}
	}
	return true
}

// States returns the names of all state ids seen so far: the input channels, then the
// frequency states in order of first appearance.
func (t *PathTransformer) States() []string { return t.names }

func (t *PathTransformer) state(name string) int32 {
	if id, ok := t.ids[name]; ok {
		return id
	}
	id := int32(len(t.names))
	t.names = append(t.names, name)
	t.ids[name] = id
	return id
}

// Apply transforms steps (never modified) and returns the transformed path and owner:
// owner[i] is the index in out of the step standing for touch i, or -1 when the touch was
// dropped. The output of a non-empty path is never empty.
func (t *PathTransformer) Apply(steps []int32) (out, owner []int32) {
	owner = make([]int32, len(steps))
	for i := range owner {
		owner[i] = int32(i)
	}
	cur := append([]int32(nil), steps...)
	for k, op := range t.ops {
		var next, m []int32
		switch op.Kind {
		case TransformUnique:
			continue
		case TransformExposure:
			next, m = mergeRuns(cur)
		case TransformFirst:
			next, m = keepFirst(cur)
		case TransformFrequency:
			next, m = t.frequency(cur)
		case TransformRemoveIfNotAll:
			next, m = keepIf(cur, func(i int) bool { return cur[i] != t.remove[k] })
		case TransformRemoveIfLastAndNotAll:
			end := len(cur)
			for end > 0 && cur[end-1] == t.remove[k] {
				end--
			}
			next, m = keepIf(cur, func(i int) bool { return i < end })
		case TransformTrimLong:
			next, m = keepIf(cur, func(i int) bool { return i >= len(cur)-op.N })
		}
		for i, o := range owner {
			if o >= 0 {
				owner[i] = m[o]
			}
		}
		cur = next
	}
	return cur, owner
}

// keepIf keeps the steps for which keep holds; when none would be left the path stays whole
// (remove_if_*'s "unless the path consists only of X").
func keepIf(cur []int32, keep func(i int) bool) (next, m []int32) {
	m = make([]int32, len(cur))
	for i := range cur {
		if keep(i) {
			m[i] = int32(len(next))
			next = append(next, cur[i])
		} else {
			m[i] = -1
		}
	}
	if len(next) == 0 {
		for i := range m {
			m[i] = int32(i)
		}
		return append([]int32(nil), cur...), m
	}
	return next, m
}

// mergeRuns collapses consecutive repeats; each run maps to its one step.
func mergeRuns(cur []int32) (next, m []int32) {
	m = make([]int32, len(cur))
	for i, c := range cur {
		if i == 0 || c != cur[i-1] {
			next = append(next, c)
		}
		m[i] = int32(len(next) - 1)
	}
	return next, m
}

// keepFirst keeps the first touch of each channel and drops the later ones.
func keepFirst(cur []int32) (next, m []int32) {
	m = make([]int32, len(cur))
	seen := map[int32]bool{}
	for i, c := range cur {
		if seen[c] {
			m[i] = -1
			continue
		}
		seen[c] = true
		m[i] = int32(len(next))
		next = append(next, c)
	}
	return next, m
}

// frequency maps each channel to the state "channel(count)" at its first occurrence; all
// touches of the channel merge into that step.
func (t *PathTransformer) frequency(cur []int32) (next, m []int32) {
	channels, counts := channelCounts(cur)
	pos := make(map[int32]int32, len(channels))
	for j, c := range channels {
		pos[c] = int32(j)
		next = append(next, t.state(t.names[c]+"("+strconv.Itoa(int(counts[j]))+")"))
	}
	m = make([]int32, len(cur))
	for i, c := range cur {
		m[i] = pos[c]
	}
	return next, m
}

// channelCounts returns the distinct channels of path in order of first occurrence, each with
// its total number of touches: [D A B B C D C C] gives [D A B C] and [2 1 2 3].
func channelCounts(path []int32) (channels, counts []int32) {
	index := map[int32]int{}
	for _, c := range path {
		i, ok := index[c]
		if !ok {
			i = len(channels)
			index[c] = i
			channels = append(channels, c)
			counts = append(counts, 0)
		}
		counts[i]++
	}
	return channels, counts
}

// SpreadCredit gives each touch its step's credit divided by the number of touches that step
// stands for; dropped touches get 0. The touch credits sum to the step credits' sum.
func SpreadCredit(stepCredit []float64, owner []int32) []float64 {
	n := make([]int, len(stepCredit))
	for _, o := range owner {
		if o >= 0 {
			n[o]++
		}
	}
	out := make([]float64, len(owner))
	for i, o := range owner {
		if o >= 0 {
			out[i] = stepCredit[o] / float64(n[o])
		}
	}
	return out
}
