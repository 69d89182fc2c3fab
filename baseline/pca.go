package baseline

import (
	"math"
	"math/rand/v2"
	"sort"
	"sync"
)

// pcaResult is a weighted low-rank basis of a set of spectra.
type pcaResult struct {
	// Basis holds K vectors of length P. Basis[0] points along the mean
	// of the data (the direction of the average coefficient vector); the
	// others span the rest of the fitted subspace, orthogonal to Basis[0]
	// and to each other (unweighted dot product over covered pixels), in
	// decreasing order of the weighted variance they explain.
	Basis [][]float64
	// Covered marks pixels with at least minCover spectra of positive
	// weight whose basis values are determined (a non-singular per-pixel
	// system); elsewhere Basis is NaN.
	Covered []bool
	// Chi2 is Σ w (x − model)² after the last iteration.
	Chi2 float64
}

// weightedPCA finds K vectors e_1 … e_K of length P that minimise
//
//	Σ_n Σ_p w_np (x_np − Σ_k c_nk e_kp)²
//
// over the basis and the per-spectrum coefficients c_nk, by alternating
// weighted least squares: with the basis fixed, each spectrum's K
// coefficients are one small linear solve; with the coefficients fixed,
// each pixel's K basis values are another. This is the weighted
// expectation-maximisation PCA of Bailey (2012, PASP 124, 1015) without
// a separate mean (the mean direction is one of the K vectors); w = 0
// marks missing data, so spectra that cover different parts of the pixel
// range (de-redshifted spectra) are handled naturally.
//
// x and w are N rows of P values. The iteration starts from coefficients
// (1, seeded pseudo-random values…), runs iters alternations (fewer when
// the relative change of χ² drops below 1e-5) and uses up to workers
// goroutines; the result does not depend on their number or scheduling.
// Pixels covered by fewer than minCover spectra are NaN in the result.
func weightedPCA(x, w [][]float32, k, iters, minCover, workers int, seed uint64) pcaResult {
	n := len(x)
	if n == 0 || k < 1 {
		return pcaResult{}
	}
	p := len(x[0])
	workers = max(workers, 1)
	cover := make([]int, p)
	for i := range n {
		for j := range p {
			if w[i][j] > 0 {
				cover[j]++
			}
		}
	}
	res := pcaResult{Covered: make([]bool, p)}
	for j := range p {
		res.Covered[j] = cover[j] >= max(minCover, 1)
	}
	basis := make([][]float64, k)
	coef := make([][]float64, n)
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	for i := range coef {
		coef[i] = make([]float64, k)
		coef[i][0] = 1
		for j := 1; j < k; j++ {
			coef[i][j] = rng.NormFloat64()
		}
	}
	for j := range basis {
		basis[j] = make([]float64, p)
	}
	// The first basis solve, from coefficients (1, random…), puts
	// component 0 near the weighted mean spectrum.
	wmed := medianWeight(w)
	ridge := make([]float64, k)
	prev := math.Inf(1)
	for it := 0; it < max(iters, 1); it++ {
		for c := range k {
			var s float64
			for i := range coef {
				s += coef[i][c] * coef[i][c]
			}
			ridge[c] = ridgeFrac * wmed * s / float64(n)
		}
		solveBasis(x, w, coef, basis, res.Covered, ridge, workers)
		chi2 := solveCoefs(x, w, coef, basis, res.Covered, workers)
		res.Chi2 = chi2
		if prev-chi2 <= 1e-5*chi2 && it > 2 {
			break
		}
		prev = chi2
	}
	res.Basis = orthonormalise(basis, coef, res.Covered)
	for j := range p {
		if !res.Covered[j] {
			for c := range res.Basis {
				res.Basis[c][j] = math.NaN()
			}
		}
	}
	return res
}

// ridgeFrac scales the basis ridge: a thousandth of one typical spectrum's
// contribution to a pixel's normal equations.
const ridgeFrac = 1e-3

