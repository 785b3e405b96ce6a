//go:build race

package channel

// raceEnabled is true under -race, where sync.Pool (used by regexp) drops
// items on purpose, so allocation counts are meaningless.
const raceEnabled = true
