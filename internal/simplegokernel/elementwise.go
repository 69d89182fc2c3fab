package simplegokernel

import (
	"os"
	"reflect"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// This file replaces, for float32 operands, simplego's executors of the elementwise binary ops
// (Add, Sub, Mul, Div, Max, Min), of the reductions ReduceSum/ReduceMax/ReduceMin and of the
// unary ops Exp, Tanh and Sqrt, and of the data movements BroadcastInDim, Transpose, Slice and the row
// Gather/ScatterSum (gather.go). simplego
// computes these one value at a time, and broadcasts and transposes through per-value multi-axis
// iterators; the replacements work on contiguous runs of values (binary.go with AVX2 Add, Sub,
// Mul and Div in binary_amd64.s, reduce.go, movement.go) and compute exp and tanh eight values
// at a time with AVX2 + FMA (unary.go, unary_amd64.s). Every other dtype, op or layout goes to
// simplego's stock executor, which the wrappers keep.
//
// simplego's executors live in an unexported array indexed by op type (nodeExecutors), reached
// with go:linkname. The executors' arguments are simplego's *Node and *Buffer, whose fields are
// unexported: this file reads the few it needs (a buffer's shape and flat data, a node's output
// shape and op data) at offsets found with package reflect when installing, after checking
// their names and types, and installs nothing if they do not match.

// ElementwiseStockEnv is the environment variable that, set to "1" when the process starts, keeps
// simplego's stock elementwise executors (binary ops, reductions, exp, tanh and sqrt, BroadcastInDim,
// Transpose, Slice, Gather, ScatterSum) while leaving the matmul kernel installed. StockAllEnv keeps every stock code path.
const ElementwiseStockEnv = "ASTROONE_STOCK_ELEMENTWISE"

// StockAllEnv is the environment variable that, set to "1" when the process starts, keeps all of
// simplego's stock code: neither the matmul kernel nor the elementwise executors are installed.
const StockAllEnv = "ASTROONE_STOCK_SIMPLEGO"

// executor is the underlying type of simplego's nodeExecutor.
type executor = func(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer,
	inputsOwned []bool) (*simplego.Buffer, error)

// nodeExecutors is simplego's table of single-output op executors, indexed by op type.
//
//go:linkname nodeExecutors github.com/gomlx/gomlx/backends/simplego.nodeExecutors
var nodeExecutors [backends.OpTypeLast]executor

// getBufferForShape is simplego's (*Backend).getBufferForShape: a buffer from the backend's pool
// (not zeroed) with the given shape.
//
//go:linkname getBufferForShape github.com/gomlx/gomlx/backends/simplego.(*Backend).getBufferForShape
func getBufferForShape(b *simplego.Backend, shape shapes.Shape) *simplego.Buffer

var (
	elemOnce      sync.Once
	elemInstalled bool
	// elemEnabled switches the installed elementwise executors between ours and the stock ones.
	elemEnabled atomic.Bool
	// fastOps counts the executions that took a fast path (for tests).
	fastOps atomic.Int64

	// Field offsets in simplego.Buffer and simplego.Node.
	bufShapeOff, bufFlatOff, nodeShapeOff, nodeDataOff uintptr
)

// InstallElementwise installs the float32 elementwise executors in simplego's executor table and
// reports whether they are installed. It is called when the package is initialised; later calls
// do nothing but report. It installs nothing when $ASTROONE_STOCK_ELEMENTWISE or
// $ASTROONE_STOCK_SIMPLEGO is "1", or when simplego's types do not have the layout this package
// was written against. It does not need AVX2: without it, exp and tanh use package math, as the
// stock code does, and the other ops are plain Go.
func InstallElementwise() bool {
	elemOnce.Do(func() {
		if os.Getenv(ElementwiseStockEnv) == "1" || os.Getenv(StockAllEnv) == "1" {
			return
		}
		elemInstalled = installElementwise()
		elemEnabled.Store(elemInstalled)
	})
	return elemInstalled
}

// SetElementwiseEnabled switches installed elementwise executors on or off (off: every op
// executed afterwards uses simplego's stock code) and returns the previous setting. It is for
// comparisons in tests and benchmarks; without installed executors it does nothing and returns
// false.
func SetElementwiseEnabled(on bool) (previous bool) {
	if !InstallElementwise() {
		return false
	}
	return elemEnabled.Swap(on)
}

// fieldOffset returns the offset of the named field of struct type t if it has type want.
func fieldOffset(t reflect.Type, name string, want reflect.Type) (uintptr, bool) {
	f, ok := t.FieldByName(name)
	if !ok || f.Type != want || len(f.Index) != 1 {
		return 0, false
	}
	return f.Offset, true
}

// findOffsets finds the fields this file reads; it reports whether all have the expected types.
func findOffsets() bool {
	shapeType := reflect.TypeOf(shapes.Shape{})
	anyType := reflect.TypeOf((*any)(nil)).Elem()
	bufType := reflect.TypeOf(simplego.Buffer{})
	nodeType := reflect.TypeOf(simplego.Node{})
	var ok [4]bool
	bufShapeOff, ok[0] = fieldOffset(bufType, "shape", shapeType)
	bufFlatOff, ok[1] = fieldOffset(bufType, "flat", anyType)
	nodeShapeOff, ok[2] = fieldOffset(nodeType, "shape", shapeType)
	nodeDataOff, ok[3] = fieldOffset(nodeType, "data", anyType)
	return ok[0] && ok[1] && ok[2] && ok[3]
}

// bufShape returns a pointer to the shape of a simplego buffer.
func bufShape(b *simplego.Buffer) *shapes.Shape {
	return (*shapes.Shape)(unsafe.Add(unsafe.Pointer(b), bufShapeOff))
}

// bufF32 returns the flat float32 data of a simplego buffer, or nil if it holds another type.
func bufF32(b *simplego.Buffer) []float32 {
	data, _ := (*(*any)(unsafe.Add(unsafe.Pointer(b), bufFlatOff))).([]float32)
	return data
}

// nodeShape returns a pointer to the output shape of a simplego node.
func nodeShape(n *simplego.Node) *shapes.Shape {
	return (*shapes.Shape)(unsafe.Add(unsafe.Pointer(n), nodeShapeOff))
}

// nodeData returns the op-specific data of a simplego node (the axes of a reduction).
func nodeData(n *simplego.Node) any {
	return *(*any)(unsafe.Add(unsafe.Pointer(n), nodeDataOff))
}

// fastExec is a fast path for one op: it returns the output buffer and true, or false (having
// changed nothing) to let the stock executor run.
type fastExec func(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer,
	inputsOwned []bool) (*simplego.Buffer, bool)

// wrap installs fast in front of the stock executor of op.
func wrap(op backends.OpType, fast fastExec) bool {
	stock := nodeExecutors[op]
	if stock == nil {
		return false
	}
	nodeExecutors[op] = func(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer,
		inputsOwned []bool) (*simplego.Buffer, error) {
		if elemEnabled.Load() {
			if out, ok := fast(backend, node, inputs, inputsOwned); ok {
				fastOps.Add(1)
				return out, nil
			}
		}
		return stock(backend, node, inputs, inputsOwned)
	}
	return true
}

// installElementwise wraps the executors; it reports whether it did.
func installElementwise() bool {
	if !findOffsets() {
		return false
	}
	for op, kind := range map[backends.OpType]binaryOp{
		backends.OpTypeAdd: opAdd, backends.OpTypeSub: opSub, backends.OpTypeMul: opMul,
		backends.OpTypeDiv: opDiv, backends.OpTypeMax: opMax, backends.OpTypeMin: opMin,
	} {
		wrap(op, binaryExec(kind))
	}
	for op, kind := range map[backends.OpType]reduceOp{
		backends.OpTypeReduceSum: reduceSum, backends.OpTypeReduceMax: reduceMax,
		backends.OpTypeReduceMin: reduceMin,
	} {
		wrap(op, reduceExec(kind))
	}
	for op, kind := range map[backends.OpType]unaryOp{
		backends.OpTypeExp: unaryExp, backends.OpTypeTanh: unaryTanh, backends.OpTypeSqrt: unarySqrt,
	} {
		wrap(op, unaryExec(kind))
	}
	wrap(backends.OpTypeBroadcastInDim, broadcastInDimExec)
	wrap(backends.OpTypeTranspose, transposeExec)
	wrap(backends.OpTypeSlice, sliceExec)
	wrap(backends.OpTypeGather, gatherExec)
	wrap(backends.OpTypeScatterSum, scatterSumExec)
	return true
}

// isF32 reports whether a buffer holds float32 values.
func isF32(b *simplego.Buffer) bool {
	return b != nil && bufShape(b).DType == dtypes.Float32
}
