package prep

import (
	"errors"
	"math"
)

// errRankDeficient reports a least-squares problem whose design matrix has
// (numerically) dependent columns.
var errRankDeficient = errors.New("rank-deficient least-squares problem")

// lstsq solves min ‖A x − b‖₂ for the n×m row-major matrix a (n ≥ m) by
// Householder QR, which is numerically safer than the normal equations.
// a and b are overwritten. It returns errRankDeficient when a diagonal
// element of R is below 1e-11 of the largest one.
func lstsq(a []float64, n, m int, b []float64) ([]float64, error) {
	if n < m {
		return nil, errRankDeficient
	}
	diag := make([]float64, m)
	for k := 0; k < m; k++ {
		var norm2 float64
		for i := k; i < n; i++ {
			v := a[i*m+k]
			norm2 += v * v
		}
		if norm2 == 0 {
			return nil, errRankDeficient
		}
		alpha := -math.Copysign(math.Sqrt(norm2), a[k*m+k])
		a[k*m+k] -= alpha
		// v = column k below the diagonal; vᵀv = norm2 − 2·alpha·x_k + alpha².
		var vv float64
		for i := k; i < n; i++ {
			v := a[i*m+k]
			vv += v * v
		}
		for j := k + 1; j < m; j++ {
			var dot float64
			for i := k; i < n; i++ {
				dot += a[i*m+k] * a[i*m+j]
			}
			f := 2 * dot / vv
			for i := k; i < n; i++ {
				a[i*m+j] -= f * a[i*m+k]
			}
		}
		var dot float64
		for i := k; i < n; i++ {
			dot += a[i*m+k] * b[i]
		}
		f := 2 * dot / vv
		for i := k; i < n; i++ {
			b[i] -= f * a[i*m+k]
		}
		diag[k] = alpha
	}
	var dmax float64
	for _, d := range diag {
		dmax = math.Max(dmax, math.Abs(d))
	}
	x := make([]float64, m)
	for k := m - 1; k >= 0; k-- {
		if math.Abs(diag[k]) <= 1e-11*dmax {
			return nil, errRankDeficient
		}
		sum := b[k]
		for j := k + 1; j < m; j++ {
			sum -= a[k*m+j] * x[j]
		}
		x[k] = sum / diag[k]
	}
	return x, nil
}

// legendre fills p[0…len(p)−1] with the Legendre polynomials P_k(x),
// using Bonnet's recursion (k+1)P_{k+1} = (2k+1)x P_k − k P_{k−1}.
func legendre(x float64, p []float64) {
	if len(p) == 0 {
		return
	}
	p[0] = 1
	if len(p) == 1 {
		return
	}
	p[1] = x
	for k := 1; k+1 < len(p); k++ {
		p[k+1] = (float64(2*k+1)*x*p[k] - float64(k)*p[k-1]) / float64(k+1)
	}
}

// bspline is a clamped cubic B-spline basis on [t[0], t[len(t)−1]].
type bspline struct {
	t []float64 // knot vector: 4 copies of each end, interior knots between
}

// newBSpline returns the clamped cubic basis on [lo, hi] with the given
// strictly increasing interior knots (all inside (lo, hi)).
func newBSpline(lo, hi float64, interior []float64) bspline {
	t := make([]float64, 0, len(interior)+8)
	t = append(t, lo, lo, lo, lo)
	t = append(t, interior...)
	t = append(t, hi, hi, hi, hi)
	return bspline{t: t}
}

// size returns the number of basis functions.
func (b bspline) size() int { return len(b.t) - 4 }

// eval fills row (length b.size()) with the basis functions at x, which is
// clamped into the knot range. It uses the Cox–de Boor recursion in the
// form of Piegl & Tiller, The NURBS Book, algorithm A2.2.
func (b bspline) eval(x float64, row []float64) {
	const p = 3
	t := b.t
	nb := b.size()
	x = math.Max(t[0], math.Min(x, t[len(t)-1]))
	// Knot span: t[span] ≤ x < t[span+1], with the right end in the last span.
	span := p
	for span < nb-1 && x >= t[span+1] {
		span++
	}
	var nloc [p + 1]float64
	var left, right [p + 1]float64
	nloc[0] = 1
	for j := 1; j <= p; j++ {
		left[j] = x - t[span+1-j]
		right[j] = t[span+j] - x
		saved := 0.0
		for r := 0; r < j; r++ {
			den := right[r+1] + left[j-r]
			tmp := 0.0
			if den != 0 {
				tmp = nloc[r] / den
			}
			nloc[r] = saved + right[r+1]*tmp
			saved = left[j-r] * tmp
		}
		nloc[j] = saved
	}
	for i := range row {
		row[i] = 0
	}
	for r := 0; r <= p; r++ {
		row[span-p+r] = nloc[r]
	}
}
