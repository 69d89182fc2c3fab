package spectrum

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// WriteFile writes s to path in the given layout. FITS layouts are written
// atomically (temporary file, then rename) and gzipped when path ends in
// ".gz". LayoutSDSSSpSpec is read-only.
func WriteFile(path string, s *Spectrum, layout Layout) error {
	switch layout {
	case LayoutLAMOSTTable:
		return WriteLAMOSTTable(path, s)
	case LayoutLAMOSTImage:
		return WriteLAMOSTImage(path, s)
	case LayoutSDSSCoadd:
		return WriteSDSS(path, s)
	case LayoutGeneric1D:
		return WriteGeneric1D(path, s)
	case LayoutText:
		return writeTextFile(path, s)
	}
	return fmt.Errorf("write %s: layout %q cannot be written", path, layout)
}

func writeTextFile(path string, s *Spectrum) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	err = tmp.Chmod(0o644) // CreateTemp makes files private (0600)
	if err == nil {
		err = WriteText(tmp, s)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// writeScratch holds the float32 and int32 columns and the table rows of
// a file being written. Writers take one from scratchPool and return it
// when the file is written, so that writing a spectrum allocates little
// beyond its header: the simulator writes thousands a second.
type writeScratch struct {
	f32  []float32
	i32  []int32
	rows []byte
}

var scratchPool = sync.Pool{New: func() any { return new(writeScratch) }}

// getScratch returns scratch space with nf32 float32s, ni32 int32s and
// room for nrows bytes of table rows. The contents are stale: every value
// must be written before it is used.
func getScratch(nf32, ni32, nrows int) *writeScratch {
	sc := scratchPool.Get().(*writeScratch)
	if cap(sc.f32) < nf32 {
		sc.f32 = make([]float32, nf32)
	}
	if cap(sc.i32) < ni32 {
		sc.i32 = make([]int32, ni32)
	}
	if cap(sc.rows) < nrows {
		sc.rows = make([]byte, nrows)
	}
	sc.f32, sc.i32, sc.rows = sc.f32[:nf32], sc.i32[:ni32], sc.rows[:0]
	return sc
}

// maxPooledScratch is the largest scratch (bytes of float32 columns) kept
// for reuse; a rare huge spectrum is left to the garbage collector.
const maxPooledScratch = 16 << 20

// putScratch returns scratch space for reuse once nothing refers to it.
func putScratch(sc *writeScratch) {
	if 4*cap(sc.f32)+4*cap(sc.i32)+cap(sc.rows) <= maxPooledScratch {
		scratchPool.Put(sc)
	}
}

// col returns the k-th of the consecutive n-value columns of v, with its
// capacity cut so that no append can run into the next column.
func col[T any](v []T, k, n int) []T {
	return v[k*n : (k+1)*n : (k+1)*n]
}

// toFloat32 converts src to float32 into dst (of the same length).
func toFloat32(dst []float32, src []float64) {
	dst = dst[:len(src)]
	for i, x := range src {
		dst[i] = float32(x)
	}
}

// fillFloat32 sets every value of dst to v.
func fillFloat32(dst []float32, v float32) {
	for i := range dst {
		dst[i] = v
	}
}
