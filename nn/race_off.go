//go:build !race

package nn

// raceEnabled reports whether the binary was built with the race detector.
const raceEnabled = false
