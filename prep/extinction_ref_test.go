package prep

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/astroone/astroone-go/internal/reftool"
)

// refScript reads {"ccm": [...Å], "f99": [...Å], "rvs": [...]} from the
// file named by its argument and
// prints A_λ for A_V = 1 from the Python extinction package (K. Barbary) as
// {"ccm89": {"3.1": [...]}, "odonnell94": {...}, "fitzpatrick99": {...}}.
const refScript = `
import sys, json
import numpy as np
import extinction
inp = json.load(open(sys.argv[1]))
ccm = np.array(inp["ccm"], dtype=np.float64)
f99 = np.array(inp["f99"], dtype=np.float64)
out = {"ccm89": {}, "odonnell94": {}, "fitzpatrick99": {}, "version": extinction.__version__}
for rv in inp["rvs"]:
    key = repr(float(rv))
    out["ccm89"][key] = [float(v) for v in extinction.ccm89(ccm, 1.0, rv)]
    out["odonnell94"][key] = [float(v) for v in extinction.odonnell94(ccm, 1.0, rv)]
    out["fitzpatrick99"][key] = [float(v) for v in extinction.fitzpatrick99(f99, 1.0, rv)]
json.dump(out, sys.stdout)
`

// refWavelengths returns n log-spaced wavelengths from lo to hi Å plus the
// given extra points (region boundaries and anchors).
func refWavelengths(lo, hi float64, n int, extra ...float64) []float64 {
	w := make([]float64, 0, n+len(extra))
	for i := 0; i < n; i++ {
		w = append(w, lo*math.Pow(hi/lo, float64(i)/float64(n-1)))
	}
	return append(w, extra...)
}

func TestExtinctionMatchesPythonExtinction(t *testing.T) {
	py := reftool.Python(t, "numpy", "extinction")
	ccmWave := refWavelengths(1000, 1e4/0.3, 600,
		1e4/1.1, 1e4/1.1001, 1e4/3.3, 1e4/3.2999, 1e4/5.9, 1e4/5.95, 1e4/8, 1e4/7.999, 5494.5, 1250, 3030, 9091)
	f99Wave := refWavelengths(910, 60000, 600,
		2700, 2699.9, 2700.1, 2600, 26500, 12200, 6000, 5470, 4670, 4110, 1e4/5.9, 1e4/5.95, 1150, 5494.5)
	rvs := []float64{2.1, 2.5, 3.1, 4.0, 5.5}
	in, err := json.Marshal(map[string]any{"ccm": ccmWave, "f99": f99Wave, "rvs": rvs})
	if err != nil {
		t.Fatal(err)
	}
	inPath := filepath.Join(t.TempDir(), "in.json")
	if err := os.WriteFile(inPath, in, 0o644); err != nil {
		t.Fatal(err)
	}
	raw := reftool.Run(t, py, "-c", refScript, inPath)
	var ref map[string]json.RawMessage
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatalf("decode reference output: %v", err)
	}
	var version string
	_ = json.Unmarshal(ref["version"], &version)
	t.Logf("reference: %s, extinction %s", py, version)

	laws := []struct {
		name string
		law  Law
		wave []float64
	}{
		{"ccm89", LawCCM89, ccmWave},
		{"odonnell94", LawODonnell94, ccmWave},
		{"fitzpatrick99", LawFitzpatrick99, f99Wave},
	}
	for _, tc := range laws {
		t.Run(tc.name, func(t *testing.T) {
			var byRV map[string][]float64
			if err := json.Unmarshal(ref[tc.name], &byRV); err != nil {
				t.Fatalf("decode %s: %v", tc.name, err)
			}
			var maxRel, maxAbs float64
			for _, rv := range rvs {
				want, ok := byRV[strconv.FormatFloat(rv, 'f', -1, 64)]
				if !ok {
					// Python's repr of a whole number keeps ".0".
					want, ok = byRV[strconv.FormatFloat(rv, 'f', 1, 64)]
				}
				if !ok || len(want) != len(tc.wave) {
					t.Fatalf("R_V=%v: reference has %d values for %d wavelengths", rv, len(want), len(tc.wave))
				}
				got, err := tc.law.Curve(tc.wave, rv)
				if err != nil {
					t.Fatalf("R_V=%v: %v", rv, err)
				}
				for i := range got {
					d := math.Abs(got[i] - want[i])
					maxAbs = math.Max(maxAbs, d)
					if want[i] != 0 {
						maxRel = math.Max(maxRel, d/math.Abs(want[i]))
					}
					if d > 1e-4*math.Abs(want[i]) && d > 1e-6 {
						t.Errorf("R_V=%v λ=%.4f Å: Go %.10g, extinction %.10g (rel %.2e)", rv, tc.wave[i], got[i], want[i], d/math.Abs(want[i]))
					}
				}
			}
			t.Logf("%s: %d wavelengths × %d R_V: max relative difference %.3e, max absolute %.3e mag (A_V=1)",
				tc.name, len(tc.wave), len(rvs), maxRel, maxAbs)
		})
	}
}
