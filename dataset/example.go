// Package dataset turns labelled or unlabelled spectra (a simulator
// directory with labels.csv, or an ingest workspace) into model-ready
// examples on one wavelength grid: loading, label encoding, the
// train/validation/test split by a hash of the id, physically correct
// augmentation and batches prefetched in the background.
package dataset

import (
	"math"

	"github.com/astroone/astroone-go/prep"
)

// Class names in index order: the simulator's eleven classes. A class
// index of -1 means unknown (unlabelled data).
var ClassNames = []string{"O", "B", "A", "F", "G", "K", "M", "CARBON", "CV", "QSO", "GALAXY"}

// NumClasses is len(ClassNames).
const NumClasses = 11

// The regressed parameters, in index order of Labels.Params.
const (
	ParamTeff = iota // effective temperature, K (stars, carbon stars)
	ParamLogg        // log10 surface gravity, cgs (stars, carbon stars)
	ParamFeH         // [Fe/H], dex (stars, carbon stars)
	ParamRV          // radial velocity, km/s (stars, carbon stars, CVs)
	ParamZ           // redshift (QSOs, galaxies)
	NumParams
)

// ParamNames names the parameters in index order.
var ParamNames = [NumParams]string{"teff", "logg", "feh", "rv_kms", "z"}

// Labels are an example's targets. Parameters that do not apply, or are
// unknown, are NaN and carry no loss.
type Labels struct {
	Class    int                // index into ClassNames, -1 when unknown
	Subclass string             // e.g. "K3III", informational
	Params   [NumParams]float64 // physical units, NaN where undefined
	SNR      float64            // g-band S/N (label or measured), NaN when unknown
	EBV      float64            // E(B−V), NaN when unknown
}

// Unlabelled returns labels with every field unknown.
func Unlabelled() Labels {
	l := Labels{Class: -1, SNR: math.NaN(), EBV: math.NaN()}
	for i := range l.Params {
		l.Params[i] = math.NaN()
	}
	return l
}

// Example is one spectrum on the set's grid.
type Example struct {
	ID     string    // survey id (split key)
	File   string    // source file, for reports
	Flux   []float32 // flux on the grid, survey units (not normalised)
	Ivar   []float32 // inverse variance; 0 where masked or off the spectrum
	Labels Labels
}

// Set is a collection of examples on one grid.
type Set struct {
	Grid     prep.Grid
	Examples []Example
}

// Batch is a minibatch in the flat row-major layout the model's tensors
// take. Row b of Flux and Ivar is Flux[b*Pixels:(b+1)*Pixels].
type Batch struct {
	Size   int       // examples in the batch
	Pixels int       // pixels per spectrum
	Flux   []float32 // Size×Pixels
	Ivar   []float32 // Size×Pixels; 0 = no information
	Class  []int32   // Size; class index, -1 when unknown (no class loss)
	Y      []float32 // Size×NumParams normalised targets (see Normalizer)
	W      []float32 // Size×NumParams loss weights: 1 where the target is defined, else 0
	SNR    []float32 // Size; g-band S/N label (NaN when unknown), for reports
	IDs    []string  // Size
}

// Normalizer maps physical parameters to the standardised targets the
// model regresses and back: y = (f(p) − Mean)/Std with f = log10 where Log
// is set (Teff) and the identity otherwise. It is fitted on the training
// split and saved with a model run.
type Normalizer struct {
	Mean [NumParams]float64 `json:"mean"`
	Std  [NumParams]float64 `json:"std"`
	Log  [NumParams]bool    `json:"log10"`
}
