package ingest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// ErrNoInput reports a Run without input paths.
var ErrNoInput = errors.New("no input paths")

// suffixes are the file name endings (compared in lower case) that a
// directory walk ingests. A file named directly is ingested whatever its name.
var suffixes = []string{".fits", ".fit", ".fits.gz", ".fit.gz"}

// IsSpectrumFile reports whether a directory walk ingests a file with this
// name: .fits, .fit, .fits.gz or .fit.gz, in any letter case.
func IsSpectrumFile(name string) bool {
	lower := strings.ToLower(name)
	for _, s := range suffixes {
		if strings.HasSuffix(lower, s) && len(lower) > len(s) {
			return true
		}
	}
	return false
}

// root is one normalised input path.
type root struct {
	path  string // absolute, symbolic links resolved
	isDir bool
}

// normalizeRoots makes input paths absolute, resolves symbolic links and
// drops paths that are repeated or inside another input directory, so that
// no file is visited twice. A missing input is an error.
func normalizeRoots(paths []string) ([]root, error) {
	if len(paths) == 0 {
		return nil, ErrNoInput
	}
	var roots []root
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err == nil {
			abs, err = filepath.EvalSymlinks(abs)
		}
		var st os.FileInfo
		if err == nil {
			st, err = os.Stat(abs)
		}
		if err != nil {
			return nil, fmt.Errorf("input %s: %w", p, err)
		}
		roots = append(roots, root{path: abs, isDir: st.IsDir()})
	}
	slices.SortFunc(roots, func(a, b root) int { return strings.Compare(a.path, b.path) })
	var out []root
	for _, r := range roots {
		// A path repeated, or inside an input directory whose walk will
		// meet it (a file the walk would skip by its name stays a root).
		covered := func(o root) bool {
			return o.path == r.path || o.isDir && within(r.path, o.path) && (r.isDir || IsSpectrumFile(filepath.Base(r.path)))
		}
		if slices.ContainsFunc(out, covered) {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

// within reports whether path lies inside directory dir.
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != "." && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// found is one input file met by the walk, or an unreadable directory
// (err set).
type found struct {
	path    string
	size    int64
	modTime time.Time
	err     error // set when the entry could not be read; it is then a failure
}

// walk calls visit for every input file under roots in lexical order:
// files given directly, matching files in directories (recursively; symbolic
// links to regular files are followed, links to directories are not), and
// unreadable directories or files as entries with err set. It stops when
// visit returns an error or ctx is done.
func walk(ctx context.Context, roots []root, visit func(found) error) error {
	for _, r := range roots {
		if !r.isDir {
			if err := visit(stat(r.path)); err != nil {
				return err
			}
			continue
		}
		err := filepath.WalkDir(r.path, func(path string, d fs.DirEntry, err error) error {
			if cerr := ctx.Err(); cerr != nil {
				return cerr
			}
			if err != nil {
				// An unreadable directory (or entry): account for it as a failure.
				f := stat(path)
				f.err = err
				if verr := visit(f); verr != nil {
					return verr
				}
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if d.IsDir() || !IsSpectrumFile(d.Name()) {
				return nil
			}
			if d.Type()&fs.ModeSymlink == 0 && !d.Type().IsRegular() {
				return nil // socket, device, pipe
			}
			f := stat(path)
			if errors.Is(f.err, errNotRegular) {
				return nil // a link to a directory or device: not followed
			}
			return visit(f)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// errNotRegular marks a path that is not a regular file (a directory or
// device reached through a symbolic link, or named directly).
var errNotRegular = errors.New("not a regular file")

// stat describes path, following symbolic links. When it cannot, the size
// is -1 and the modification time the Unix epoch, values that round-trip
// through the catalog so that a re-run recognises the failure.
func stat(path string) found {
	st, err := os.Stat(path)
	if err != nil {
		return found{path: path, size: -1, modTime: time.Unix(0, 0), err: err}
	}
	f := found{path: path, size: st.Size(), modTime: st.ModTime()}
	if !st.Mode().IsRegular() {
		f.err = errNotRegular
	}
	return f
}

// count returns the number of input files under roots without stat calls
// (directory listings only), for the progress total. It returns -1 when
// ctx ends first.
func count(ctx context.Context, roots []root) int64 {
	var n int64
	for _, r := range roots {
		if !r.isDir {
			n++
			continue
		}
		err := filepath.WalkDir(r.path, func(path string, d fs.DirEntry, err error) error {
			if cerr := ctx.Err(); cerr != nil {
				return cerr
			}
			if err != nil {
				n++ // reported as one failed input by walk
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if !d.IsDir() && IsSpectrumFile(d.Name()) && (d.Type().IsRegular() || d.Type()&fs.ModeSymlink != 0) {
				n++
			}
			return nil
		})
		if err != nil {
			return -1
		}
	}
	return n
}
