package simplegokernel

import (
	"reflect"
	"unsafe"

	"github.com/gomlx/gomlx/backends/simplego"
)

// Fast paths for three more float32 data movements that simplego runs one value at a time:
// Slice (row copies), and the row gather and row scatter-sum that GoMLX emits for
// Gather(operand, indices) with indices into the first axis and their gradient: out[i] =
// operand[idx[i]] and out[idx[i]] += updates[i], where each "value" is a whole row of the
// trailing axes. They give exactly the stock result (Scatter adds in the same order). The ops'
// parameters live in unexported structs (sliceNode, gatherNode, scatterNode), read with package
// reflect; anything that does not have the expected fields or pattern goes to the stock code.

// fieldInts returns the []int field name of the struct that p (a pointer) points to.
func fieldInts(p reflect.Value, name string) ([]int, bool) {
	if p.Kind() != reflect.Pointer || p.IsNil() || p.Elem().Kind() != reflect.Struct {
		return nil, false
	}
	f := p.Elem().FieldByName(name)
	if !f.IsValid() || f.Kind() != reflect.Slice || f.Type().Elem().Kind() != reflect.Int {
		return nil, false
	}
	out := make([]int, f.Len())
	for i := range out {
		out[i] = int(f.Index(i).Int())
	}
	return out, true
}

// fieldInt returns the int field name of the struct that p (a pointer) points to.
func fieldInt(p reflect.Value, name string) (int, bool) {
	if p.Kind() != reflect.Pointer || p.IsNil() || p.Elem().Kind() != reflect.Struct {
		return 0, false
	}
	f := p.Elem().FieldByName(name)
	if !f.IsValid() || f.Kind() != reflect.Int {
		return 0, false
	}
	return int(f.Int()), true
}

// sliceExec is the fast path of Slice on float32 operands: one copy (or strided loop) per row of
// the last axis.
func sliceExec(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer,
	_ []bool) (*simplego.Buffer, bool) {
	if len(inputs) != 1 || !isF32(inputs[0]) {
		return nil, false
	}
	p := reflect.ValueOf(nodeData(node))
	starts, ok1 := fieldInts(p, "starts")
	strides, ok2 := fieldInts(p, "strides")
	src := bufF32(inputs[0])
	inDims := bufShape(inputs[0]).Dimensions
	outShape := nodeShape(node)
	rank := len(inDims)
	if !ok1 || !ok2 || src == nil || rank == 0 || len(starts) != rank || len(strides) != rank ||
		outShape.Rank() != rank || rank > 64 {
		return nil, false
	}
	outDims := outShape.Dimensions
	var inStride [64]int
	s := 1
	for a := rank - 1; a >= 0; a-- {
		inStride[a] = s
		s *= inDims[a]
	}
	base := 0
	for a := range rank {
		if outDims[a] > 0 && (starts[a] < 0 || strides[a] < 1 || starts[a]+(outDims[a]-1)*strides[a] >= inDims[a]) {
			return nil, false
		}
		base += starts[a] * inStride[a]
	}
	out := getBufferForShape(backend, *outShape)
	if out == nil {
		return nil, false
	}
	o := bufF32(out)
	n, step := outDims[rank-1], strides[rank-1]
	if n == 0 || len(o) == 0 {
		return out, true
	}
	var idx [64]int
	so := base
	for oo := 0; oo+n <= len(o); oo += n {
		dst := o[oo : oo+n]
		if step == 1 {
			copy(dst, src[so:so+n])
		} else {
			row := src[so : so+(n-1)*step+1]
			for i := range dst {
				dst[i] = row[i*step]
			}
		}
		for a := rank - 2; a >= 0; a-- {
			idx[a]++
			so += strides[a] * inStride[a]
			if idx[a] < outDims[a] {
				break
			}
			so -= strides[a] * inStride[a] * outDims[a]
			idx[a] = 0
		}
	}
	return out, true
}

// rowIndices returns the flat index values of a simplego buffer of int32 or int64 indices whose
// index vector axis (indexVectorAxis) has size 1 or is implicit (= rank): one of the two slices
// is set.
func rowIndices(b *simplego.Buffer, indexVectorAxis int) (i32 []int32, i64 []int64, ok bool) {
	sh := bufShape(b)
	if indexVectorAxis != sh.Rank() && (indexVectorAxis != sh.Rank()-1 || sh.Dimensions[indexVectorAxis] != 1) {
		return nil, nil, false
	}
	switch flat := (*(*any)(unsafe.Add(unsafe.Pointer(b), bufFlatOff))).(type) {
	case []int32:
		return flat, nil, true
	case []int64:
		return nil, flat, true
	}
	return nil, nil, false
}

// gatherRows sets o[i*row:(i+1)*row] = src[k*row:(k+1)*row] with k = idx[i] clamped to
// [0, len(src)/row - 1], as XLA (and simplego) clamp gather indices.
func gatherRows[T int32 | int64](o, src []float32, idx []T, row int) {
	last := len(src)/row - 1
	if row == 1 {
		for i, k := range idx {
			o[i] = src[max(0, min(last, int(k)))]
		}
		return
	}
	for i, k := range idx {
		j := max(0, min(last, int(k)))
		copy(o[i*row:i*row+row], src[j*row:j*row+row])
	}
}

