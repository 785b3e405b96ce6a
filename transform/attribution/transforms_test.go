package attribution

import (
	"slices"
	"strings"
	"testing"
)

// Cases from fractribution's path_transforms.sql and snowplow's test_path_transformations
// expected table.
func TestTransforms(t *testing.T) {
	const x = "Direct"
	cases := []struct {
		in                                    string
		unique, exposure, first, frequency    string
		removeNotAll, removeLastNotAll, trim2 string
	}{
		{"D>A>B>B>C>D>C>C", "D>A>B>B>C>D>C>C", "D>A>B>C>D>C", "D>A>B>C", "D(2)>A(1)>B(2)>C(3)", "D>A>B>B>C>D>C>C", "D>A>B>B>C>D>C>C", "C>C"},
		{"Example>Video>Direct>Direct", "Example>Video>Direct>Direct", "Example>Video>Direct", "Example>Video>Direct", "Example(1)>Video(1)>Direct(2)", "Example>Video", "Example>Video", "Direct>Direct"},
		{"Direct>Direct", "Direct>Direct", "Direct", "Direct", "Direct(2)", "Direct>Direct", "Direct>Direct", "Direct>Direct"},
		{"a>a>a>Direct>a>Direct>Direct", "a>a>a>Direct>a>Direct>Direct", "a>Direct>a>Direct", "a>Direct", "a(4)>Direct(3)", "a>a>a>a", "a>a>a>Direct>a", "Direct>Direct"},
		{"Direct", "Direct", "Direct", "Direct", "Direct(1)", "Direct", "Direct", "Direct"},
		{"Example>Video>Direct", "Example>Video>Direct", "Example>Video>Direct", "Example>Video>Direct", "Example(1)>Video(1)>Direct(1)", "Example>Video", "Example>Video", "Video>Direct"},
	}
	ch := newChannels()
	show := func(p []int32) string {
		var parts []string
		for _, c := range p {
			parts = append(parts, ch.names[c])
		}
		return strings.Join(parts, ">")
	}
	for _, tc := range cases {
		in := ch.path(tc.in)
		orig := slices.Clone(in)
		check := func(name, got, want string) {
			if got != want {
				t.Errorf("%s(%s) = %s, want %s", name, tc.in, got, want)
			}
		}
		check("Unique", show(Unique(in)), tc.unique)
		check("Exposure", show(Exposure(in)), tc.exposure)
		check("First", show(First(in)), tc.first)
		chans, counts := Frequency(in)
		var freq []string
		for i, c := range chans {
			freq = append(freq, ch.names[c]+"("+string(rune('0'+counts[i]))+")")
		}
		check("Frequency", strings.Join(freq, ">"), tc.frequency)
		check("RemoveIfNotAll", show(RemoveIfNotAll(in, ch.id(x))), tc.removeNotAll)
		check("RemoveIfLastAndNotAll", show(RemoveIfLastAndNotAll(in, ch.id(x))), tc.removeLastNotAll)
		check("TrimLong(2)", show(TrimLong(in, 2)), tc.trim2)
		check("TrimLong(0)", show(TrimLong(in, 0)), tc.in)
		if !slices.Equal(in, orig) {
			t.Errorf("transforms modified their input %s", tc.in)
		}
	}
	// snowplow's documented example with target A: A>B>A>A.
	in := ch.path("A>B>A>A")
	if got := show(RemoveIfNotAll(in, ch.id("A"))); got != "B" {
		t.Errorf("RemoveIfNotAll(A>B>A>A, A) = %s, want B", got)
	}
	if got := show(RemoveIfLastAndNotAll(in, ch.id("A"))); got != "A>B" {
		t.Errorf("RemoveIfLastAndNotAll(A>B>A>A, A) = %s, want A>B", got)
	}
}
