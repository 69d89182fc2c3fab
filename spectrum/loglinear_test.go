package spectrum

import (
	"math"
	"testing"
)

func TestLogLinear(t *testing.T) {
	grid := func(n int, start, step float64) []float64 {
		w := make([]float64, n)
		for i := range w {
			w[i] = math.Pow(10, start+step*float64(i))
		}
		return w
	}
	w := grid(LAMOSTPixels, LAMOSTLog10Start, LAMOSTLog10Step)
	start, step, ok := logLinear(w)
	if !ok || start != LAMOSTLog10Start || step != LAMOSTLog10Step {
		t.Fatalf("LAMOST grid: %v %v %v", start, step, ok)
	}
	// An off-convention start keeps full precision.
	w = grid(5000, 3.55231234567, 1.0001e-4)
	if start, step, ok = logLinear(w); !ok || math.Abs(start-3.55231234567) > 1e-12 || math.Abs(step-1.0001e-4) > 1e-15 {
		t.Fatalf("odd grid: %v %v %v", start, step, ok)
	}
	// One pixel off by 1e-7 dex (3× the tolerance) anywhere breaks it.
	for _, i := range []int{0, 255, 256, 3000, 4999} {
		bad := append([]float64(nil), w...)
		bad[i] *= math.Pow(10, 1e-7)
		if _, _, ok := logLinear(bad); ok && i != 0 && i != 4999 {
			t.Errorf("pixel %d shifted by 1e-7 dex still log-linear", i)
		}
	}
	for _, v := range []float64{math.NaN(), 0, -5000, math.Inf(1)} {
		bad := append([]float64(nil), w...)
		bad[1234] = v
		if _, _, ok := logLinear(bad); ok {
			t.Errorf("wavelength %v accepted as log-linear", v)
		}
	}
	// Linear wavelengths are not log-linear.
	lin := make([]float64, 4000)
	for i := range lin {
		lin[i] = 3800 + 1.25*float64(i)
	}
	if _, _, ok := logLinear(lin); ok {
		t.Error("a linear grid passed as log-linear")
	}
}
