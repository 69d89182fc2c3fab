package prep

import (
	"errors"
	"math"
	"testing"
)

func TestToRestFrame(t *testing.T) {
	wave := linearWave(6000, 1, 50)
	flux := mapWave(wave, func(w float64) float64 { return 1 + (w-6000)/100 })
	s := mkSpec(wave, flux, constant(50, 4))
	for _, z := range []float64{0, 0.1, 2.5, -0.5} {
		before := s.Clone()
		out, err := ToRestFrame(s, z)
		if err != nil {
			t.Fatal(err)
		}
		assertUnchanged(t, before, s)
		var inInt, outInt float64
		for i := range wave {
			if !near(out.WavelengthAA[i], wave[i]/(1+z), 1e-15, 0) ||
				!near(out.Flux[i], flux[i]*(1+z), 1e-15, 0) ||
				!near(out.Ivar[i], 4/((1+z)*(1+z)), 1e-15, 0) {
				t.Fatalf("z=%v pixel %d: (%v, %v, %v)", z, i, out.WavelengthAA[i], out.Flux[i], out.Ivar[i])
			}
			if i > 0 {
				inInt += flux[i] * (wave[i] - wave[i-1])
				outInt += out.Flux[i] * (out.WavelengthAA[i] - out.WavelengthAA[i-1])
			}
		}
		if !near(outInt, inInt, 1e-12, 0) {
			t.Errorf("z=%v: ∫f dλ %v → %v, want conserved", z, inInt, outInt)
		}
	}
	for _, z := range []float64{-1, -2, math.NaN(), math.Inf(1)} {
		if _, err := ToRestFrame(s, z); !errors.Is(err, ErrBadParameter) {
			t.Errorf("z=%v: err = %v, want ErrBadParameter", z, err)
		}
	}
	if _, err := ToRestFrame(nil, 0.1); err == nil {
		t.Error("nil spectrum: want error")
	}
}

func TestDopplerZ(t *testing.T) {
	c := SpeedOfLightKmS
	tests := []struct {
		v, want float64
	}{
		{0, 0},
		{0.6 * c, 1},     // √(1.6/0.4) − 1
		{-0.6 * c, -0.5}, // √(0.4/1.6) − 1
		{0.8 * c, 2},     // √(1.8/0.2) − 1
	}
	for _, tc := range tests {
		if got := DopplerZ(tc.v); !near(got, tc.want, 1e-14, 1e-15) {
			t.Errorf("DopplerZ(%v) = %v, want %v", tc.v, got, tc.want)
		}
	}
	// Small velocities: z = β + β²/2 + O(β³).
	v := 100.0
	beta := v / c
	if got := DopplerZ(v); math.Abs(got-(beta+beta*beta/2)) > beta*beta*beta {
		t.Errorf("DopplerZ(100 km/s) = %v, want ≈ %v", got, beta+beta*beta/2)
	}
	for _, bad := range []float64{c, -c, 2 * c, math.NaN(), math.Inf(-1)} {
		if got := DopplerZ(bad); !math.IsNaN(got) {
			t.Errorf("DopplerZ(%v) = %v, want NaN", bad, got)
		}
	}
}

func TestShiftRV(t *testing.T) {
	wave := linearWave(5000, 0.5, 40)
	s := mkSpec(wave, constant(40, 3), constant(40, 1))
	out, err := ShiftRV(s, 300)
	if err != nil {
		t.Fatal(err)
	}
	z := DopplerZ(300)
	for i := range wave {
		if !near(out.WavelengthAA[i], wave[i]/(1+z), 1e-15, 0) {
			t.Fatalf("pixel %d: λ %v, want %v", i, out.WavelengthAA[i], wave[i]/(1+z))
		}
	}
	back, err := ShiftRV(out, -300)
	if err != nil {
		t.Fatal(err)
	}
	for i := range wave {
		if !near(back.WavelengthAA[i], wave[i], 1e-14, 0) || !near(back.Flux[i], 3, 1e-14, 0) || !near(back.Ivar[i], 1, 1e-14, 0) {
			t.Fatalf("round trip pixel %d: (%v, %v, %v)", i, back.WavelengthAA[i], back.Flux[i], back.Ivar[i])
		}
	}
	if _, err := ShiftRV(s, SpeedOfLightKmS); !errors.Is(err, ErrBadParameter) {
		t.Errorf("v=c: err = %v, want ErrBadParameter", err)
	}
}
