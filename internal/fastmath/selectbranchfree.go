package fastmath

import "math"

// SelectBranchFree returns the k-th smallest element of x (0-based: the value a
// full sort would put at x[k]); x must not hold NaNs. It panics if k
// is out of range. It overwrites x and
// buf (len(buf) ≥ len(x)). More than 512 values are first cut down to a
// bracket around rank k (Floyd & Rivest, below); then it is quickselect
// with a median-of-three pivot whose partitioning pass is free of
// data-dependent branches: each value is written to both ends of the
// other buffer and only the end it belongs to advances (values below the
// pivot fill it from the front, the others from the back), and the search
// continues in the part that holds rank k, the two buffers swapping
// roles. Quickselect's usual in-place partition mispredicts a branch for
// about every other value, which on survey spectra made it 2–4 times
// slower; the two steps together are 3–4 times faster than it.
func SelectBranchFree(x, buf []float64, k int) float64 {
	if k < 0 || k >= len(x) {
		panic("fastmath.SelectBranchFree: rank out of range")
	}
	src, dst := x, buf[:len(x)]
	if n := len(src); n > 512 {
		// Floyd & Rivest (1975, CACM 18, 165): bracket rank k between two
		// values of an evenly spaced sample (ranks ±5 of 64 around k's,
		// ≈ 1.2σ of the sample rank) and keep only the values inside the
		// bracket, about a sixth of them, in one branch-free pass; if the
		// bracket missed rank k, the pass is wasted and src is intact.
		var s, sb [64]float64
		step := n / len(s)
		for j := range s {
			s[j] = src[j*step+step/2]
		}
		const half = 5
		p := int((float64(k) + 0.5) / float64(n) * float64(len(s)))
		jlo, jhi := max(p-half, 0), min(p+half, len(s)-1)
		lo, hi := math.Inf(-1), math.Inf(1)
		if jlo > 0 {
			lo = SelectBranchFree(s[:], sb[:], jlo)
		}
		if jhi < len(s)-1 {
			for j := range s { // SelectBranchFree scrambled s
				s[j] = src[j*step+step/2]
			}
			hi = SelectBranchFree(s[:], sb[:], jhi)
		}
		below, m := 0, 0
		for _, v := range src {
			dst[m] = v // kept (m advances) when lo ≤ v ≤ hi
			b, a := 0, 0
			if v < lo {
				b = 1
			}
			if v > hi {
				a = 1
			}
			below += b
			m += 1 - a - b
		}
		if k >= below && k < below+m {
			src, dst, k = dst[:m], src, k-below
		}
	}
	for len(src) > 16 {
		n := len(src)
		a, b, c := src[0], src[n/2], src[n-1]
		pivot := max(min(a, b), min(max(a, b), c)) // median of three
		lo, hi := 0, n-1
		dst = dst[:n]
		for _, v := range src {
			dst[lo] = v
			dst[hi] = v
			l := 0
			if v < pivot {
				l = 1
			}
			lo += l
			hi -= 1 - l
		}
		// Now dst[:lo] < pivot ≤ dst[lo:n].
		switch {
		case k < lo:
			src, dst = dst[:lo], src
		case lo > 0:
			src, dst, k = dst[lo:n], src, k-lo
		default: // the pivot is the minimum: set aside the values equal to it
			m := 0
			for _, v := range src {
				dst[m] = v
				g := 0
				if v > pivot {
					g = 1
				}
				m += g
			}
			e := n - m
			if k < e {
				return pivot
			}
			src, dst, k = dst[:m], src, k-e
		}
	}
	return Select(src, k)
}
