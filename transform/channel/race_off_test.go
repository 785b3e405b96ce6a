//go:build !race

package channel

// raceEnabled is true under -race; see race_on_test.go.
const raceEnabled = false
