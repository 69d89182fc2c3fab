//go:build !amd64 || purego

package simplegokernel

// binaryVVAVX2 is never called without assembly (hasAsm is false).
func binaryVVAVX2(op int, o, a, b *float32, n int) { panic("simplegokernel: no assembly") }

// binaryVSAVX2 is never called without assembly (hasAsm is false).
func binaryVSAVX2(op int, o, a *float32, c float32, n int) { panic("simplegokernel: no assembly") }

// binarySVAVX2 is never called without assembly (hasAsm is false).
func binarySVAVX2(op int, o *float32, c float32, b *float32, n int) {
	panic("simplegokernel: no assembly")
}

// fillAVX2 is never called without assembly (hasAsm is false).
func fillAVX2(o *float32, c float32, n int) { panic("simplegokernel: no assembly") }
