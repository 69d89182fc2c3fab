// Package simplegokernel makes float32 matrix products on GoMLX's pure-Go backend (simplego,
// github.com/gomlx/gomlx v0.26.0) faster by replacing the block kernel of simplego's blocked
// DotGeneral with an AVX2 + FMA assembly kernel, without forking GoMLX.
//
// simplego multiplies large operands by copying them into square blocks (32 × 32 for float32 by
// default: simplego.DotGeneralTargetBlockLog2Dim) and calling a per-dtype block kernel,
// output[i][j] += Σ_k lhs[i][k]·rhs[j][k], for every triple of blocks. The kernels come from an
// unexported table (dotGeneralKernelDTypeMap, a *simplego.DTypeMap) that this package reaches
// with go:linkname; its stock float32 kernel is scalar Go. Install registers, at a higher
// priority, a builder with exactly the stock builder's type (made with reflect.MakeFunc, since
// the kernel's function type is unexported) whose kernels transpose the rhs block into a scratch
// array and run a 4 × 16 register-tiled FMA micro-kernel. With a fast kernel, the rest of the
// blocked DotGeneral costs more than the products, so it also replaces, for float32 only,
// simplego's copier of operands into the block layout (repack.go) and its buffer fill, which
// zeroes the block buffers (fill.go).
//
// It also replaces, for float32 operands, simplego's value-by-value executors of the elementwise
// binary ops with broadcasting, the reductions, exp and tanh, BroadcastInDim and Transpose
// (elementwise.go; installed by InstallElementwise).
//
// The package installs itself when imported (package nn imports it, so every model, training and
// prediction path gets it). The matmul kernel installs on amd64 CPUs with AVX2 and FMA, unless
// the environment variable ASTROONE_STOCK_MATMUL is "1" (StockEnv), which keeps simplego's stock
// kernel for comparisons; elsewhere it does nothing. The elementwise executors install on every
// architecture (their AVX2 parts only where the CPU has it) unless ASTROONE_STOCK_ELEMENTWISE is
// "1" (ElementwiseStockEnv). ASTROONE_STOCK_SIMPLEGO=1 (StockAllEnv) keeps all of the stock code. It only touches simplego's tables, so it is harmless when
// GOMLX_BACKEND selects another backend (XLA). Block dimensions the assembly does not handle
// (not a multiple of 16) use a pure-Go kernel.
package simplegokernel

import (
	"os"
	"reflect"
	"sync"
	"sync/atomic"
	_ "unsafe" // go:linkname

	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
)

// StockEnv is the environment variable that, set to "1" when the process starts, keeps
// simplego's stock float32 matmul kernel (Install does nothing; the elementwise executors are
// still installed, see ElementwiseStockEnv and StockAllEnv).
const StockEnv = "ASTROONE_STOCK_MATMUL"

// dotGeneralKernels is simplego's table of block-kernel builders, indexed by dtype. Each value is
// a func(lhs, rhs, output *simplego.Buffer, blockDim int) kernelFuncType, where kernelFuncType
// is simplego's unexported func(lhsBlockIdx, rhsBlockIdx, outputBlockIdx int).
//
//go:linkname dotGeneralKernels github.com/gomlx/gomlx/backends/simplego.dotGeneralKernelDTypeMap
var dotGeneralKernels *simplego.DTypeMap

// registerPriority is the priority of our float32 builder in simplego's table: above the stock
// kernels' (0 for the generic ones, 1 for the typed bfloat16 one).
const registerPriority = 10

var (
	installOnce sync.Once
	installed   bool
	// enabled switches the installed builder between our kernel and the stock one.
	enabled atomic.Bool
	// stockBuilder is simplego's float32 builder that install wrapped.
	stockBuilder reflect.Value
	// builds counts the kernels that the installed builder has built (for tests).
	builds atomic.Int64
)

func init() {
	Install()
	InstallElementwise()
}

