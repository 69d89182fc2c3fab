package ingest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestIsSpectrumFile(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"a.fits", true}, {"a.FITS", true}, {"a.fit", true}, {"a.fits.gz", true}, {"a.Fit.GZ", true},
		{"a.fts", false}, {"a.fits.bz2", false}, {"a.gz", false}, {".fits", false}, {"fits", false}, {"a.txt", false},
	}
	for _, tc := range tests {
		if got := IsSpectrumFile(tc.name); got != tc.want {
			t.Errorf("IsSpectrumFile(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestWalkAndRoots(t *testing.T) {
	in := t.TempDir()
	writeInputs(t, in, []inputFile{
		{"a/1.fits", "x"}, {"a/sub/2.fit.gz", "x"}, {"a/skip.txt", "x"}, {"b/3.fits", "x"}, {"odd.name", "x"},
	})
	os.Symlink(filepath.Join(in, "b", "3.fits"), filepath.Join(in, "a", "link.fits")) // followed
	os.Symlink(filepath.Join(in, "b"), filepath.Join(in, "a", "dirlink.fits"))        // not followed
	os.Symlink(filepath.Join(in, "nowhere"), filepath.Join(in, "a", "broken.fits"))   // a failure
	os.Symlink(filepath.Join(in, "a"), filepath.Join(in, "alias"))

	// a, a/1.fits (inside a), alias (= a), b twice, a file given directly,
	// and a/skip.txt, inside a but named: the walk of a skips it by name.
	roots, err := normalizeRoots([]string{filepath.Join(in, "a"), filepath.Join(in, "a", "1.fits"), filepath.Join(in, "a", "skip.txt"),
		filepath.Join(in, "alias"), filepath.Join(in, "b"), filepath.Join(in, "b") + "/", filepath.Join(in, "odd.name")})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	var failed []string
	err = walk(context.Background(), roots, func(f found) error {
		rel, _ := filepath.Rel(in, f.path)
		if f.err != nil {
			failed = append(failed, rel)
		} else {
			got = append(got, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a/1.fits", "a/link.fits", "a/sub/2.fit.gz", "a/skip.txt", "b/3.fits", "odd.name"}
	if !slices.Equal(got, want) || !slices.Equal(failed, []string{"a/broken.fits"}) {
		t.Errorf("walk found %v, failed %v; want %v, failed [a/broken.fits]", got, failed, want)
	}
	if n := count(context.Background(), roots); n != int64(len(want)+2) { // count includes both links
		t.Errorf("count = %d, want %d", n, len(want)+2)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := walk(ctx, roots[:1], func(found) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled walk err = %v", err)
	}
}
