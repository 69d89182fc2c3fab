package simplegokernel

import (
	"slices"
	"sync/atomic"
	_ "unsafe" // go:linkname

	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
)

// This file speeds up the other half of simplego's blocked DotGeneral: copying each operand into
// the block layout [batch, crossBlocks, contractBlocks, blockDim, blockDim] (simplego's
// dgCopyFlatToBlockShape, a scalar loop that recomputes a 5-axis index for every value). The
// table of those copiers (dotGeneralFlatToBlockDTypeMap) has an exported function type, so the
// replacement needs no reflection. It copies whole rows when the contracting (or the cross)
// values are contiguous in the operand, which covers dense layers, attention and their
// gradients, and gathers value by value otherwise.

// flatToBlockFunc is the type of simplego's flat-to-block copiers: copy source (with the given
// contracting and batch axes) into blkOutput, normalized to [batchSize, crossSize,
// contractingSize] and cut into square blocks of 2^blkLog2Dim.
type flatToBlockFunc = func(source, blkOutput *simplego.Buffer, contractingAxes, batchAxes []int,
	batchSize, crossSize, contractingSize, blkLog2Dim int)

// flatToBlockCopiers is simplego's table of flat-to-block copiers, indexed by dtype.
//
//go:linkname flatToBlockCopiers github.com/gomlx/gomlx/backends/simplego.dotGeneralFlatToBlockDTypeMap
var flatToBlockCopiers *simplego.DTypeMap

var (
	// stockRepack is simplego's float32 copier that installRepack wrapped.
	stockRepack flatToBlockFunc
	// repacks counts the operands that repack copied (for tests).
	repacks atomic.Int64
)

// installRepack wraps simplego's float32 flat-to-block copier; it reports whether it did.
func installRepack() bool {
	if flatToBlockCopiers == nil {
		return false
	}
	stock, ok := flatToBlockCopiers.Get(dtypes.Float32).(flatToBlockFunc)
	if !ok {
		return false
	}
	stockRepack = stock
	flatToBlockCopiers.Register(dtypes.Float32, registerPriority, flatToBlockFunc(
		func(source, blkOutput *simplego.Buffer, contractingAxes, batchAxes []int,
			batchSize, crossSize, contractingSize, blkLog2Dim int) {
			if enabled.Load() && repack(source, blkOutput, contractingAxes, batchAxes,
				batchSize, crossSize, contractingSize, blkLog2Dim) {
				return
			}
			stock(source, blkOutput, contractingAxes, batchAxes, batchSize, crossSize, contractingSize, blkLog2Dim)
		}))
	return true
}

// axisOffsets returns the flat offsets into a row-major array of the given dimensions of every
// combination of indices on the given axes, enumerated in row-major order over those axes (the
// last one fastest): the order in which simplego numbers the batch, cross or contracting index
// of an operand.
func axisOffsets(dims []int, axes []int) []int {
	strides := make([]int, len(dims))
	stride := 1
	for a := len(dims) - 1; a >= 0; a-- {
		strides[a] = stride
		stride *= dims[a]
	}
	n := 1
	for _, a := range axes {
		n *= dims[a]
	}
	offsets := make([]int, n)
	size := 1
	for i := len(axes) - 1; i >= 0; i-- {
		d, s := dims[axes[i]], strides[axes[i]]
		for j := 1; j < d; j++ {
			for t := range size {
				offsets[j*size+t] = offsets[t] + j*s
			}
		}
		size *= d
	}
	return offsets
}

// contiguous reports whether offsets are 0, 1, 2, ….
func contiguous(offsets []int) bool {
	for i, o := range offsets {
		if o != i {
			return false
		}
	}
	return true
}

// repack copies source into blkOutput (already zeroed, so the padding stays zero), for any
// layout of the operand's axes; it reports false, leaving the copy to simplego, when a buffer is
// not float32 or the sizes are not the expected ones.
func repack(source, blkOutput *simplego.Buffer, contractingAxes, batchAxes []int,
	batchSize, crossSize, contractingSize, blkLog2Dim int) bool {
	shape, err := zeroBackend.BufferShape(source)
	if err != nil || shape.DType != dtypes.Float32 {
		return false
	}
	src, dst := bufferFloat32s(source), bufferFloat32s(blkOutput)
	dim := 1 << blkLog2Dim
	crossBlocks := (crossSize + dim - 1) / dim
	contractBlocks := (contractingSize + dim - 1) / dim
	if src == nil || dst == nil || len(src) != batchSize*crossSize*contractingSize ||
		len(dst) != batchSize*crossBlocks*contractBlocks*dim*dim {
		return false
	}
	rank := shape.Rank()
	isCross := make([]bool, rank)
	for i := range isCross {
		isCross[i] = true
	}
	for _, a := range slices.Concat(contractingAxes, batchAxes) {
		if a < 0 || a >= rank || !isCross[a] {
			return false
		}
		isCross[a] = false
	}
	var crossAxes []int
	for a, c := range isCross {
		if c {
			crossAxes = append(crossAxes, a)
		}
	}
	b := blockLayout{
		src: src, dst: dst,
		batch:    axisOffsets(shape.Dimensions, batchAxes),
		cross:    axisOffsets(shape.Dimensions, crossAxes),
		contract: axisOffsets(shape.Dimensions, contractingAxes),
		log2Dim:  blkLog2Dim,
	}
	if len(b.batch) != batchSize || len(b.cross) != crossSize || len(b.contract) != contractingSize {
		return false
	}
	switch {
	case contiguous(b.contract):
		b.rowsOfContract()
	case contiguous(b.cross):
		b.rowsOfCross()
	default:
		b.gather()
	}
	repacks.Add(1)
	return true
}

