package simplegokernel

// Test hooks for the external test package.
var (
	// ForceGo makes the kernel take the pure-Go path.
	ForceGo = &forceGo
	// Builds counts the fast kernels built.
	Builds = &builds
	// Repacks counts the operands copied by the fast copier.
	Repacks = &repacks
)

// FastOps counts the elementwise executions that took a fast path.
var FastOps = &fastOps

// ForceGoBinary keeps the binary kernels in Go.
var ForceGoBinary = &forceGoBinary

// HasAsm reports whether the assembly kernels run on this CPU and build.
var HasAsm = hasAsm
