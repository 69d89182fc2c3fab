package train

import (
	"fmt"
	"math"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/astroone/astroone-go/dataset"
	"github.com/astroone/astroone-go/model"
)

// valMaskSeed offsets the seed of the validation masks from the training ones.
const valMaskSeed = 0x76616c

// validator computes ValMetrics on a fixed validation set.
type validator struct {
	cfg   model.Config
	norm  dataset.Normalizer
	set   *dataset.Set
	execs map[Phase]*context.Exec
}

// close releases the compiled graphs.
func (v *validator) close() {
	for _, e := range v.execs {
		e.Finalize()
	}
}

// padBatch extends b to size rows with empty spectra (ivar 0, no class, no
// targets), which add nothing to any loss or metric.
func padBatch(b *dataset.Batch, size int) {
	extra := size - b.Size
	if extra <= 0 {
		return
	}
	b.Flux = append(b.Flux, make([]float32, extra*b.Pixels)...)
	b.Ivar = append(b.Ivar, make([]float32, extra*b.Pixels)...)
	for range extra {
		b.Class = append(b.Class, -1)
	}
	b.Y = append(b.Y, make([]float32, extra*dataset.NumParams)...)
	b.W = append(b.W, make([]float32, extra*dataset.NumParams)...)
	b.Size = size
}

