package model

import (
	"math"

	"github.com/astroone/astroone-go/dataset"
	"github.com/astroone/astroone-go/sim/synth"
)

// NumMKLetters is the number of MK letter classes, O to M: the first
// seven of dataset.ClassNames.
const NumMKLetters = 7

// mkTable holds, for the binned Teff and log g heads, the class index
// (0–6: O–M) of the MK type at the centre of every (Teff bin, log g bin)
// pair, from the MK table of sim/synth (Pecaut & Mamajek; giants and
// supergiants by log g).
type mkTable struct {
	nT, nG int
	letter []int8 // nT × nG
	// runs[i] are the runs of equal letters along log g in Teff bin i
	// (the letter changes only at the luminosity-class boundaries), for
	// summing a log g distribution over each run from its prefix sums.
	runs [][]mkRun
}

// mkRun is a run of log g bins [lo, hi) with the same letter (−1: none).
type mkRun struct {
	lo, hi int
	letter int8
}

// newMKTable tabulates the MK letters on the star binnings of cfg (nil
// without binned stellar heads).
func newMKTable(cfg Config) *mkTable {
	if cfg.StarBins <= 0 {
		return nil
	}
	bins := cfg.StarBinnings()
	t := &mkTable{nT: bins[0].N, nG: bins[1].N, letter: make([]int8, bins[0].N*bins[1].N)}
	for i := range t.nT {
		teff := bins[0].Centre(i)
		for j := range t.nG {
			st := synth.SpectralType(teff, bins[1].Centre(j))
			k := -1
			if st != "" {
				k = dataset.ClassIndex(st[:1])
			}
			if k < 0 || k >= NumMKLetters {
				k = -1
			}
			t.letter[i*t.nG+j] = int8(k)
		}
		row := t.letter[i*t.nG : (i+1)*t.nG]
		var runs []mkRun
		for j := 0; j < t.nG; {
			end := j + 1
			for end < t.nG && row[end] == row[j] {
				end++
			}
			runs = append(runs, mkRun{j, end, row[j]})
			j = end
		}
		t.runs = append(t.runs, runs)
	}
	return t
}

// probs returns the probability of each MK letter when Teff and log g
// follow the bin distributions pT and pG independently, the Teff
// distribution first moved down by shift bins (the calibration's bias
// correction; linear interpolation between bins). The result sums to
// the probability that falls on a lettered bin pair (1 for a
// normalised pT and pG).
func (t *mkTable) probs(pT, pG []float32, shift float64) [NumMKLetters]float64 {
	var out [NumMKLetters]float64
	if len(pT) != t.nT || len(pG) != t.nG {
		return out
	}
	cum := make([]float64, t.nG+1) // cum[j]: Σ pG[:j]
	for j, v := range pG {
		cum[j+1] = cum[j] + float64(v)
	}
	whole := math.Floor(shift)
	f := shift - whole
	for i := range t.nT {
		// moved[i] = (1−f)·pT[i+s] + f·pT[i+s+1], s = ⌊shift⌋
		src := i + int(whole)
		var w float64
		if src >= 0 && src < t.nT {
			w += (1 - f) * float64(pT[src])
		}
		if src+1 >= 0 && src+1 < t.nT {
			w += f * float64(pT[src+1])
		}
		if w < 1e-7 {
			continue
		}
		for _, r := range t.runs[i] {
			if r.letter >= 0 {
				out[r.letter] += w * (cum[r.hi] - cum[r.lo])
			}
		}
	}
	return out
}

// combineMKLetters replaces the class head's probabilities of the seven
// MK letters by the normalised geometric mean of the head's and those
// implied by the parameters (the head's total star probability times
// the letter probabilities mk), leaving the other classes' probabilities
// and the total star probability as they are, and updates the most
// probable class. Nothing changes when mk carries no probability.
func combineMKLetters(p *Prediction, mk [NumMKLetters]float64) {
	var star, mkSum float64
	for k := range NumMKLetters {
		star += p.Probs[k]
		mkSum += mk[k]
	}
	if !(mkSum > 0) || !(star > 0) {
		return
	}
	var g [NumMKLetters]float64
	var gSum float64
	for k := range NumMKLetters {
		g[k] = math.Sqrt(p.Probs[k] * mk[k] / mkSum)
		gSum += g[k]
	}
	if !(gSum > 0) {
		return
	}
	for k := range NumMKLetters {
		p.Probs[k] = star * g[k] / gSum
	}
	best := 0
	for k := range p.Probs {
		if p.Probs[k] > p.Probs[best] {
			best = k
		}
	}
	p.Class = best
}
