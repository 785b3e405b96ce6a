package mmm

import (
	"context"
	"errors"
)

// errTodo marks the kernel's functions until they land.
var errTodo = errors.New("mmm: not implemented")

// Adstock returns the normalised geometric adstock of x with carry-over
// decay: a[t] = (1-decay) * (x[t] + decay*a'[t-1]) where a' is the raw sum, so
// that a constant series keeps its level.
func Adstock(x []float64, decay float64) []float64 { panic(errTodo) }

// Hill is x^shape / (x^shape + halfSat^shape) for x >= 0 (0 at x = 0).
func Hill(x, halfSat, shape float64) float64 { panic(errTodo) }

// HillDeriv is d Hill / dx.
func HillDeriv(x, halfSat, shape float64) float64 { panic(errTodo) }

// FitModel fits the media mix model to in.
func FitModel(ctx context.Context, in Input, o Options) (*Fit, error) { return nil, errTodo }

// Curve is one channel for Allocate: spend per period now, its bounds, and
// its response (revenue per period as a function of spend per period).
type Curve struct {
	Current  float64
	Min, Max float64
	Response func(s float64) float64
	Marginal func(s float64) float64
}

// Allocate moves the total of Current over curves to maximise the summed
// Response within each curve's [Min, Max], towards equal marginal return.
func Allocate(curves []Curve) ([]float64, error) { return nil, errTodo }