// medianWeight returns the median positive weight of w (1 when none), from
// a strided sample of at most about 100 000 values.
func medianWeight(w [][]float32) float64 {
	var all []float64
	total := 0
	for _, row := range w {
		total += len(row)
	}
	stride := max(total/100000, 1)
	k := 0
	for _, row := range w {
		for _, v := range row {
			if k%stride == 0 && v > 0 {
				all = append(all, float64(v))
			}
			k++
		}
	}
	if len(all) == 0 {
		return 1
	}
	sort.Float64s(all)
	return all[len(all)/2]
}

// parallelRange runs f over [0, n) split into contiguous chunks, one per
// worker.
func parallelRange(n, workers int, f func(lo, hi int)) {
	if workers <= 1 || n < 2*workers {
		f(0, n)
		return
	}
	var wg sync.WaitGroup
	chunk := (n + workers - 1) / workers
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(lo, hi)
		}()
	}
	wg.Wait()
}

// solveBasis solves each usable pixel's K basis values given the
// coefficients. A ridge term ridge[c] on the diagonal (a weak prior
// pulling basis values toward zero, negligible where many spectra
// overlap) keeps pixels seen by fewer than K spectra determined; a pixel
// whose system is still singular is marked unusable.
func solveBasis(x, w [][]float32, coef, basis [][]float64, ok []bool, ridge []float64, workers int) {
	k := len(basis)
	p := len(ok)
	parallelRange(p, workers, func(lo, hi int) {
		q := newNormal(k)
		sol, scratch := make([]float64, k), make([]float64, k*k)
		for j := lo; j < hi; j++ {
			if !ok[j] {
				continue
			}
			q.reset()
			for i := range x {
				if wt := float64(w[i][j]); wt > 0 {
					q.add(coef[i], float64(x[i][j]), wt)
				}
			}
			for c := range k {
				q.ata[c*k+c] += ridge[c]
			}
			if _, err := q.solve(sol, scratch); err != nil {
				ok[j] = false
				continue
			}
			for c := range k {
				basis[c][j] = sol[c]
			}
		}
	})
}

// solveCoefs solves each spectrum's coefficients given the basis (over
// usable pixels) and returns the total χ².
func solveCoefs(x, w [][]float32, coef, basis [][]float64, ok []bool, workers int) float64 {
	k := len(basis)
	chi2s := make([]float64, len(x)) // summed in order: the result must not depend on scheduling
	parallelRange(len(x), workers, func(lo, hi int) {
		q := newNormal(k)
		sol, scratch, row := make([]float64, k), make([]float64, k*k), make([]float64, k)
		for i := lo; i < hi; i++ {
			q.reset()
			for j := range x[i] {
				wt := float64(w[i][j])
				if !(wt > 0) || !ok[j] {
					continue
				}
				for c := range k {
					row[c] = basis[c][j]
				}
				q.add(row, float64(x[i][j]), wt)
			}
			chi2, err := q.solve(sol, scratch)
			if err != nil {
				continue
			}
			copy(coef[i], sol)
			chi2s[i] = chi2
		}
	})
	var total float64
	for _, v := range chi2s {
		total += v
	}
	return total
}

