package dataset

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/astroone/astroone-go/ingest"
	"github.com/astroone/astroone-go/prep"
	"github.com/astroone/astroone-go/sim"
	"github.com/astroone/astroone-go/spectrum"
)

// LoadOptions configures LoadSimDir, LoadWorkspace and LoadFiles. The zero
// value is usable.
type LoadOptions struct {
	// Grid is the wavelength grid every example is prepared onto; the zero
	// Grid means prep.LAMOSTGrid(). LoadWorkspace uses the workspace's own
	// grid and fails if Grid is set and differs from it.
	Grid prep.Grid
	// Workers is the number of files (or shards) read in parallel; <= 0
	// means runtime.NumCPU().
	Workers int
	// Progress, when set, is called after each file (LoadWorkspace: each
	// shard) with the number of spectra done so far and the total. Calls
	// are serialised and done increases; it must not block for long.
	Progress func(done, total int)
	// Labels (LoadWorkspace only) names a labels.csv (as written by the
	// simulator) whose rows are joined to the workspace's spectra by id.
	// Spectra whose id it does not list stay unlabelled.
	Labels string
	// EstimateIvar makes a spectrum without uncertainties (a file with
	// neither inverse variance nor σ, e.g. a bare 1-D image) usable: every
	// good pixel gets the constant inverse variance implied by the DER_SNR
	// noise estimate (Stoehr et al. 2008; see prep.DERSNR). Without it such
	// a file is a FileError wrapping ErrNoIvar.
	EstimateIvar bool
}

// grid returns o.Grid, or the LAMOST grid when o.Grid is the zero value.
func (o LoadOptions) grid() prep.Grid {
	if o.Grid == (prep.Grid{}) {
		return prep.LAMOSTGrid()
	}
	return o.Grid
}

// workers returns the effective number of parallel readers.
func (o LoadOptions) workers() int {
	if o.Workers <= 0 {
		return runtime.NumCPU()
	}
	return o.Workers
}

// FileError is an input that could not be turned into an example, with
// its reason. Loading skips it and goes on with the rest.
type FileError struct {
	Path string // the file (or, for a workspace row, its source file)
	Err  error  // why it was skipped
}

// Error formats the failure as "path: reason".
func (e FileError) Error() string { return e.Path + ": " + e.Err.Error() }

// Unwrap returns the reason.
func (e FileError) Unwrap() error { return e.Err }

// Reasons a file or row is skipped, wrapped in FileError.Err.
var (
	// ErrNoIvar: the spectrum carries no uncertainties (see
	// LoadOptions.EstimateIvar).
	ErrNoIvar = errors.New("spectrum has no inverse variance")
	// ErrNoGoodPixels: no pixel with data on the grid.
	ErrNoGoodPixels = errors.New("no usable pixel on the grid")
	// ErrIDMismatch: the file's own id differs from the id labels.csv gives it.
	ErrIDMismatch = errors.New("file id differs from labels.csv")
	// ErrIngestFailed: the workspace recorded this file as failed on ingest.
	ErrIngestFailed = errors.New("ingest failed")
)

// ClassIndex returns the index in ClassNames of a class name (case
// insensitive, surrounding blanks ignored), or -1 for an unknown name.
func ClassIndex(name string) int {
	name = strings.ToUpper(strings.TrimSpace(name))
	for i, c := range ClassNames {
		if c == name {
			return i
		}
	}
	return -1
}

// LabelsFromSim converts simulator labels to example labels: the class
// index; Teff, logg and [Fe/H] for stars and carbon stars; RV for stars,
// carbon stars and CVs; z for QSOs and galaxies only (the simulator also
// writes RV/c as z for stars, which is not a separate target). A value the
// simulator left empty (NaN) stays NaN.
func LabelsFromSim(l sim.Labels) Labels {
	out := Unlabelled()
	out.Class = ClassIndex(string(l.Class))
	out.Subclass = l.Subclass
	out.SNR, out.EBV = l.SNR, l.EBV
	c := l.Class
	if c.IsStar() {
		out.Params[ParamTeff], out.Params[ParamLogg], out.Params[ParamFeH] = l.TeffK, l.Logg, l.FeH
	}
	if c.IsStar() || c == sim.ClassCV {
		out.Params[ParamRV] = l.RVKmS
	}
	if c == sim.ClassQSO || c == sim.ClassGalaxy {
		out.Params[ParamZ] = l.Z
	}
	return out
}

