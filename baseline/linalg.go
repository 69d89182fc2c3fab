package baseline

import (
	"errors"
	"math"
)

// errSingular reports a normal-equation matrix that is not (numerically)
// positive definite.
var errSingular = errors.New("singular least-squares system")

// normal accumulates the normal equations AᵀWA x = AᵀWb of a weighted
// linear least-squares problem with m unknowns, one row at a time.
type normal struct {
	m   int
	ata []float64 // m×m, upper triangle filled by add
	atb []float64 // m
	bb  float64   // Σ w b²
	n   int       // rows with w > 0
}

// newNormal returns empty normal equations for m unknowns.
func newNormal(m int) *normal {
	return &normal{m: m, ata: make([]float64, m*m), atb: make([]float64, m)}
}

// reset clears the accumulated sums.
func (q *normal) reset() {
	clear(q.ata)
	clear(q.atb)
	q.bb, q.n = 0, 0
}

// add accumulates one row a (length m) with right-hand side b and weight
// w ≥ 0 (an inverse variance). Rows with w ≤ 0 are ignored.
func (q *normal) add(a []float64, b, w float64) {
	if !(w > 0) {
		return
	}
	m := q.m
	a = a[:m]
	ata, atb := q.ata[:m*m], q.atb[:m]
	for j, aj := range a {
		wa := w * aj
		row := ata[j*m+j : j*m+m]
		aa := a[j:]
		aa = aa[:len(row)]
		for k, v := range aa {
			row[k] += wa * v
		}
		atb[j] += wa * b
	}
	q.bb += w * b * b
	q.n++
}

// solve solves the accumulated normal equations into x (length m) and
// returns the weighted residual sum of squares χ² = Σ w (b − a·x)² at the
// solution. scratch must hold m*m values. Unknowns whose column is
// identically zero on the weighted rows get x = 0 and do not count as
// singular (a template that is zero over the observed range). The system
// is scaled to unit diagonal before the Cholesky factorisation, so columns
// of very different magnitude are harmless; an otherwise singular system
// returns errSingular.
func (q *normal) solve(x, scratch []float64) (float64, error) {
	m := q.m
	l := scratch[:m*m]
	var small [16]float64
	d := small[:0] // 1/√diag, 0 for an empty column
	if m <= len(small) {
		d = small[:m]
	} else {
		d = make([]float64, m)
	}
	for j := 0; j < m; j++ {
		if v := q.ata[j*m+j]; v > 0 {
			d[j] = 1 / math.Sqrt(v)
		} else {
			d[j] = 0
		}
	}
	for j := 0; j < m; j++ {
		for k := 0; k < m; k++ {
			var v float64
			switch {
			case d[j] == 0 || d[k] == 0:
				if j == k {
					v = 1
				}
			case k >= j:
				v = q.ata[j*m+k] * d[j] * d[k]
			default:
				v = q.ata[k*m+j] * d[j] * d[k]
			}
			l[j*m+k] = v
		}
		x[j] = q.atb[j] * d[j]
	}
	if err := cholesky(l, m); err != nil {
		return math.NaN(), err
	}
	cholSolve(l, m, x)
	var xb float64
	for j := 0; j < m; j++ {
		x[j] *= d[j]
		xb += x[j] * q.atb[j]
	}
	// χ² = bᵀWb − 2xᵀAᵀWb + xᵀAᵀWAx = bᵀWb − xᵀAᵀWb at the solution.
	return max(q.bb-xb, 0), nil
}

