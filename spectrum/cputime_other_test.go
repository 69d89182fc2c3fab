//go:build !unix

package spectrum

import "time"

// processCPU is unavailable here: benchmarks report no CPU split.
func processCPU() (user, sys time.Duration, ok bool) { return 0, 0, false }