// LoadSimDir loads a simulator directory: DIR/labels.csv (sim.ReadLabelsFile)
// and every file it lists, read with spectrum.ReadFile and prepared exactly
// as ingest prepares spectra (ingest.StandardPrepare onto opts.Grid). Files
// are read in parallel; the examples keep the order of labels.csv. A file
// that cannot be read or prepared, or whose own id differs from its row's
// id, is skipped and returned as a FileError. The error is for problems
// that stop the whole load: an unreadable labels.csv, a bad grid, or ctx
// being cancelled (then the set is nil).
func LoadSimDir(ctx context.Context, dir string, opts LoadOptions) (*Set, []FileError, error) {
	g := opts.grid()
	if err := g.Validate(); err != nil {
		return nil, nil, fmt.Errorf("load %s: %w", dir, err)
	}
	recs, err := sim.ReadLabelsFile(filepath.Join(dir, "labels.csv"))
	if err != nil {
		return nil, nil, fmt.Errorf("load %s: %w", dir, err)
	}
	prepare := ingest.StandardPrepare(g)
	exs := make([]Example, len(recs))
	errs := make([]error, len(recs))
	paths := make([]string, len(recs))
	for i, r := range recs {
		paths[i] = filepath.Join(dir, r.File)
	}
	parallel(ctx, len(recs), opts.workers(), func(i int) {
		ex, err := readExample(paths[i], g, prepare, opts.EstimateIvar)
		if err == nil && ex.ID != recs[i].ID {
			err = fmt.Errorf("%w: file says %q, labels.csv %q", ErrIDMismatch, ex.ID, recs[i].ID)
		}
		if err != nil {
			errs[i] = err
			return
		}
		ex.ID = recs[i].ID
		ex.Labels = LabelsFromSim(recs[i].Labels)
		exs[i] = ex
	}, countProgress(opts.Progress, len(recs)))
	if err := ctx.Err(); err != nil {
		return nil, nil, fmt.Errorf("load %s: %w", dir, err)
	}
	set, ferrs := collect(g, exs, errs, paths)
	return set, ferrs, nil
}

// LoadFiles loads spectra for prediction: each path is read with
// spectrum.ReadFile and prepared as ingest does, in parallel, and the
// examples are unlabelled (Class -1, NaN parameters; SNR is the file
// header's g-band S/N when it has one) in the order of paths. Their ID is
// the file's own id (OBSID, PLATE-MJD-FIBER, else the file name stem).
// Files that fail are returned as FileErrors; when ctx is cancelled the
// files not yet read are FileErrors wrapping ctx.Err().
func LoadFiles(ctx context.Context, paths []string, opts LoadOptions) (*Set, []FileError) {
	g := opts.grid()
	exs := make([]Example, len(paths))
	errs := make([]error, len(paths))
	if err := g.Validate(); err != nil {
		for i := range errs {
			errs[i] = err
		}
		return collect(g, exs, errs, paths)
	}
	prepare := ingest.StandardPrepare(g)
	done := parallel(ctx, len(paths), opts.workers(), func(i int) {
		exs[i], errs[i] = readExample(paths[i], g, prepare, opts.EstimateIvar)
	}, countProgress(opts.Progress, len(paths)))
	for i, ok := range done {
		if !ok {
			errs[i] = fmt.Errorf("not read: %w", context.Cause(ctx))
		}
	}
	return collect(g, exs, errs, paths)
}

// countProgress returns an after function for parallel that reports
// progress as one item per call, or nil when progress is nil.
func countProgress(progress func(done, total int), total int) func(int) {
	if progress == nil {
		return nil
	}
	done := 0
	return func(int) {
		done++
		progress(done, total)
	}
}

// collect builds the set of the examples without error, in order, and the
// FileErrors of the others.
func collect(g prep.Grid, exs []Example, errs []error, paths []string) (*Set, []FileError) {
	set := &Set{Grid: g, Examples: make([]Example, 0, len(exs))}
	var ferrs []FileError
	for i := range exs {
		if errs[i] != nil {
			ferrs = append(ferrs, FileError{Path: paths[i], Err: errs[i]})
			continue
		}
		set.Examples = append(set.Examples, exs[i])
	}
	return set, ferrs
}

