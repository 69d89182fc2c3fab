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
