package model

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/astroone/astroone-go/dataset"
)

// deltaBins returns a distribution over n bins with all its probability
// in bin k.
func deltaBins(n, k int) []float32 {
	p := make([]float32, n)
	p[k] = 1
	return p
}

func TestMKTableLetters(t *testing.T) {
	cfg, _ := ConfigByName("small")
	tab := newMKTable(cfg)
	bins := cfg.StarBinnings()
	binOf := func(b Binning, v float64) int {
		return int((b.T.forward(v) - b.Lo) / b.Width())
	}
	cases := []struct {
		teff, logg float64
		want       string
	}{
		{5800, 4.4, "G"}, // the Sun
		{3100, 4.9, "M"},
		{9800, 4.2, "A"}, // A0 V
		{20000, 4.0, "B"},
		{40000, 4.0, "O"},
		{4500, 2.0, "K"}, // a K giant
		{6500, 4.3, "F"},
	}
	for _, c := range cases {
		got := tab.probs(deltaBins(bins[0].N, binOf(bins[0], c.teff)), deltaBins(bins[1].N, binOf(bins[1], c.logg)), 0)
		k := dataset.ClassIndex(c.want)
		if math.Abs(got[k]-1) > 1e-9 {
			t.Errorf("Teff %.0f, log g %.1f: letter probabilities %v, want all on %s", c.teff, c.logg, got, c.want)
		}
	}
	// A shift of whole bins moves the Teff distribution down: 5,800 K
	// moved down by the bins up to 5,000 K is a K star.
	i5800, i5000 := binOf(bins[0], 5800), binOf(bins[0], 5000)
	got := tab.probs(deltaBins(bins[0].N, i5800), deltaBins(bins[1].N, binOf(bins[1], 4.5)), float64(i5800-i5000))
	if math.Abs(got[dataset.ClassIndex("K")]-1) > 1e-9 {
		t.Errorf("shifted to 5,000 K: %v, want K", got)
	}
	// Half a bin splits the probability between two bins.
	half := tab.probs(deltaBins(bins[0].N, i5800), deltaBins(bins[1].N, binOf(bins[1], 4.5)), -0.5)
	var sum float64
	for _, v := range half {
		sum += v
	}
	if math.Abs(sum-1) > 1e-6 {
		t.Errorf("half-bin shift: total %v, want 1", sum)
	}
	if newMKTable(Config{}) != nil {
		t.Error("a model without binned heads got an MK table")
	}
}

func TestCombineMKLetters(t *testing.T) {
	var p Prediction
	a, b, qso := dataset.ClassIndex("A"), dataset.ClassIndex("B"), dataset.ClassIndex("QSO")
	p.Probs[a], p.Probs[b], p.Probs[qso] = 0.5, 0.3, 0.2
	p.Class = a
	var mk [NumMKLetters]float64
	mk[b] = 1
	combineMKLetters(&p, mk)
	if p.Class != b || math.Abs(p.Probs[b]-0.8) > 1e-12 || p.Probs[a] != 0 || p.Probs[qso] != 0.2 {
		t.Errorf("got class %d, probabilities %v; want B with 0.8, A 0, QSO 0.2", p.Class, p.Probs)
	}
	// Geometric mean: head A 0.6 / B 0.2, parameters A 0.25 / B 0.75 →
	// √0.15 against √0.15: equal shares of the star probability 0.8.
	p = Prediction{}
	p.Probs[a], p.Probs[b], p.Probs[qso] = 0.6, 0.2, 0.2
	mk = [NumMKLetters]float64{}
	mk[a], mk[b] = 0.25, 0.75
	combineMKLetters(&p, mk)
	if math.Abs(p.Probs[a]-0.4) > 1e-12 || math.Abs(p.Probs[b]-0.4) > 1e-12 {
		t.Errorf("geometric mean: %v, want A 0.4, B 0.4", p.Probs)
	}
	// No MK probability: unchanged.
	q := p
	combineMKLetters(&q, [NumMKLetters]float64{})
	if q.Probs != p.Probs {
		t.Error("an empty MK distribution changed the probabilities")
	}
}

func TestChooseMKLetters(t *testing.T) {
	g, f := dataset.ClassIndex("G"), dataset.ClassIndex("F")
	make2 := func(headRight bool) ([]Prediction, []dataset.Labels) {
		preds := make([]Prediction, 10)
		labels := make([]dataset.Labels, 10)
		for i := range preds {
			labels[i] = dataset.Unlabelled()
			labels[i].Class = g
			head, param := f, g
			if headRight {
				head, param = g, f
			}
			preds[i].Probs[head], preds[i].Probs[param] = 0.6, 0.4
			preds[i].Class = head
			preds[i].MKProbs[param] = 1
		}
		return preds, labels
	}
	var c Calibration
	c.chooseMKLetters(make2(false))
	if !c.MKLetters || c.HeadAccuracy != 0 || c.MKLetterAccuracy != 1 {
		t.Errorf("parameters right, head wrong: %+v", c)
	}
	c = Calibration{}
	c.chooseMKLetters(make2(true))
	if c.MKLetters || c.HeadAccuracy != 1 {
		t.Errorf("head right, parameters wrong: %+v", c)
	}
}

// TestMKTableProbsMatchesDirectSum checks the run-length sums against
// the direct double sum over the table for random distributions.
func TestMKTableProbsMatchesDirectSum(t *testing.T) {
	cfg, _ := ConfigByName("tiny")
	tab := newMKTable(cfg)
	rng := rand.New(rand.NewPCG(5, 6))
	random := func(n int) []float32 {
		p := make([]float32, n)
		var s float32
		for i := range p {
			p[i] = rng.Float32()
			s += p[i]
		}
		for i := range p {
			p[i] /= s
		}
		return p
	}
	for trial := range 5 {
		pT, pG := random(tab.nT), random(tab.nG)
		shift := float64(trial) - 2.3 // fractional, both signs
		got := tab.probs(pT, pG, shift)
		var want [NumMKLetters]float64
		s := int(math.Floor(shift))
		f := shift - math.Floor(shift)
		for i := range tab.nT {
			var w float64
			if i+s >= 0 && i+s < tab.nT {
				w += (1 - f) * float64(pT[i+s])
			}
			if i+s+1 >= 0 && i+s+1 < tab.nT {
				w += f * float64(pT[i+s+1])
			}
			for j := range tab.nG {
				if k := tab.letter[i*tab.nG+j]; k >= 0 {
					want[k] += w * float64(pG[j])
				}
			}
		}
		for k := range want {
			if math.Abs(got[k]-want[k]) > 1e-6 {
				t.Errorf("trial %d, letter %d: %v, direct sum %v", trial, k, got[k], want[k])
			}
		}
	}
}
