package simplegokernel

import (
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// TestFill checks simplego's Buffer.Zeros and Buffer.Fill on float32 buffers with the
// replacement filler installed (enabled and disabled).
func TestFill(t *testing.T) {
	backend, err := backends.NewWithConfig(simplego.BackendName)
	if err != nil {
		t.Fatal(err)
	}
	defer backend.Finalize()
	defer enabled.Store(enabled.Load())
	for _, on := range []bool{true, false} {
		enabled.Store(on && installed)
		buf, flat, err := backend.NewSharedBuffer(0, shapes.Make(dtypes.Float32, 3, 37))
		if err != nil {
			t.Fatal(err)
		}
		data := flat.([]float32)
		for i := range data {
			data[i] = float32(i + 1)
		}
		buf.(*simplego.Buffer).Zeros()
		for i, v := range data {
			if v != 0 {
				t.Fatalf("enabled %v: after Zeros, value %d is %g", on, i, v)
			}
		}
		if err := buf.(*simplego.Buffer).Fill(float32(2.5)); err != nil {
			t.Fatal(err)
		}
		for i, v := range data {
			if v != 2.5 {
				t.Fatalf("enabled %v: after Fill(2.5), value %d is %g", on, i, v)
			}
		}
	}
}
