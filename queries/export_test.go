package queries

import "time"

// SetStepHook lets tests and benchmarks observe the duration of each step of Build.
func SetStepHook(f func(step string, d time.Duration)) { stepDone = f }
