package attribution

import "slices"

// The path transforms of Google's fractribution and snowplow's dbt-snowplow-fractribution,
// on channel ids. None of them modifies its input; each returns a new slice.

// Unique is fractribution's "unique" transform: the identity. Every touch is kept, repeats
// included ([D A B B C D C C] stays as it is). Use First to drop repeated channels.
func Unique(path []int32) []int32 {
	return slices.Clone(path)
}

// Exposure collapses consecutive repeats: [D A B B C D C C] -> [D A B C D C].
func Exposure(path []int32) []int32 {
	out := make([]int32, 0, len(path))
	for i, c := range path {
		if i == 0 || c != path[i-1] {
			out = append(out, c)
		}
	}
	return out
}

// First keeps the first occurrence of each channel: [D A B B C D C C] -> [D A B C].
func First(path []int32) []int32 {
	out := make([]int32, 0, len(path))
	for _, c := range path {
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// Frequency is fractribution's "frequency" transform: the distinct channels in order of first
// occurrence, each with its total number of touches. [D A B B C D C C] gives channels
// [D A B C] and counts [2 1 2 3], which fractribution writes as D(2) > A(1) > B(2) > C(3).
// A caller that models "channel(count)" as its own state maps each pair to a channel id.
func Frequency(path []int32) (channels, counts []int32) {
	channels = First(path)
	counts = make([]int32, len(channels))
	for _, c := range path {
		counts[slices.Index(channels, c)]++
	}
	return channels, counts
}

// RemoveIfNotAll removes every touch of channel x, unless the path consists only of x, in
// which case the path is returned unchanged: with x = A, [A B A A] -> [B] and [A A] -> [A A].
func RemoveIfNotAll(path []int32, x int32) []int32 {
	out := make([]int32, 0, len(path))
	for _, c := range path {
		if c != x {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return slices.Clone(path)
	}
	return out
}

// RemoveIfLastAndNotAll removes the trailing run of channel x, unless the path consists only
// of x, in which case the path is returned unchanged: with x = A, [A B A A] -> [A B] and
// [A A] -> [A A].
func RemoveIfLastAndNotAll(path []int32, x int32) []int32 {
	end := len(path)
	for end > 0 && path[end-1] == x {
		end--
	}
	if end == 0 {
		return slices.Clone(path)
	}
	return slices.Clone(path[:end])
}

// TrimLong keeps the last n touches of the path; n <= 0 keeps the whole path (fractribution's
// path_lookback_steps).
func TrimLong(path []int32, n int) []int32 {
	if n > 0 && len(path) > n {
		return slices.Clone(path[len(path)-n:])
	}
	return slices.Clone(path)
}