// orthonormalise rotates the fitted basis (same span) so that vector 0 is
// the direction of the mean coefficient vector, normalised, and the others
// are the principal axes of the coefficient scatter projected orthogonal
// to it, sorted by decreasing variance (Gram–Schmidt in pixel space over
// covered pixels, then an eigen-decomposition of the small covariance).
func orthonormalise(basis, coef [][]float64, covered []bool) [][]float64 {
	k := len(basis)
	p := len(covered)
	dot := func(a, b []float64) float64 {
		var s float64
		for j := range p {
			if covered[j] {
				s += a[j] * b[j]
			}
		}
		return s
	}
	// Mean direction.
	cbar := make([]float64, k)
	for _, c := range coef {
		for j := range k {
			cbar[j] += c[j] / float64(len(coef))
		}
	}
	vecs := make([][]float64, 0, k)
	mean := make([]float64, p)
	for c := range k {
		for j := range p {
			mean[j] += cbar[c] * basis[c][j]
		}
	}
	vecs = append(vecs, mean)
	vecs = append(vecs, basis...)
	// Modified Gram–Schmidt; drop vectors that vanish (span already full).
	var ortho [][]float64
	for _, v := range vecs {
		u := append([]float64(nil), v...)
		for _, o := range ortho {
			d := dot(u, o)
			for j := range p {
				u[j] -= d * o[j]
			}
		}
		norm := math.Sqrt(dot(u, u))
		if !(norm > 1e-10*math.Sqrt(dot(v, v))) || len(ortho) == k {
			continue
		}
		for j := range p {
			u[j] /= norm
		}
		ortho = append(ortho, u)
	}
	if len(ortho) <= 2 {
		return ortho
	}
	// Coefficients of every spectrum's model in the orthonormal basis:
	// model_n = Σ_c coef_nc basis_c, so proj_n = Oᵀ B coef_n with the
	// k×k matrix M = Oᵀ B computed once.
	m := len(ortho)
	mat := make([][]float64, m)
	for a := range m {
		mat[a] = make([]float64, k)
		for c := range k {
			mat[a][c] = dot(ortho[a], basis[c])
		}
	}
	// Covariance of components 1 … m−1 around zero (their mean is not
	// zero in general; the spread about the mean direction is what
	// matters, and the second moment orders them the same way for fits).
	r := m - 1
	cov := make([]float64, r*r)
	proj := make([]float64, m)
	for _, c := range coef {
		for a := range m {
			var s float64
			for b := range k {
				s += mat[a][b] * c[b]
			}
			proj[a] = s
		}
		for a := 0; a < r; a++ {
			for b := 0; b < r; b++ {
				cov[a*r+b] += proj[a+1] * proj[b+1]
			}
		}
	}
	_, vecsR := jacobiEigen(cov, r)
	out := make([][]float64, 0, m)
	out = append(out, ortho[0])
	for e := range r {
		u := make([]float64, p)
		for a := range r {
			f := vecsR[a*r+e]
			for j := range p {
				u[j] += f * ortho[a+1][j]
			}
		}
		out = append(out, u)
	}
	return out
}

// jacobiEigen diagonalises the symmetric n×n row-major matrix a (not
// modified) by cyclic Jacobi rotations and returns the eigenvalues in
// decreasing order and the matching eigenvectors as the columns of an n×n
// row-major matrix.
func jacobiEigen(a []float64, n int) ([]float64, []float64) {
	m := append([]float64(nil), a...)
	v := make([]float64, n*n)
	for i := range n {
		v[i*n+i] = 1
	}
	for sweep := 0; sweep < 100; sweep++ {
		var off, diag float64
		for i := range n {
			diag += m[i*n+i] * m[i*n+i]
			for j := i + 1; j < n; j++ {
				off += m[i*n+j] * m[i*n+j]
			}
		}
		if off <= 1e-30*diag || off == 0 {
			break
		}
		for p := 0; p < n; p++ {
			for q := p + 1; q < n; q++ {
				apq := m[p*n+q]
				if apq == 0 {
					continue
				}
				theta := (m[q*n+q] - m[p*n+p]) / (2 * apq)
				t := math.Copysign(1, theta) / (math.Abs(theta) + math.Sqrt(theta*theta+1))
				c := 1 / math.Sqrt(t*t+1)
				s := t * c
				for k := range n {
					mkp, mkq := m[k*n+p], m[k*n+q]
					m[k*n+p], m[k*n+q] = c*mkp-s*mkq, s*mkp+c*mkq
				}
				for k := range n {
					mpk, mqk := m[p*n+k], m[q*n+k]
					m[p*n+k], m[q*n+k] = c*mpk-s*mqk, s*mpk+c*mqk
				}
				for k := range n {
					vkp, vkq := v[k*n+p], v[k*n+q]
					v[k*n+p], v[k*n+q] = c*vkp-s*vkq, s*vkp+c*vkq
				}
			}
		}
	}
	// Sort by decreasing eigenvalue.
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	for i := 1; i < n; i++ {
		for j := i; j > 0 && m[idx[j]*n+idx[j]] > m[idx[j-1]*n+idx[j-1]]; j-- {
			idx[j], idx[j-1] = idx[j-1], idx[j]
		}
	}
	vals := make([]float64, n)
	vecs := make([]float64, n*n)
	for e, i := range idx {
		vals[e] = m[i*n+i]
		for k := range n {
			vecs[k*n+e] = v[k*n+i]
		}
	}
	return vals, vecs
}