// inRange reports whether every index is in [0, n).
func inRange[T int32 | int64](idx []T, n int) bool {
	for _, k := range idx {
		if k < 0 || int(k) >= n {
			return false
		}
	}
	return true
}

// scatterAddRows adds upd[i*row:(i+1)*row] to o[k*row:(k+1)*row] with k = idx[i], in order.
func scatterAddRows[T int32 | int64](o, upd []float32, idx []T, row int) {
	if row == 1 {
		for i, k := range idx {
			o[k] += upd[i]
		}
		return
	}
	for i, k := range idx {
		dst := o[int(k)*row : int(k)*row+row]
		binaryVV(opAdd, dst, dst, upd[i*row:i*row+row])
	}
}

// trailing reports whether axes are the last len(axes) axes of a rank-`rank` array, in order.
func trailing(axes []int, rank int) bool {
	for i, a := range axes {
		if a != rank-len(axes)+i {
			return false
		}
	}
	return true
}

// gatherExec is the fast path of Gather for the row pattern: indices into axis 0 of a float32
// operand, whole rows of the other axes as slices, placed on the output's trailing axes.
func gatherExec(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer,
	_ []bool) (*simplego.Buffer, bool) {
	if len(inputs) != 2 || !isF32(inputs[0]) {
		return nil, false
	}
	p := reflect.ValueOf(nodeData(node))
	ivAxis, ok0 := fieldInt(p, "indexVectorAxis")
	offsetAxes, ok1 := fieldInts(p, "offsetOutputAxes")
	collapsed, ok2 := fieldInts(p, "collapsedSlicesAxes")
	startMap, ok3 := fieldInts(p, "startIndexMap")
	sizes, ok4 := fieldInts(p, "sliceSizes")
	src := bufF32(inputs[0])
	dims := bufShape(inputs[0]).Dimensions
	outShape := nodeShape(node)
	if !ok0 || !ok1 || !ok2 || !ok3 || !ok4 || src == nil || len(dims) == 0 || dims[0] == 0 ||
		len(collapsed) != 1 || collapsed[0] != 0 || len(startMap) != 1 || startMap[0] != 0 ||
		len(sizes) != len(dims) || sizes[0] != 1 || len(offsetAxes) != len(dims)-1 ||
		!trailing(offsetAxes, outShape.Rank()) {
		return nil, false
	}
	row := 1
	for a := 1; a < len(dims); a++ {
		if sizes[a] != dims[a] {
			return nil, false
		}
		row *= dims[a]
	}
	i32, i64, ok := rowIndices(inputs[1], ivAxis)
	if !ok || row == 0 || (len(i32)+len(i64))*row != outShape.Size() {
		return nil, false
	}
	out := getBufferForShape(backend, *outShape)
	if out == nil {
		return nil, false
	}
	if i32 != nil {
		gatherRows(bufF32(out), src, i32, row)
	} else {
		gatherRows(bufF32(out), src, i64, row)
	}
	return out, true
}

// scatterSumExec is the fast path of ScatterSum for the row pattern (the gradient of the row
// gather): out = operand, then out[idx[i]] += updates[i] row by row, in index order. Indices
// out of range go to the stock code.
func scatterSumExec(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer,
	inputsOwned []bool) (*simplego.Buffer, bool) {
	if len(inputs) != 3 || !isF32(inputs[0]) || !isF32(inputs[2]) {
		return nil, false
	}
	p := reflect.ValueOf(nodeData(node))
	ivAxis, ok0 := fieldInt(p, "indexVectorAxis")
	windowAxes, ok1 := fieldInts(p, "updateWindowAxes")
	inserted, ok2 := fieldInts(p, "insertedWindowAxes")
	toOperand, ok3 := fieldInts(p, "scatterAxesToOperandAxes")
	operand, upd := bufF32(inputs[0]), bufF32(inputs[2])
	dims := bufShape(inputs[0]).Dimensions
	updShape := bufShape(inputs[2])
	if !ok0 || !ok1 || !ok2 || !ok3 || operand == nil || upd == nil || len(dims) == 0 ||
		len(inserted) != 1 || inserted[0] != 0 || len(toOperand) != 1 || toOperand[0] != 0 ||
		len(windowAxes) != len(dims)-1 || !trailing(windowAxes, updShape.Rank()) ||
		!bufShape(inputs[0]).Equal(*nodeShape(node)) {
		return nil, false
	}
	row := 1
	for i, a := range windowAxes {
		if updShape.Dimensions[a] != dims[i+1] {
			return nil, false
		}
		row *= dims[i+1]
	}
	i32, i64, ok := rowIndices(inputs[1], ivAxis)
	if !ok || (len(i32)+len(i64))*row != len(upd) || !inRange(i32, dims[0]) || !inRange(i64, dims[0]) {
		return nil, false
	}
	out := inputs[0]
	if inputsOwned[0] {
		inputs[0] = nil
	} else {
		out = getBufferForShape(backend, *nodeShape(node))
		if out == nil {
			return nil, false
		}
		copy(bufF32(out), operand)
	}
	if i32 != nil {
		scatterAddRows(bufF32(out), upd, i32, row)
	} else {
		scatterAddRows(bufF32(out), upd, i64, row)
	}
	return out, true
}
