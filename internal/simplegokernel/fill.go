package simplegokernel

import (
	_ "unsafe" // go:linkname

	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
)

// simplego's blocked DotGeneral zeroes its three block buffers on every execution
// (Buffer.Zeros), with a generic loop that stores one value at a time. This file registers a
// float32 fill that clears the memory with the runtime's vectorised memclr when the value is
// nil (Zeros) and stores values otherwise, as the stock one does.

// fillFunc is the type of simplego's buffer fillers: set every value of the buffer to value
// (nil: zero).
type fillFunc = func(buf *simplego.Buffer, value any)

// bufferFillers is simplego's table of buffer fillers, indexed by dtype.
//
//go:linkname bufferFillers github.com/gomlx/gomlx/backends/simplego.fillBufferDTypeMap
var bufferFillers *simplego.DTypeMap

// installFill wraps simplego's float32 filler; it reports whether it did.
func installFill() bool {
	if bufferFillers == nil {
		return false
	}
	stock, ok := bufferFillers.Get(dtypes.Float32).(fillFunc)
	if !ok {
		return false
	}
	bufferFillers.Register(dtypes.Float32, registerPriority, fillFunc(func(buf *simplego.Buffer, value any) {
		if value == nil && enabled.Load() {
			if data := bufferFloat32s(buf); data != nil {
				clear(data)
				return
			}
		}
		stock(buf, value)
	}))
	return true
}
