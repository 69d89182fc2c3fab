package spectrum

import (
	"fmt"
	"os"
	"path/filepath"
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
