package nn

import (
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"

	// Installs an AVX2 + FMA float32 block kernel in simplego's blocked DotGeneral (on CPUs that
	// have them, unless ASTROONE_STOCK_MATMUL=1) and faster float32 elementwise ops, reductions,
	// exp/tanh, broadcasts and transposes (unless ASTROONE_STOCK_ELEMENTWISE=1;
	// ASTROONE_STOCK_SIMPLEGO=1 keeps all stock code), so that every model, training and
	// prediction path that gets its backend here uses them. It does nothing to other backends.
	_ "github.com/astroone/astroone-go/internal/simplegokernel"
)

// DefaultBackendConfig is the GoMLX backend configuration that Backend uses when $GOMLX_BACKEND
// is unset or empty: the pure-Go simplego backend with an unbounded worker pool.
//
// simplego's default pool (2×NumCPU slots) deadlocks on graphs with many DotGenerals that can run
// at once, which is what the gemm-based gradients of this package produce: op tasks wait for a
// slot (workersPool.WaitToStart, called from execDotGeneralLarge/Small) while every slot is held
// by executeParallel's node tasks, and the process hangs at 0% CPU. This was first seen in the
// project's GoMLX probes (shared GOMLX-NOTES.md, "simplego pitfalls") and is reproduced by
// TestTrainStepFinishes, which hangs with GOMLX_BACKEND=go:parallelism=2 (the default on two
// cores). With parallelism=-1 the pool never blocks, so the deadlock cannot happen, and it is the
// fastest setting measured for a transformer training step (docs/BENCHMARKS.md, "GoMLX training
// step"); ops_sequential also avoids it.
//
// dotgeneral_large sends every DotGeneral to simplego's blocked kernel instead of choosing by size:
// a `small` training step took 0.60 s instead of 0.70 s on one core (inference was unchanged,
// docs/BENCHMARKS.md).
const DefaultBackendConfig = simplego.BackendName + ":parallelism=-1,dotgeneral_large"

// raceBackendConfig replaces DefaultBackendConfig in binaries built with -race: simplego's
// parallel op scheduler reads execution bookkeeping without its lock (exec.go:430 against the
// locked write at exec.go:478 in v0.26.0). The race looks benign (a stale read only makes an op
// copy an input it could have reused) but the race detector rightly reports it, and it would
// fail every `go test -race` that runs a graph. Sequential op scheduling has no such race.
const raceBackendConfig = simplego.BackendName + ":ops_sequential,parallelism=-1,dotgeneral_large"

// BackendConfig returns the backend configuration that Backend uses, "<name>:<options>" as in
// $GOMLX_BACKEND (backends.ConfigEnvVar). It is $GOMLX_BACKEND when that is set and not empty,
// DefaultBackendConfig otherwise (in a binary built with -race,
// "go:ops_sequential,parallelism=-1,dotgeneral_large", which avoids a data race inside simplego's parallel scheduler). A simplego configuration ("go"
// or "go:...") that sets neither parallelism nor ops_sequential gets parallelism=-1 appended,
// for the reason given on DefaultBackendConfig; an explicit parallelism=N or ops_sequential is
// kept as written.
func BackendConfig() string {
	config := strings.TrimSpace(os.Getenv(backends.ConfigEnvVar))
	if config == "" {
		if raceEnabled {
			return raceBackendConfig
		}
		return DefaultBackendConfig
	}
	name, opts, _ := strings.Cut(config, ":")
	if name != simplego.BackendName {
		return config
	}
	for _, opt := range strings.Split(opts, ",") {
		key, _, _ := strings.Cut(strings.TrimSpace(opt), "=")
		if key == "parallelism" || key == "ops_sequential" {
			return config
		}
	}
	if strings.TrimSpace(opts) == "" {
		return DefaultBackendConfig
	}
	return config + ",parallelism=-1"
}

// constructMu serialises backend construction, during which os.Stdout is redirected.
var constructMu sync.Mutex

// Backend returns a new GoMLX backend for BackendConfig(). Only simplego is compiled in by
// default (no cgo); asking for another backend (e.g. GOMLX_BACKEND=xla) that the binary was
// not built with is an error, not a panic.
//
// simplego announces a parallelism setting with a line on standard output; Backend sends that
// line to standard error instead, so that commands whose standard output is data (JSON, CSV)
// stay clean. (It swaps os.Stdout for the few microseconds of the construction; output written
// by other goroutines at that instant also goes to standard error.)
func Backend() (b backends.Backend, err error) {
	config := BackendConfig()
	constructMu.Lock()
	defer constructMu.Unlock()
	stdout := os.Stdout
	os.Stdout = os.Stderr
	defer func() {
		os.Stdout = stdout
		if r := recover(); r != nil {
			b, err = nil, fmt.Errorf("GoMLX backend %q: %v", config, r)
		}
	}()
	b, err = backends.NewWithConfig(config)
	if err != nil {
		return nil, fmt.Errorf("GoMLX backend %q: %w", config, err)
	}
	return b, nil
}
