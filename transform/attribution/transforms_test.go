package attribution

import (
	"slices"
	"strings"
	"testing"
)

// Cases from fractribution's path_transforms.sql and snowplow's test_path_transformations
// expected table, through the production PathTransformer, one transform at a time.
func TestTransforms(t *testing.T) {
	t.Parallel()
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
	// apply runs the production PathTransformer with one transform spec.
	apply := func(path, spec string) string {
		ch := newChannels()
		in := ch.path(path)
		orig := slices.Clone(in)
		ops, err := ParsePathTransforms([]string{spec})
		if err != nil {
			t.Fatal(err)
		}
		pt := NewPathTransformer(ops, ch.names)
		out, _ := pt.Apply(in)
		if !slices.Equal(in, orig) {
			t.Errorf("%s modified its input %s", spec, path)
		}
		var parts []string
		for _, c := range out {
			parts = append(parts, pt.States()[c])
		}
		return strings.Join(parts, ">")
	}
	for _, tc := range cases {
		check := func(spec, want string) {
			if got := apply(tc.in, spec); got != want {
				t.Errorf("%s(%s) = %s, want %s", spec, tc.in, got, want)
			}
		}
		check("unique", tc.unique)
		check("exposure", tc.exposure)
		check("first", tc.first)
		check("frequency", tc.frequency)
		check("remove_if_not_all("+x+")", tc.removeNotAll)
		check("remove_if_last_and_not_all("+x+")", tc.removeLastNotAll)
		check("trim_long(2)", tc.trim2)
	}
	// snowplow's documented example with target A: A>B>A>A.
	if got := apply("A>B>A>A", "remove_if_not_all(A)"); got != "B" {
		t.Errorf("RemoveIfNotAll(A>B>A>A, A) = %s, want B", got)
	}
	if got := apply("A>B>A>A", "remove_if_last_and_not_all(A)"); got != "A>B" {
		t.Errorf("RemoveIfLastAndNotAll(A>B>A>A, A) = %s, want A>B", got)
	}
	// exposure and channelCounts, which fractribution and the frequency transform build on.
	ch := newChannels()
	in := ch.path("D>A>B>B>C>D>C>C")
	if got, want := exposure(in), ch.path("D>A>B>C>D>C"); !slices.Equal(got, want) {
		t.Errorf("exposure = %v, want %v", got, want)
	}
	chans, counts := channelCounts(in)
	if want := ch.path("D>A>B>C"); !slices.Equal(chans, want) || !slices.Equal(counts, []int32{2, 1, 2, 3}) {
		t.Errorf("channelCounts = %v %v, want %v [2 1 2 3]", chans, counts, want)
	}
}