// parallel calls fn(i) for i in [0, n) on the given number of goroutines,
// then after(i) (when not nil) with the calls of after serialised. It stops
// handing out work when ctx is done and returns which indices ran.
func parallel(ctx context.Context, n, workers int, fn, after func(i int)) []bool {
	ran := make([]bool, n)
	jobs := make(chan int)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range min(workers, max(n, 1)) {
		wg.Go(func() {
			for i := range jobs {
				fn(i)
				ran[i] = true
				if after != nil {
					mu.Lock()
					after(i)
					mu.Unlock()
				}
			}
		})
	}
feed:
	for i := range n {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	return ran
}

// readExample reads and prepares one file into an unlabelled example.
func readExample(path string, g prep.Grid, prepare func(*spectrum.Spectrum) (*spectrum.Spectrum, error), estimateIvar bool) (Example, error) {
	s, err := spectrum.ReadFile(path)
	if err != nil {
		return Example{}, err
	}
	return prepareExample(s, path, g, prepare, estimateIvar)
}

// prepareExample prepares a spectrum as read and converts it to an
// unlabelled example.
func prepareExample(s *spectrum.Spectrum, path string, g prep.Grid, prepare func(*spectrum.Spectrum) (*spectrum.Spectrum, error), estimateIvar bool) (ex Example, err error) {
	defer func() { // a reader or prep bug must cost one file, not the run
		if r := recover(); r != nil {
			err = fmt.Errorf("panic while preparing: %v", r)
		}
	}()
	id := s.Meta.ID
	snr := math.NaN()
	if v, ok := s.Meta.SNR["g"]; ok && v > 0 && !math.IsInf(v, 0) {
		snr = v
	}
	p, err := prepare(s)
	if err != nil {
		return Example{}, err
	}
	flux, ivar, err := toFloat32Pixels(p, g, estimateIvar)
	if err != nil {
		return Example{}, err
	}
	ex = Example{ID: id, File: path, Flux: flux, Ivar: ivar, Labels: Unlabelled()}
	ex.Labels.SNR = snr
	return ex, nil
}

// toFloat32Pixels converts a spectrum prepared onto g to float32 flux and
// ivar. Pixels that are not usable (prep.PixelOK false), or whose values
// do not fit in float32, get flux 0 and ivar 0: every pixel with ivar 0
// has flux 0.
func toFloat32Pixels(p *spectrum.Spectrum, g prep.Grid, estimateIvar bool) (flux, ivar []float32, err error) {
	if p.Len() != g.N || len(p.WavelengthAA) != g.N {
		return nil, nil, fmt.Errorf("prepared spectrum has %d pixels, grid has %d", p.Len(), g.N)
	}
	if err := p.Validate(); err != nil {
		return nil, nil, err
	}
	constIvar := math.NaN()
	if p.Ivar == nil {
		if !estimateIvar {
			return nil, nil, ErrNoIvar
		}
		if constIvar, err = derSNRIvar(p); err != nil {
			return nil, nil, err
		}
	}
	flux, ivar = make([]float32, g.N), make([]float32, g.N)
	good := 0
	for i := range flux {
		if !prep.PixelOK(p, i) {
			continue
		}
		v := constIvar
		if p.Ivar != nil {
			v = p.Ivar[i]
		}
		f32, v32 := float32(p.Flux[i]), float32(v)
		if f32-f32 != 0 || v32-v32 != 0 || !(v32 > 0) { // overflow to ±Inf, or underflow to 0
			continue
		}
		flux[i], ivar[i] = f32, v32
		good++
	}
	if good == 0 {
		return nil, nil, fmt.Errorf("%w (%.1f–%.1f Å)", ErrNoGoodPixels, g.WavelengthAA(0), g.WavelengthAA(g.N-1))
	}
	return flux, ivar, nil
}

// derSNRIvar returns the constant inverse variance implied by the DER_SNR
// noise estimate of the good pixels of p: σ = median(f)/SNR.
func derSNRIvar(p *spectrum.Spectrum) (float64, error) {
	f := make([]float64, 0, p.Len())
	for i := range p.Flux {
		if prep.PixelOK(p, i) {
			f = append(f, p.Flux[i])
		}
	}
	snr := prep.DERSNR(f)
	if !(snr > 0) || math.IsInf(snr, 0) {
		return 0, fmt.Errorf("%w, and DER_SNR cannot estimate the noise (S/N %v)", ErrNoIvar, snr)
	}
	sigma := median(f) / snr
	if !(sigma > 0) || math.IsInf(sigma, 0) {
		return 0, fmt.Errorf("%w, and DER_SNR gives noise %v", ErrNoIvar, sigma)
	}
	return 1 / (sigma * sigma), nil
}

// median returns the median of the non-zero values of x (the values
// prep.DERSNR takes its median of), or NaN when there are none. x is not
// modified.
func median(x []float64) float64 {
	v := make([]float64, 0, len(x))
	for _, f := range x {
		if f != 0 {
			v = append(v, f)
		}
	}
	if len(v) == 0 {
		return math.NaN()
	}
	slices.Sort(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return 0.5 * (v[n/2-1] + v[n/2])
}
