// Package fastmath holds small numeric kernels shared by packages that
// must not import each other (the simulator's instrument model and the
// spectrum model's input preparation).
package fastmath

// Select reorders x so that x[k] is the value a full sort would put there,
// with no larger value before it and no smaller one after, and returns it:
// Hoare's selection (quickselect), O(n) on average, with a median-of-three
// pivot, taken on ranges of 64 or more values among Tukey's ninther. NaN values must not be present. It panics if k is out of range.
func Select(x []float64, k int) float64 {
	if k < 0 || k >= len(x) {
		panic("fastmath.Select: rank out of range")
	}
	lo, hi := 0, len(x)-1
	for hi > lo {
		mid := lo + (hi-lo)/2
		if hi-lo >= nintherMin {
			// Tukey's ninther (the median of three medians of three) as
			// the pivot candidate: it keeps partially ordered input, such
			// as absolute deviations from a median just selected, from
			// producing lopsided partitions.
			s := (hi - lo) / 8
			a := median3(x, lo, lo+s, lo+2*s)
			b := median3(x, mid-s, mid, mid+s)
			c := median3(x, hi-2*s, hi-s, hi)
			p := median3(x, a, b, c)
			x[p], x[mid] = x[mid], x[p]
		}
		if x[mid] < x[lo] {
			x[mid], x[lo] = x[lo], x[mid]
		}
		if x[hi] < x[lo] {
			x[hi], x[lo] = x[lo], x[hi]
		}
		if x[hi] < x[mid] {
			x[hi], x[mid] = x[mid], x[hi]
		}
		pivot := x[mid]
		i, j := lo, hi
		for i <= j {
			for x[i] < pivot {
				i++
			}
			for x[j] > pivot {
				j--
			}
			if i <= j {
				x[i], x[j] = x[j], x[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return x[k]
		}
	}
	return x[k]
}

// nintherMin is the range length from which Select takes Tukey's ninther
// as its pivot candidate.
const nintherMin = 64

// median3 returns the index, among i, j and k, of the median of their
// values.
func median3(x []float64, i, j, k int) int {
	if x[i] < x[j] {
		switch {
		case x[j] < x[k]:
			return j
		case x[i] < x[k]:
			return k
		}
		return i
	}
	switch {
	case x[i] < x[k]:
		return i
	case x[j] < x[k]:
		return k
	}
	return j
}
