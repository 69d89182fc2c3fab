package baseline

import (
	"encoding/binary"
	"math"
	"sync"
	"testing"

	"github.com/astroone/astroone-go/dataset"
	"github.com/astroone/astroone-go/prep"
)

// fuzzFitters trains a small toy template fitter and a Cannon on exact
// quadratic toy stars once for the fuzz targets.
var fuzzFitters = sync.OnceValues(func() (*TemplateFitter, *Cannon) {
	g := prep.LAMOSTGrid()
	f, err := FitTemplates(synthSet(g, 12, 5, 0, false), TemplateOptions{Components: 2, Workers: 1})
	if err != nil {
		panic(err)
	}
	stars := &dataset.Set{Grid: g}
	for i := range 40 {
		a := float64(i%8) / 7
		b := float64(i/8) / 4
		ex := synthSpectrum(g, 4, 0, a, b, 0)
		ex.Labels.Class = 4
		ex.Labels.Params[dataset.ParamLogg] = 3 + b
		ex.Labels.Params[dataset.ParamFeH] = -1 + a*b
		stars.Examples = append(stars.Examples, ex)
	}
	c, err := TrainCannon(stars, CannonOptions{Classes: []int{4}, Workers: 1, MinStars: 20})
	if err != nil {
		panic(err)
	}
	return f, c
})

// fuzzExample turns arbitrary bytes into a spectrum: the bytes are read
// as float32 flux/ivar pairs (NaN, ±Inf, negative and huge values
// included), cycled and patched over a plausible toy spectrum so that
// both pathological and nearly normal inputs are explored; the length is
// the grid's or shorter.
func fuzzExample(data []byte, n int) dataset.Example {
	base := synthSpectrum(prep.LAMOSTGrid(), classQSO, 1.2, 0.5, 0.5, 0)
	ex := dataset.Example{Flux: base.Flux, Ivar: base.Ivar}
	if len(data) >= 8 {
		for i := 0; i+8 <= len(data) && i/8 < n; i += 8 {
			k := int(binary.LittleEndian.Uint16(data[i:])) % n
			ex.Flux[k] = math.Float32frombits(binary.LittleEndian.Uint32(data[i:]))
			ex.Ivar[k] = math.Float32frombits(binary.LittleEndian.Uint32(data[i+4:]))
		}
	}
	if len(data) > 0 && data[0]%5 == 0 {
		cut := int(data[len(data)-1]) * n / 256
		ex.Flux, ex.Ivar = ex.Flux[:cut], ex.Ivar[:cut]
	}
	return ex
}

func fuzzSeeds(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 0, 0x80, 0x7f, 0, 0, 0x80, 0x7f})          // +Inf flux and ivar
	f.Add([]byte{1, 0, 0xc0, 0x7f, 0, 0, 0x80, 0xbf})          // NaN flux, ivar −1
	f.Add([]byte{5, 9, 0x7f, 0x7f, 0xff, 0xff, 0x7f, 0x7f, 3}) // huge values, truncated spectrum
	f.Add([]byte{10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 200})
}

// FuzzTemplatePredict checks that Predict never panics and always returns
// a valid class index (or −1) with finite or NaN outputs.
func FuzzTemplatePredict(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		fit, _ := fuzzFitters()
		ex := fuzzExample(data, fit.Grid().N)
		p := fit.Predict(&ex)
		if p.Class < -1 || p.Class >= dataset.NumClasses || len(p.Chi2) != dataset.NumClasses {
			t.Fatalf("class %d, %d χ² values", p.Class, len(p.Chi2))
		}
		if p.Class >= 0 && (math.IsInf(p.Z, 0) || math.IsNaN(p.Z)) {
			t.Fatalf("class %d with redshift %v", p.Class, p.Z)
		}
	})
}

// FuzzCannonPredict checks that the Cannon never panics and returns either
// an error or finite labels.
func FuzzCannonPredict(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		_, c := fuzzFitters()
		ex := fuzzExample(data, c.grid.N)
		l, s, _, err := c.Predict(&ex)
		if err != nil {
			return
		}
		for k := range l {
			if math.IsNaN(l[k]) || math.IsInf(l[k], 0) || math.IsNaN(s[k]) {
				t.Fatalf("labels %v ± %v without an error", l, s)
			}
		}
	})
}
