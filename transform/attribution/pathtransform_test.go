package attribution

import (
	"slices"
	"strings"
	"testing"
)

// The PathTransformer gives the same paths as the reference transforms on the cases of
// fractribution's path_transforms.sql and snowplow's test_path_transformations table.
func TestPathTransformerMatchesTransforms(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, spec, want string }{
		{"D>A>B>B>C>D>C>C", "unique", "D>A>B>B>C>D>C>C"},
		{"D>A>B>B>C>D>C>C", "exposure", "D>A>B>C>D>C"},
		{"D>A>B>B>C>D>C>C", "first", "D>A>B>C"},
		{"D>A>B>B>C>D>C>C", "frequency", "D(2)>A(1)>B(2)>C(3)"},
		{"D>A>B>B>C>D>C>C", "trim_long(2)", "C>C"},
		{"Example>Video>Direct>Direct", "remove_if_not_all(Direct)", "Example>Video"},
		{"Example>Video>Direct>Direct", "remove_if_last_and_not_all(Direct)", "Example>Video"},
		{"Direct>Direct", "remove_if_not_all(Direct)", "Direct>Direct"},
		{"Direct>Direct", "remove_if_last_and_not_all(Direct)", "Direct>Direct"},
		{"a>a>a>Direct>a>Direct>Direct", "remove_if_not_all(Direct)", "a>a>a>a"},
		{"a>a>a>Direct>a>Direct>Direct", "remove_if_last_and_not_all(Direct)", "a>a>a>Direct>a"},
		{"a>a>a>Direct>a>Direct>Direct", "frequency", "a(4)>Direct(3)"},
		{"A>B>A>A", "remove_if_not_all(A)", "B"},
		{"A>B>A>A", "remove_if_last_and_not_all(A)", "A>B"},
		{"A>B>A>A", "remove_if_not_all(Nowhere)", "A>B>A>A"},
		{"Direct", "trim_long(3)", "Direct"},
		// Chains apply in order.
		{"D>A>A>B", "exposure,trim_long(2)", "A>B"},
		{"D>A>A>B", "trim_long(2),exposure", "A>B"},
		{"Direct>A>Direct>A>B", "remove_if_not_all(Direct),exposure", "A>B"},
		{"Direct>A>Direct>A>B", "exposure,first", "Direct>A>B"},
	}
	for _, tc := range cases {
		ch := newChannels()
		in := ch.path(tc.in)
		orig := slices.Clone(in)
		ops, err := ParsePathTransforms(strings.Split(tc.spec, ","))
		if err != nil {
			t.Fatal(err)
		}
		pt := NewPathTransformer(ops, ch.names)
		out, owner := pt.Apply(in)
		var parts []string
		for _, c := range out {
			parts = append(parts, pt.States()[c])
		}
		if got := strings.Join(parts, ">"); got != tc.want {
			t.Errorf("%s(%s) = %s, want %s", tc.spec, tc.in, got, tc.want)
		}
		if !slices.Equal(in, orig) {
			t.Errorf("%s modified its input %s", tc.spec, tc.in)
		}
		// Every kept touch points at a step of its own channel (or its frequency state),
		// and every step stands for at least one touch.
		used := make([]bool, len(out))
		for i, o := range owner {
			if o < 0 {
				continue
			}
			used[o] = true
			if name := pt.States()[out[o]]; !strings.HasPrefix(name, ch.names[in[i]]) {
				t.Errorf("%s(%s): touch %d (%s) owned by step %s", tc.spec, tc.in, i, ch.names[in[i]], name)
			}
		}
		for j, u := range used {
			if !u {
				t.Errorf("%s(%s): step %d stands for no touch", tc.spec, tc.in, j)
			}
		}
	}
}

// Which touches a transformed step stands for, and how its credit spreads back.
func TestPathTransformerOwners(t *testing.T) {
	t.Parallel()
	ch := newChannels()
	in := ch.path("D>A>B>B>C>D>C>C")
	cases := map[string][]int32{
		"unique":       {0, 1, 2, 3, 4, 5, 6, 7},
		"exposure":     {0, 1, 2, 2, 3, 4, 5, 5},
		"first":        {0, 1, 2, -1, 3, -1, -1, -1},
		"frequency":    {0, 1, 2, 2, 3, 0, 3, 3},
		"trim_long(3)": {-1, -1, -1, -1, -1, 0, 1, 2},
	}
	for spec, want := range cases {
		ops, err := ParsePathTransforms([]string{spec})
		if err != nil {
			t.Fatal(err)
		}
		_, owner := NewPathTransformer(ops, ch.names).Apply(in)
		if !slices.Equal(owner, want) {
			t.Errorf("%s owners = %v, want %v", spec, owner, want)
		}
	}
	// exposure: D A B C D C with step credits 0.1 0.2 0.3 0.1 0.2 0.1; B's 0.3 and the last
	// C's 0.1 are each shared by two touches.
	got := SpreadCredit([]float64{0.1, 0.2, 0.3, 0.1, 0.2, 0.1}, []int32{0, 1, 2, 2, 3, 4, 5, 5})
	want := []float64{0.1, 0.2, 0.15, 0.15, 0.1, 0.2, 0.05, 0.05}
	for i := range want {
		if d := got[i] - want[i]; d > 1e-15 || d < -1e-15 {
			t.Errorf("SpreadCredit = %v, want %v", got, want)
			break
		}
	}
	// first: dropped touches get nothing.
	got = SpreadCredit([]float64{0.5, 0.5}, []int32{0, -1, 1})
	if !slices.Equal(got, []float64{0.5, 0, 0.5}) {
		t.Errorf("SpreadCredit with a dropped touch = %v", got)
	}
}

func TestParsePathTransform(t *testing.T) {
	t.Parallel()
	good := map[string]PathTransform{
		"exposure":                         {Kind: TransformExposure},
		" unique ":                         {Kind: TransformUnique},
		"remove_if_not_all(Direct)":        {Kind: TransformRemoveIfNotAll, Channel: "Direct"},
		"remove_if_last_and_not_all( 直接 )": {Kind: TransformRemoveIfLastAndNotAll, Channel: "直接"},
		"trim_long(5)":                     {Kind: TransformTrimLong, N: 5},
	}
	for s, want := range good {
		got, err := ParsePathTransform(s)
		if err != nil || got != want {
			t.Errorf("ParsePathTransform(%q) = %+v, %v; want %+v", s, got, err, want)
		}
		if again, err := ParsePathTransform(got.String()); err != nil || again != got {
			t.Errorf("%q does not round-trip: %q", s, got.String())
		}
	}
	for _, s := range []string{"", "exposure(1)", "remove_if_not_all", "remove_if_not_all()", "trim_long", "trim_long(0)",
		"trim_long(x)", "trim_long(3", "shuffle"} {
		if _, err := ParsePathTransform(s); err == nil {
			t.Errorf("ParsePathTransform(%q): no error", s)
		}
	}
}
