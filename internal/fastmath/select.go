// Package fastmath holds small numeric kernels shared by packages that
// must not import each other (the simulator's instrument model and the
// spectrum model's input preparation).
package fastmath

// Select reorders x so that x[k] is the value a full sort would put there,
// with no larger value before it and no smaller one after, and returns it:
// Hoare's selection (quickselect) with a median-of-three pivot, O(n) on
// average. NaN values must not be present. It panics if k is out of range.
func Select(x []float64, k int) float64 {
	if k < 0 || k >= len(x) {
		panic("fastmath.Select: rank out of range")
	}
	lo, hi := 0, len(x)-1
	for hi > lo {
		mid := lo + (hi-lo)/2
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
