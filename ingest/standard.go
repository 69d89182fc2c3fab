package ingest

import (
	"fmt"

	"github.com/astroone/astroone-go/prep"
	"github.com/astroone/astroone-go/spectrum"
	"github.com/astroone/astroone-go/store"
)

// StandardPrepare returns the preparation every survey spectrum gets on
// ingest: air wavelengths converted to vacuum, then flux-conserving
// resampling onto g (masked and non-finite pixels carry no weight; output
// pixels without data get ivar 0 and spectrum.MaskBad).
func StandardPrepare(g prep.Grid) func(*spectrum.Spectrum) (*spectrum.Spectrum, error) {
	return func(s *spectrum.Spectrum) (*spectrum.Spectrum, error) {
		if !s.Vacuum {
			v, err := prep.ToVacuum(s)
			if err != nil {
				return nil, fmt.Errorf("prepare: %w", err)
			}
			s = v
		}
		return prep.Resample(s, g)
	}
}

// StandardOptions returns Options that read any supported layout with
// spectrum.Decode (each file read once, for its checksum and its data) and prepare it with StandardPrepare onto g (the LAMOST
// grid, prep.LAMOSTGrid(), is the usual choice).
func StandardOptions(ws *store.Workspace, paths []string, g prep.Grid) Options {
	return Options{
		Paths:     paths,
		Workspace: ws,
		Grid:      g,
		Decode:    func(path string, data []byte) (*spectrum.Spectrum, error) { return spectrum.Decode(data, path) },
		Prepare:   StandardPrepare(g),
	}
}