// run evaluates the model in ctx on the validation set for a phase, in
// batches of cfg.Batch (the last one padded), with token masks that are
// the same at every validation.
func (v *validator) run(backend backends.Backend, ctx *context.Context, phase Phase) (*ValMetrics, error) {
	exec := v.execs[phase]
	if exec == nil {
		var err error
		if exec, err = newEvalExec(backend, ctx, v.cfg, phase); err != nil {
			return nil, err
		}
		v.execs[phase] = exec
	}
	const nc, np = dataset.NumClasses, dataset.NumParams
	var recNum, recDen, ceSum, nllSum, zceSum float64
	var shiftAbsSum, starCESum float64
	var nStarBins int
	var nLabelled, nCorrect, nTargets, nZ, nZBad, nShift int
	var maeSum, maeN [np]float64
	n := len(v.set.Examples)
	size := v.cfg.Batch
	bt, err := dataset.NewBatcher(v.set, v.norm, dataset.BatchOptions{Size: size, Prefetch: 2})
	if err != nil {
		return nil, err
	}
	defer bt.Close()
	for lo, chunk := 0, 0; lo < n; lo, chunk = lo+size, chunk+1 {
		b, err := bt.Next()
		if err != nil {
			return nil, fmt.Errorf("validation batch %d: %w", chunk, err)
		}
		hi := lo + b.Size
		padBatch(b, size)
		p, err := prepareBatch(v.cfg, v.norm, b, phase, v.cfg.Seed^valMaskSeed, uint64(chunk))
		if err != nil {
			return nil, err
		}
		outs, err := exec.Exec(p.tensors(PhasePretrain)...)
		if err != nil {
			return nil, err
		}
		flat := make([][]float32, len(outs))
		for i, t := range outs {
			flat[i] = tensors.MustCopyFlatData[float32](t)
			t.FinalizeAll()
		}
		for r := range hi - lo {
			recNum += float64(flat[0][r])
			recDen += float64(flat[1][r])
		}
		if phase != PhaseFinetune {
			continue
		}
		logits, mean, logSig := flat[2], flat[3], flat[4]
		for r := range hi - lo {
			ex := &v.set.Examples[lo+r]
			decoded := v.norm.Decode([np]float32(mean[r*np : (r+1)*np]))
			if v.cfg.ZBins > 0 && p.zw[r] > 0 {
				zl, zt := flat[5][r*v.cfg.ZBins:(r+1)*v.cfg.ZBins], p.zt[r*v.cfg.ZBins:(r+1)*v.cfg.ZBins]
				lse, _ := logSumExp(zl)
				probs := make([]float32, len(zl))
				for k := range zl {
					zceSum -= float64(zt[k]) * (float64(zl[k]) - lse)
					probs[k] = float32(math.Exp(float64(zl[k]) - lse))
				}
				nZ++
				zHat, _, _ := model.DecodeZ(v.cfg, probs)
				decoded[dataset.ParamZ] = zHat // as the Predictor reports z
				if truth := ex.Labels.Params[dataset.ParamZ]; !(math.Abs(zHat-truth)/(1+truth) <= 0.01) {
					nZBad++
				}
			}
			if nb := v.cfg.StarBins; nb > 0 {
				si := 5
				if v.cfg.ZBins > 0 {
					si++
				}
				const ns = len(model.StarBinParams)
				for j, bin := range v.cfg.StarBinnings() {
					lo := (r*ns + j) * nb
					sl := flat[si][lo : lo+nb]
					lse, _ := logSumExp(sl)
					probs := make([]float32, nb)
					for k := range sl {
						probs[k] = float32(math.Exp(float64(sl[k]) - lse))
					}
					if p.bw[r*ns+j] > 0 {
						for k := range sl {
							starCESum -= float64(p.bt[lo+k]) * (float64(sl[k]) - lse)
						}
						nStarBins++
					}
					// As the Predictor reports the parameter.
					decoded[model.StarBinParams[j]], _, _ = bin.Decode(probs)
				}
			}
			if p.sw != nil && p.sw[r] > 0 {
				shiftAbsSum += math.Abs(float64(flat[len(flat)-1][r] - p.st[r]))
				nShift++
			}
			if c := b.Class[r]; c >= 0 {
				lse, best := logSumExp(logits[r*nc : (r+1)*nc])
				ceSum += lse - float64(logits[r*nc+int(c)])
				nLabelled++
				if best == int(c) {
					nCorrect++
				}
			}
			for k := range np {
				if b.W[r*np+k] <= 0 {
					continue
				}
				s := float64(logSig[r*np+k])
				z := (float64(b.Y[r*np+k]) - float64(mean[r*np+k])) * math.Exp(-s)
				nllSum += 0.5*z*z + s + 0.5*math.Log(2*math.Pi)
				nTargets++
				if truth := ex.Labels.Params[k]; !math.IsNaN(truth) {
					maeSum[k] += math.Abs(decoded[k] - truth)
					maeN[k]++
				}
			}
		}
	}
	m := &ValMetrics{N: n}
	if recDen > 0 {
		m.ReconLoss = recNum / recDen
	}
	if phase == PhasePretrain {
		m.Loss = m.ReconLoss
		return m, nil
	}
	m.ClassLoss = ceSum / math.Max(float64(nLabelled), 1)
	m.ParamNLL = nllSum / math.Max(float64(nTargets), 1)
	m.Loss = v.cfg.WClass*m.ClassLoss + v.cfg.WReg*m.ParamNLL
	if nZ > 0 {
		m.ZLoss = zceSum / float64(nZ)
		m.Loss += v.cfg.WZ * m.ZLoss
		cat := float64(nZBad) / float64(nZ)
		m.ZCatastrophic = &cat
	}
	if nStarBins > 0 {
		m.StarBinLoss = starCESum / float64(nStarBins)
		m.Loss += v.cfg.WStarBins * m.StarBinLoss
	}
	if nShift > 0 {
		mae := shiftAbsSum / float64(nShift) * v.cfg.ShiftPixelKmS()
		m.ShiftMAEKmS = &mae
	}
	if maskRatio(v.cfg, phase) > 0 {
		m.Loss += v.cfg.WRecon * m.ReconLoss
	}
	if nLabelled > 0 {
		acc := float64(nCorrect) / float64(nLabelled)
		m.Accuracy = &acc
	}
	for k := range np {
		if maeN[k] > 0 {
			if m.MAE == nil {
				m.MAE = map[string]float64{}
			}
			m.MAE[dataset.ParamNames[k]] = maeSum[k] / maeN[k]
		}
	}
	return m, nil
}

// logSumExp returns log Σ exp(x) and the index of the largest x.
func logSumExp(x []float32) (float64, int) {
	best := 0
	for i := range x {
		if x[i] > x[best] {
			best = i
		}
	}
	m := float64(x[best])
	var s float64
	for _, v := range x {
		s += math.Exp(float64(v) - m)
	}
	return m + math.Log(s), best
}
