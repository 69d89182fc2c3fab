//go:build !amd64 || purego

package simplegokernel

// expAVX2 does nothing without assembly (hasAsm is false, so it is never called).
func expAVX2(dst, src *float32, blocks int) int { return 0 }

// tanhAVX2 does nothing without assembly (hasAsm is false, so it is never called).
func tanhAVX2(dst, src *float32, blocks int) int { return 0 }

// sqrtAVX2 does nothing without assembly (hasAsm is false, so it is never called).
func sqrtAVX2(dst, src *float32, n int) {}
