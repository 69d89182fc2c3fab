package prep

import (
	"math"
	"strings"
	"testing"
)

func FuzzReadResponseText(f *testing.F) {
	f.Add("# response\n4000 0.5\n5000, 0.75\n6000\t1 extra\n")
	f.Add("4000 0.5\n3000 0.7\n")
	f.Add("4000 NaN\n")
	f.Fuzz(func(t *testing.T, text string) {
		w, r, err := ReadResponseText(strings.NewReader(text))
		if err != nil {
			return
		}
		if len(w) != len(r) || len(w) < 2 {
			t.Fatalf("%d wavelengths, %d responses accepted", len(w), len(r))
		}
		for i := range w {
			if math.IsNaN(w[i]) || math.IsInf(w[i], 0) || i > 0 && w[i] <= w[i-1] {
				t.Fatalf("accepted wavelengths %v", w)
			}
		}
	})
}