// blockLayout is one operand's copy into simplego's block layout dst [batch, crossBlocks,
// contractBlocks, dim, dim] (dim = 2^log2Dim): value (b, c, k) of the normalized operand is
// src[batch[b]+cross[c]+contract[k]] and goes to row c%dim, column k%dim of block
// (b, c/dim, k/dim).
type blockLayout struct {
	src, dst               []float32
	batch, cross, contract []int
	log2Dim                int
}

// blockOffset returns the offset in dst of value (b, c, k).
func (l *blockLayout) blockOffset(b, c, k int) int {
	dim := 1 << l.log2Dim
	crossBlocks := (len(l.cross) + dim - 1) / dim
	contractBlocks := (len(l.contract) + dim - 1) / dim
	block := (b*crossBlocks+c>>l.log2Dim)*contractBlocks + k>>l.log2Dim
	return block<<(2*l.log2Dim) + (c&(dim-1))<<l.log2Dim + k&(dim-1)
}

// rowsOfContract copies when the contracting values of each (b, c) are contiguous in src: each
// such row is cut into pieces of dim, each a row of one block.
func (l *blockLayout) rowsOfContract() {
	dim, contract := 1<<l.log2Dim, len(l.contract)
	for b, bOff := range l.batch {
		for c, cOff := range l.cross {
			row := l.src[bOff+cOff : bOff+cOff+contract]
			for k0 := 0; k0 < contract; k0 += dim {
				at := l.blockOffset(b, c, k0)
				copy(l.dst[at:at+min(dim, contract-k0)], row[k0:])
			}
		}
	}
}

// rowsOfCross copies when the cross values of each (b, k) are contiguous in src: each such row
// becomes column k%dim of the blocks of its contracting block. With the assembly available and
// equally spaced contracting offsets it transposes tile by tile (rowsOfCrossTiled).
func (l *blockLayout) rowsOfCross() {
	if stride, ok := equallySpaced(l.contract); ok && useAsm(1<<l.log2Dim) {
		l.rowsOfCrossTiled(stride)
		return
	}
	dim, cross := 1<<l.log2Dim, len(l.cross)
	for b, bOff := range l.batch {
		for k, kOff := range l.contract {
			row := l.src[bOff+kOff : bOff+kOff+cross]
			for c0 := 0; c0 < cross; c0 += dim {
				block := l.dst[l.blockOffset(b, c0, k):]
				for ci, v := range row[c0:min(c0+dim, cross)] {
					block[ci<<l.log2Dim] = v
				}
			}
		}
	}
}

// equallySpaced reports whether offsets (which start at 0) are 0, s, 2s, … and returns s.
func equallySpaced(offsets []int) (s int, ok bool) {
	if len(offsets) > 1 {
		s = offsets[1]
	}
	for i, o := range offsets {
		if o != i*s {
			return 0, false
		}
	}
	return s, true
}

// rowsOfCrossTiled is rowsOfCross for contracting offsets 0, stride, 2·stride, …: each block
// (b, c/dim, k/dim) is the transpose of a dim × dim tile of src (rows k, row stride stride;
// columns c), done 8 × 8 at a time by transposeTiles and value by value at the ragged edges.
func (l *blockLayout) rowsOfCrossTiled(stride int) {
	dim, cross, contract := 1<<l.log2Dim, len(l.cross), len(l.contract)
	for b, bOff := range l.batch {
		for k0 := 0; k0 < contract; k0 += dim {
			kn := min(dim, contract-k0)
			for c0 := 0; c0 < cross; c0 += dim {
				cn := min(dim, cross-c0)
				out := l.dst[l.blockOffset(b, c0, k0):]
				in := l.src[bOff+k0*stride+c0:]
				k8, c8 := kn&^7, cn&^7
				transposeTiles(out, in, dim, stride, k8/8, c8/8)
				for ki := range kn {
					from := c8
					if ki >= k8 {
						from = 0
					}
					for ci, v := range in[ki*stride+from : ki*stride+cn] {
						out[(from+ci)*dim+ki] = v
					}
				}
			}
		}
	}
}

// gather copies value by value, for layouts where neither the cross nor the contracting values
// are contiguous.
func (l *blockLayout) gather() {
	dim, contract := 1<<l.log2Dim, len(l.contract)
	for b, bOff := range l.batch {
		for c, cOff := range l.cross {
			base := bOff + cOff
			for k0 := 0; k0 < contract; k0 += dim {
				out := l.dst[l.blockOffset(b, c, k0):]
				for ki, kOff := range l.contract[k0:min(k0+dim, contract)] {
					out[ki] = l.src[base+kOff]
				}
			}
		}
	}
}

// bufferFloat32s returns the []float32 behind a simplego buffer, or nil.
func bufferFloat32s(buf *simplego.Buffer) []float32 {
	if buf == nil {
		return nil
	}
	flat, err := zeroBackend.BufferData(buf)
	if err != nil {
		return nil
	}
	data, _ := flat.([]float32)
	return data
}