// cholesky factors the symmetric positive-definite m×m row-major matrix a
// (lower triangle read) in place into L with a = L Lᵀ (lower triangle
// written). A pivot below 1e-13 of the largest diagonal element is
// reported as errSingular.
func cholesky(a []float64, m int) error {
	var dmax float64
	for j := 0; j < m; j++ {
		dmax = math.Max(dmax, a[j*m+j])
	}
	if !(dmax > 0) {
		return errSingular
	}
	for j := 0; j < m; j++ {
		s := a[j*m+j]
		for k := 0; k < j; k++ {
			s -= a[j*m+k] * a[j*m+k]
		}
		if !(s > 1e-13*dmax) {
			return errSingular
		}
		ljj := math.Sqrt(s)
		a[j*m+j] = ljj
		for i := j + 1; i < m; i++ {
			t := a[i*m+j]
			for k := 0; k < j; k++ {
				t -= a[i*m+k] * a[j*m+k]
			}
			a[i*m+j] = t / ljj
		}
	}
	return nil
}

// cholSolve solves L Lᵀ x = b in place (b becomes x) for the factor L
// written by cholesky.
func cholSolve(l []float64, m int, b []float64) {
	for i := 0; i < m; i++ {
		s := b[i]
		for k := 0; k < i; k++ {
			s -= l[i*m+k] * b[k]
		}
		b[i] = s / l[i*m+i]
	}
	for i := m - 1; i >= 0; i-- {
		s := b[i]
		for k := i + 1; k < m; k++ {
			s -= l[k*m+i] * b[k]
		}
		b[i] = s / l[i*m+i]
	}
}

// cholInverseDiag returns the diagonal of (L Lᵀ)⁻¹ for the factor L written
// by cholesky: entry j is ‖L⁻¹ e_j‖², computed column by column.
func cholInverseDiag(l []float64, m int) []float64 {
	out := make([]float64, m)
	y := make([]float64, m)
	for j := 0; j < m; j++ {
		// (L Lᵀ)⁻¹_jj = ‖L⁻¹ e_j‖².
		clear(y)
		var s2 float64
		for i := j; i < m; i++ {
			s := 0.0
			if i == j {
				s = 1
			}
			for k := j; k < i; k++ {
				s -= l[i*m+k] * y[k]
			}
			y[i] = s / l[i*m+i]
			s2 += y[i] * y[i]
		}
		out[j] = s2
	}
	return out
}

// legendreRow fills p with the Legendre polynomials P_0 … P_{len(p)−1} at
// x by Bonnet's recursion (k+1)P_{k+1} = (2k+1)x P_k − k P_{k−1}.
func legendreRow(x float64, p []float64) {
	if len(p) == 0 {
		return
	}
	p[0] = 1
	if len(p) > 1 {
		p[1] = x
	}
	for k := 1; k+1 < len(p); k++ {
		p[k+1] = (float64(2*k+1)*x*p[k] - float64(k)*p[k-1]) / float64(k+1)
	}
}

// cubicWeights returns the four weights of Keys' (1981) cubic convolution
// kernel (a = −½) for samples at offsets −1, 0, 1, 2 from the integer part
// of a position whose fractional part is t ∈ [0, 1). The interpolant
// passes through the samples and reproduces polynomials up to degree two
// exactly.
func cubicWeights(t float64) (w0, w1, w2, w3 float64) {
	t2, t3 := t*t, t*t*t
	w0 = -0.5*t3 + t2 - 0.5*t
	w1 = 1.5*t3 - 2.5*t2 + 1
	w2 = -1.5*t3 + 2*t2 + 0.5*t
	w3 = 0.5*t3 - 0.5*t2
	return
}

// interpCubic evaluates y at the fractional index pos by cubic
// convolution, clamping the stencil at the ends (a constant extension).
// It returns NaN for a non-finite pos.
func interpCubic(y []float64, pos float64) float64 {
	n := len(y)
	if n == 0 || math.IsNaN(pos) || math.IsInf(pos, 0) {
		return math.NaN()
	}
	i := int(math.Floor(pos))
	t := pos - float64(i)
	at := func(k int) float64 { return y[min(max(k, 0), n-1)] }
	if t == 0 {
		return at(i)
	}
	w0, w1, w2, w3 := cubicWeights(t)
	return w0*at(i-1) + w1*at(i) + w2*at(i+1) + w3*at(i+2)
}
