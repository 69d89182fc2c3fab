//go:build !purego

package simplegokernel

// expAVX2 sets dst[i] = exp(src[i]) for the first 8·blocks values, stopping before the first
// block of eight that holds a NaN or a value with |x| > 87; it returns the blocks done.
//
//go:noescape
func expAVX2(dst, src *float32, blocks int) int

// tanhAVX2 sets dst[i] = tanh(src[i]) for the first 8·blocks values, stopping before the first
// block of eight that holds a NaN; it returns the blocks done.
//
//go:noescape
func tanhAVX2(dst, src *float32, blocks int) int

// sqrtAVX2 sets dst[i] = sqrt(src[i]) for i < n (n a multiple of 8).
//
//go:noescape
func sqrtAVX2(dst, src *float32, n int)
