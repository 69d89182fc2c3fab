package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"

	"github.com/astroone/astroone-go/plot"
	"github.com/astroone/astroone-go/spectrum"
)

func init() {
	register(command{name: "show", summary: "print a spectrum file's metadata and optionally plot it", run: runShow})
}

// showInfo is the JSON form of `astroone show --json`.
type showInfo struct {
	File          string             `json:"file"`
	Survey        string             `json:"survey"`
	Layout        string             `json:"layout"`
	DataRelease   string             `json:"data_release,omitempty"`
	ID            string             `json:"id"`
	Designation   string             `json:"designation,omitempty"`
	Class         string             `json:"class"`
	Subclass      string             `json:"subclass"`
	Z             *float64           `json:"z"`
	ZErr          *float64           `json:"z_err"`
	ZWarning      *int64             `json:"zwarning"`
	RA            *float64           `json:"ra"`
	Dec           *float64           `json:"dec"`
	NPix          int                `json:"npix"`
	WavelengthMin float64            `json:"wavelength_min"`
	WavelengthMax float64            `json:"wavelength_max"`
	Vacuum        bool               `json:"vacuum"`
	FluxUnit      string             `json:"flux_unit,omitempty"`
	SNR           map[string]float64 `json:"snr"`
	BadPixels     int                `json:"bad_pixels"`
}

func runShow(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("show", "show FILE... [--json] [--plot out.svg]", stderr)
	asJSON := fs.Bool("json", false, "print the metadata as JSON (one object per file)")
	plotPath := fs.String("plot", "", "draw the spectrum (flux and 1σ error against wavelength) to this SVG file; with several files, FILE index is inserted before .svg")
	files, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		fs.Usage()
		return errUsage
	}
	failed := 0
	for i, path := range files {
		s, err := spectrum.ReadFile(path)
		if err != nil {
			fmt.Fprintf(stderr, "astroone show: %v\n", err)
			failed++
			continue
		}
		info := describeSpectrum(s)
		if *asJSON {
			b, err := json.Marshal(info)
			if err != nil {
				fmt.Fprintf(stderr, "astroone show: %s: %v\n", path, err)
				failed++
				continue
			}
			fmt.Fprintln(stdout, string(b))
		} else {
			printInfo(stdout, info)
		}
		if *plotPath != "" {
			out := *plotPath
			if len(files) > 1 {
				out = strings.TrimSuffix(out, ".svg") + fmt.Sprintf("-%d.svg", i)
			}
			if err := plotSpectrum(out, s); err != nil {
				fmt.Fprintf(stderr, "astroone show: %s: %v\n", path, err)
				failed++
			}
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d files failed", failed, len(files))
	}
	return nil
}

func describeSpectrum(s *spectrum.Spectrum) showInfo {
	m := s.Meta
	info := showInfo{
		File: m.SourceFile, Survey: m.Survey, Layout: string(m.Layout), DataRelease: m.DataRelease,
		ID: m.ID, Designation: m.Designation, Class: m.Class, Subclass: m.Subclass,
		Z: finite(m.Z), ZErr: finite(m.ZErr), RA: finite(m.RA), Dec: finite(m.Dec),
		NPix: s.Len(), WavelengthMin: s.WavelengthAA[0], WavelengthMax: s.WavelengthAA[s.Len()-1],
		Vacuum: s.Vacuum, FluxUnit: s.FluxUnit, SNR: map[string]float64{},
	}
	for b, v := range m.SNR {
		if finite(v) != nil {
			info.SNR[b] = v
		}
	}
	if m.ZWarning >= 0 {
		info.ZWarning = &m.ZWarning
	}
	for i := range s.Flux {
		if isBad(s, i) {
			info.BadPixels++
		}
	}
	return info
}

// isBad reports whether pixel i carries no information.
func isBad(s *spectrum.Spectrum, i int) bool {
	return s.Ivar != nil && s.Ivar[i] == 0 || s.AndMask != nil && s.AndMask[i]&spectrum.MaskBad != 0
}

// finite returns a pointer to v, or nil when v is NaN or infinite (JSON
// null).
func finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

func printInfo(w io.Writer, in showInfo) {
	num := func(p *float64) string {
		if p == nil {
			return "-"
		}
		return fmt.Sprintf("%.6g", *p)
	}
	medium := "vacuum"
	if !in.Vacuum {
		medium = "air"
	}
	bands := make([]string, 0, len(in.SNR))
	for b := range in.SNR {
		bands = append(bands, b)
	}
	sort.Slice(bands, func(i, j int) bool { return strings.Index("ugriz", bands[i]) < strings.Index("ugriz", bands[j]) })
	snr := make([]string, len(bands))
	for i, b := range bands {
		snr[i] = fmt.Sprintf("%s=%.4g", b, in.SNR[b])
	}
	fmt.Fprintf(w, "file         %s\n", in.File)
	fmt.Fprintf(w, "survey       %s (%s layout) %s\n", in.Survey, in.Layout, in.DataRelease)
	fmt.Fprintf(w, "id           %s %s\n", in.ID, in.Designation)
	fmt.Fprintf(w, "class        %s %s\n", in.Class, in.Subclass)
	fmt.Fprintf(w, "z            %s ± %s\n", num(in.Z), num(in.ZErr))
	fmt.Fprintf(w, "ra, dec      %s, %s deg\n", num(in.RA), num(in.Dec))
	fmt.Fprintf(w, "pixels       %d (%d without information), %.2f–%.2f Å (%s)\n", in.NPix, in.BadPixels, in.WavelengthMin, in.WavelengthMax, medium)
	fmt.Fprintf(w, "s/n          %s\n\n", strings.Join(snr, " "))
}

func plotSpectrum(path string, s *spectrum.Spectrum) error {
	flux := make([]float64, s.Len())
	sigma := make([]float64, s.Len())
	for i := range flux {
		flux[i], sigma[i] = s.Flux[i], math.NaN()
		if isBad(s, i) {
			flux[i] = math.NaN()
			continue
		}
		if s.Ivar != nil {
			sigma[i] = 1 / math.Sqrt(s.Ivar[i])
		}
	}
	medium := "vacuum"
	if !s.Vacuum {
		medium = "air"
	}
	fig := &plot.Figure{
		Title:  fmt.Sprintf("%s %s  %s %s", s.Meta.Survey, s.Meta.ID, s.Meta.Class, s.Meta.Subclass),
		XLabel: fmt.Sprintf("Wavelength (Å, %s)", medium),
		YLabel: "Flux (" + orDefault(s.FluxUnit, "arbitrary") + ")",
		Series: []plot.Series{{Name: "flux", X: s.WavelengthAA, Y: flux}},
	}
	if s.Ivar != nil {
		fig.Series = append(fig.Series, plot.Series{Name: "1σ error", X: s.WavelengthAA, Y: sigma, Color: "#999999"})
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := fig.WriteSVG(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
