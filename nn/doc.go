// Package nn holds the project's GoMLX building blocks.
//
// Importing it (even for side effects only) replaces the gradients of Dot and DotGeneral in
// GoMLX v0.26.0 with matrix-product ones: each operand's gradient is one DotGeneral plus at most
// one Transpose, instead of GoMLX's broadcast multiply and reduce-sum, which materialises a
// tensor as large as the product's full iteration space. The values are the same (checked in
// the tests against GoMLX's own gradients and against finite differences); a transformer
// training step on the pure-Go backend is about an order of magnitude faster
// (docs/BENCHMARKS.md).
//
// Backend returns the GoMLX backend chosen by $GOMLX_BACKEND, with a default that cannot
// deadlock (see DefaultBackendConfig).
package nn
