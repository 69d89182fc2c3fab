//go:build !purego

package simplegokernel

// binaryVVAVX2 sets o[i] = a[i] op b[i] for i < n (n a multiple of 8; op Add, Sub, Mul or Div).
//
//go:noescape
func binaryVVAVX2(op int, o, a, b *float32, n int)

// binaryVSAVX2 sets o[i] = a[i] op c for i < n (n a multiple of 8; op Add, Sub, Mul or Div).
//
//go:noescape
func binaryVSAVX2(op int, o, a *float32, c float32, n int)

// binarySVAVX2 sets o[i] = c op b[i] for i < n (n a multiple of 8; op Add, Sub, Mul or Div).
//
//go:noescape
func binarySVAVX2(op int, o *float32, c float32, b *float32, n int)

// fillAVX2 sets o[i] = c for i < n (n a multiple of 8).
//
//go:noescape
func fillAVX2(o *float32, c float32, n int)