// Install registers the fast float32 block kernel in simplego's kernel table and reports whether
// it is installed. It is called when the package is initialised; later calls do nothing but
// report. It installs nothing when $ASTROONE_STOCK_MATMUL or $ASTROONE_STOCK_SIMPLEGO is "1", when
// the CPU lacks AVX2 or FMA
// (or the architecture is not amd64), or when simplego's table does not have the shape this
// package was written against (then the stock kernel stays).
func Install() bool {
	installOnce.Do(func() {
		if os.Getenv(StockEnv) == "1" || os.Getenv(StockAllEnv) == "1" || !hasAsm {
			return
		}
		installed = install()
		if installed {
			installRepack()
			installFill()
		}
		enabled.Store(installed)
	})
	return installed
}

// Installed reports whether Install has put the fast kernel in simplego's table.
func Installed() bool {
	Install()
	return installed
}

// SetEnabled switches an installed fast kernel on or off (off: every DotGeneral executed
// afterwards uses simplego's stock kernel, operand copier and buffer fill) and returns the
// previous setting. It is for
// comparisons in tests and benchmarks; without an installed kernel it does nothing and returns
// false. The switch is read once per DotGeneral execution.
func SetEnabled(on bool) (previous bool) {
	if !Installed() {
		return false
	}
	return enabled.Swap(on)
}

// zeroBackend only serves BufferData calls, which read a buffer's flat slice (a zero Backend is
// not finalized, the only thing BufferData checks besides the buffer's type).
var zeroBackend simplego.Backend

// float32Data returns the []float32 behind a simplego buffer, or nil.
func float32Data(v reflect.Value) []float32 {
	buf, ok := v.Interface().(*simplego.Buffer)
	if !ok || buf == nil {
		return nil
	}
	flat, err := zeroBackend.BufferData(buf)
	if err != nil {
		return nil
	}
	data, _ := flat.([]float32)
	return data
}

// install wraps the stock float32 builder and registers the wrapper.
func install() bool {
	if dotGeneralKernels == nil {
		return false
	}
	stock := reflect.ValueOf(dotGeneralKernels.Get(dtypes.Float32))
	builderType := stock.Type()
	bufferType := reflect.TypeOf((*simplego.Buffer)(nil))
	if builderType.Kind() != reflect.Func || builderType.NumIn() != 4 || builderType.NumOut() != 1 ||
		builderType.In(0) != bufferType || builderType.In(1) != bufferType ||
		builderType.In(2) != bufferType || builderType.In(3).Kind() != reflect.Int {
		return false
	}
	stockBuilder = stock
	kernelType := builderType.Out(0)
	if !reflect.TypeOf(func(int, int, int) {}).ConvertibleTo(kernelType) {
		return false
	}
	builder := reflect.MakeFunc(builderType, func(args []reflect.Value) []reflect.Value {
		if !enabled.Load() {
			return stock.Call(args)
		}
		kernel := buildKernel(float32Data(args[0]), float32Data(args[1]), float32Data(args[2]), int(args[3].Int()))
		if kernel == nil {
			return stock.Call(args)
		}
		builds.Add(1)
		return []reflect.Value{reflect.ValueOf(kernel).Convert(kernelType)}
	})
	dotGeneralKernels.Register(dtypes.Float32, registerPriority, builder.Interface())
	return true
}

// buildKernel returns the block kernel over the block-layout buffers lhs, rhs and output (blocks
// of blockDim × blockDim values, block b at offset b·blockDim²): it adds the product of lhs block
// l and the transpose of rhs block r to output block o. It returns nil when a buffer is missing.
func buildKernel(lhs, rhs, output []float32, blockDim int) func(l, r, o int) {
	if lhs == nil || rhs == nil || output == nil || blockDim <= 0 {
		return nil
	}
	size := blockDim * blockDim
	return func(l, r, o int) {
		mulAddBlock(lhs[l*size:], rhs[r*size:], output[o*size:], blockDim)
	}
}
