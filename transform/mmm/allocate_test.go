package mmm

import (
	"math"
	"strings"
	"testing"
)

func logCurve(a, current, lo, hi float64) Curve {
	return Curve{
		Current: current, Min: lo, Max: hi,
		Response: func(s float64) float64 { return a * math.Log1p(s) },
		Marginal: func(s float64) float64 { return a / (1 + s) },
	}
}

func hillCurve(beta, k, shape, current, lo, hi float64) Curve {
	return Curve{
		Current: current, Min: lo, Max: hi,
		Response: func(s float64) float64 { return beta * Hill(s, k, shape) },
		Marginal: func(s float64) float64 { return beta * HillDeriv(s, k, shape) },
	}
}

func sum(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s
}

func TestAllocateLogCurves(t *testing.T) {
	t.Parallel()
	// r_i = a_i log(1+s): equal marginals a1/(1+s1) = a2/(1+s2) with
	// s1+s2 = S give s1 = a1 (S+2)/(a1+a2) - 1.
	a1, a2, S := 3.0, 1.0, 10.0
	got, err := Allocate([]Curve{logCurve(a1, 5, 0, 100), logCurve(a2, 5, 0, 100)})
	if err != nil {
		t.Fatal(err)
	}
	want1 := a1*(S+2)/(a1+a2) - 1 // 8
	if math.Abs(got[0]-want1) > 1e-6 || math.Abs(got[1]-(S-want1)) > 1e-6 {
		t.Errorf("got %v, want [%g %g]", got, want1, S-want1)
	}
	if math.Abs(sum(got)-S) > 1e-9*S {
		t.Errorf("sum %g, want %g", sum(got), S)
	}
}

func TestAllocateHillShapeOne(t *testing.T) {
	t.Parallel()
	// r_i = b_i s/(s+K_i): marginal b_i K_i/(s+K_i)^2, equal when
	// (s1+K1)/sqrt(b1 K1) = (s2+K2)/sqrt(b2 K2). b1=4, K1=1, b2=1, K2=1:
	// s1+1 = 2(s2+1), s1+s2 = 7  =>  s2 = 2, s1 = 5.
	got, err := Allocate([]Curve{hillCurve(4, 1, 1, 3.5, 0, 50), hillCurve(1, 1, 1, 3.5, 0, 50)})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got[0]-5) > 1e-6 || math.Abs(got[1]-2) > 1e-6 {
		t.Errorf("got %v, want [5 2]", got)
	}
}

func TestAllocateBoundsBind(t *testing.T) {
	t.Parallel()
	// As TestAllocateLogCurves but channel 1 may not exceed 6: it gets 6,
	// the rest goes to channel 2; a held channel keeps its spend.
	got, err := Allocate([]Curve{
		logCurve(3, 5, 0, 6),
		logCurve(1, 5, 0, 100),
		logCurve(50, 2, 2, 2), // held
	})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got[0]-6) > 1e-9 || math.Abs(got[1]-4) > 1e-6 || got[2] != 2 {
		t.Errorf("got %v, want [6 4 2]", got)
	}
	// Lower bound binding: channel 2 must keep at least 4.5.
	got, err = Allocate([]Curve{logCurve(3, 5, 0, 100), logCurve(1, 5, 4.5, 100)})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got[0]-5.5) > 1e-6 || math.Abs(got[1]-4.5) > 1e-9 {
		t.Errorf("got %v, want [5.5 4.5]", got)
	}
}

func TestAllocateSShaped(t *testing.T) {
	t.Parallel()
	// Two identical S-curves (Hill shape 3, K 1) and a budget of 1, each in
	// [0, 1]: equal marginals (0.5 each) give 2*0.125/1.125 = 0.222, putting
	// all of it on one channel gives 0.5 - the optimum.
	c := hillCurve(1, 1, 3, 0.5, 0, 1)
	got, err := Allocate([]Curve{c, c})
	if err != nil {
		t.Fatal(err)
	}
	resp := c.Response(got[0]) + c.Response(got[1])
	if math.Abs(resp-0.5) > 1e-9 || math.Abs(sum(got)-1) > 1e-9 {
		t.Errorf("got %v (response %g), want all on one channel (response 0.5)", got, resp)
	}
	// An S-curve against a concave one: with a large enough budget the
	// S-curve gets past its convex part. Check optimality against a fine
	// scan of the one free split.
	s1 := hillCurve(10, 2, 3, 2, 0, 6)
	s2 := logCurve(2, 2, 0, 6)
	got, err = Allocate([]Curve{s1, s2})
	if err != nil {
		t.Fatal(err)
	}
	best := math.Inf(-1)
	for i := 0; i <= 400000; i++ {
		x := 4 * float64(i) / 400000
		best = max(best, s1.Response(x)+s2.Response(4-x))
	}
	if r := s1.Response(got[0]) + s2.Response(got[1]); r < best-1e-7 {
		t.Errorf("got %v, response %.9g; a scan finds %.9g", got, r, best)
	}
}

func TestAllocateInfeasibleAndInvalid(t *testing.T) {
	t.Parallel()
	_, err := Allocate([]Curve{logCurve(1, 5, 6, 10), logCurve(1, 5, 6, 10)})
	if err == nil || !strings.Contains(err.Error(), "cannot hold") {
		t.Errorf("minimums above the total: err = %v", err)
	}
	_, err = Allocate([]Curve{logCurve(1, 5, 0, 4), logCurve(1, 5, 0, 4)})
	if err == nil {
		t.Error("maximums below the total: no error")
	}
	_, err = Allocate([]Curve{logCurve(1, 5, 6, 4)})
	if err == nil {
		t.Error("min > max: no error")
	}
	_, err = Allocate([]Curve{{Current: 1, Min: 0, Max: 2}})
	if err == nil {
		t.Error("no response: no error")
	}
	_, err = Allocate([]Curve{logCurve(1, math.NaN(), 0, 2)})
	if err == nil {
		t.Error("NaN: no error")
	}
	got, err := Allocate(nil)
	if err != nil || len(got) != 0 {
		t.Errorf("no curves: %v %v", got, err)
	}
}

func TestAllocateSumExactAndDeterministic(t *testing.T) {
	t.Parallel()
	var cs []Curve
	for i := range 12 {
		f := float64(i)
		cs = append(cs, hillCurve(10+f, 100+30*f, 0.6+0.2*f, 150+10*f, 0.7*(150+10*f), 1.3*(150+10*f)))
	}
	a, err := Allocate(cs)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Allocate(cs)
	total := 0.0
	for _, c := range cs {
		total += c.Current
	}
	if math.Abs(sum(a)-total) > 1e-9*total {
		t.Errorf("sum %.12g, want %.12g", sum(a), total)
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("two runs differ: %v vs %v", a, b)
		}
		if a[i] < cs[i].Min || a[i] > cs[i].Max {
			t.Errorf("curve %d: %g outside [%g, %g]", i, a[i], cs[i].Min, cs[i].Max)
		}
	}
	// Not worse than the current allocation.
	now, after := 0.0, 0.0
	for i, c := range cs {
		now += c.Response(c.Current)
		after += c.Response(a[i])
	}
	if after < now-1e-9 {
		t.Errorf("allocation lowers the response: %g < %g", after, now)
	}
}
