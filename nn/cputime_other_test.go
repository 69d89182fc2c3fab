//go:build !unix

package nn

import "time"

// processCPUTime is not measured on this platform.
func processCPUTime() time.Duration { return 0 }
