//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package store

// lockFile is a no-op where flock(2) is unavailable: on such systems the
// user must not run two writers on one workspace at once.
func lockFile(path string) (unlock func() error, err error) {
	return func() error { return nil }, nil
}
