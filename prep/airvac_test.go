package prep

import (
	"math"
	"testing"
)

func TestAirVacuumKnownLines(t *testing.T) {
	tests := []struct {
		name     string
		vac, air float64
	}{
		{"Hα", 6564.61, 6562.80},
		{"[O III]", 5008.24, 5006.84},
		{"[O II]", 3727.09, 3726.03},
		{"Ca II K", 3934.78, 3933.66},
	}
	for _, tc := range tests {
		if got := VacuumToAir(tc.vac); math.Abs(got-tc.air) > 0.01 {
			t.Errorf("%s: VacuumToAir(%v) = %.4f, want %.2f", tc.name, tc.vac, got, tc.air)
		}
		if got := AirToVacuum(tc.air); math.Abs(got-tc.vac) > 0.01 {
			t.Errorf("%s: AirToVacuum(%v) = %.4f, want %.2f", tc.name, tc.air, got, tc.vac)
		}
	}
}

func TestAirVacuumRoundTrip(t *testing.T) {
	for w := 2010.0; w < 1e5; w *= 1.013 {
		if d := VacuumToAir(AirToVacuum(w)) - w; math.Abs(d) > 1e-8 {
			t.Fatalf("air %v Å: round trip off by %v Å", w, d)
		}
		if d := AirToVacuum(VacuumToAir(w)) - w; math.Abs(d) > 1e-8 {
			t.Fatalf("vacuum %v Å: round trip off by %v Å", w, d)
		}
		if !(VacuumToAir(w) < w) {
			t.Fatalf("air wavelength not shorter than vacuum at %v Å", w)
		}
	}
	for _, w := range []float64{1216, 1999.9} {
		if VacuumToAir(w) != w || AirToVacuum(w) != w {
			t.Errorf("%v Å below 2000 Å should be unchanged", w)
		}
	}
	for _, w := range []float64{0, -5, math.NaN(), math.Inf(1)} {
		if !math.IsNaN(VacuumToAir(w)) || !math.IsNaN(AirToVacuum(w)) {
			t.Errorf("%v: want NaN", w)
		}
	}
}

func TestToVacuumToAir(t *testing.T) {
	wave := linearWave(4000, 3, 500)
	air := mkSpec(wave, constant(500, 1), constant(500, 1))
	air.Vacuum = false
	before := air.Clone()
	vac, err := ToVacuum(air)
	if err != nil {
		t.Fatal(err)
	}
	assertUnchanged(t, before, air)
	if !vac.Vacuum {
		t.Error("Vacuum flag not set")
	}
	for i, w := range wave {
		if vac.WavelengthAA[i] != AirToVacuum(w) {
			t.Fatalf("pixel %d: %v, want %v", i, vac.WavelengthAA[i], AirToVacuum(w))
		}
	}
	// Already vacuum: unchanged copy.
	again, err := ToVacuum(vac)
	if err != nil || again == vac || again.WavelengthAA[7] != vac.WavelengthAA[7] {
		t.Errorf("ToVacuum on vacuum spectrum: %v", err)
	}
	back, err := ToAir(vac)
	if err != nil {
		t.Fatal(err)
	}
	if back.Vacuum {
		t.Error("Vacuum flag not cleared")
	}
	for i, w := range wave {
		if math.Abs(back.WavelengthAA[i]-w) > 1e-8 {
			t.Fatalf("pixel %d round trip: %v, want %v", i, back.WavelengthAA[i], w)
		}
	}
	same, err := ToAir(air)
	if err != nil || same.WavelengthAA[0] != wave[0] || same.Vacuum {
		t.Errorf("ToAir on air spectrum changed it: %v", err)
	}
	// Straddling the 2000 Å convention breaks monotonicity: error, not garbage.
	if _, err := ToAir(mkSpec([]float64{1999.8, 2000.2, 2001}, []float64{1, 1, 1}, nil)); err == nil {
		t.Error("ToAir across 2000 Å: want error")
	}
	if _, err := ToVacuum(nil); err == nil {
		t.Error("nil: want error")
	}
}
