package realism

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/astroone/astroone-go/plot"
)

// WriteStacked draws the figures one above the other in a single SVG
// document (each a plot.Figure rendered as a nested <svg> element), e.g.
// an overlay with its residual panel below.
func WriteStacked(w io.Writer, figs ...*plot.Figure) error {
	if len(figs) == 0 {
		return fmt.Errorf("stacked plot: no figures")
	}
	var parts []string
	width, height := 0, 0
	for i, f := range figs {
		var b bytes.Buffer
		if err := f.WriteSVG(&b); err != nil {
			return fmt.Errorf("stacked plot: panel %d: %w", i, err)
		}
		fw, fh := f.Width, f.Height
		if fw == 0 {
			fw = 900
		}
		if fh == 0 {
			fh = 360
		}
		s := b.String()
		if !strings.HasPrefix(s, "<svg ") {
			return fmt.Errorf("stacked plot: panel %d does not start with <svg", i)
		}
		parts = append(parts, fmt.Sprintf(`<svg x="0" y="%d" `, height)+strings.TrimPrefix(s, "<svg "))
		width = max(width, fw)
		height += fh
	}
	var out strings.Builder
	fmt.Fprintf(&out, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d">`+"\n", width, height, width, height)
	for _, p := range parts {
		out.WriteString(p)
	}
	out.WriteString("</svg>\n")
	_, err := io.WriteString(w, out.String())
	return err
}

// masked returns y with NaN where use is false, so that plots show gaps
// over excluded regions.
func masked(y []float64, use []bool) []float64 {
	out := make([]float64, len(y))
	for i := range y {
		out[i] = y[i]
		if use != nil && !use[i] {
			out[i] = math.NaN()
		}
	}
	return out
}

// PairFigures returns the panels that show a pair: the raw fluxes (sim
// scaled to real) when raw is true, the continuum-normalised overlay, the
// residual sim−real of the normalised fluxes, and for spectrophotometric
// pairs the smoothed raw ratio sim/real. Excluded pixels are gaps.
func PairFigures(p *Pair, title, realName, simName string, raw bool) []*plot.Figure {
	const w, h = 960, 300
	x := p.WavelengthAA
	var figs []*plot.Figure
	if raw {
		figs = append(figs, &plot.Figure{
			Title: title + ": flux", XLabel: "wavelength (Å)", YLabel: "f_λ (real units)", Width: w, Height: h,
			Series: []plot.Series{
				{Name: realName, X: x, Y: masked(p.Real, p.Use), Color: "#1f1f1f"},
				{Name: simName, X: x, Y: masked(p.Sim, p.Use), Color: "#d62728"},
			},
		})
	}
	figs = append(figs, &plot.Figure{
		Title:  fmt.Sprintf("%s: continuum-normalised (r = %.3f, rms = %.3f)", title, p.Metrics.Corr, p.Metrics.RMS),
		XLabel: "wavelength (Å)", YLabel: "normalised flux", Width: w, Height: h,
		Series: []plot.Series{
			{Name: realName, X: x, Y: masked(p.RealNorm, p.Use), Color: "#1f1f1f"},
			{Name: simName, X: x, Y: masked(p.SimNorm, p.Use), Color: "#d62728"},
		},
	})
	res := make([]float64, len(x))
	for i := range x {
		res[i] = p.SimNorm[i] - p.RealNorm[i]
	}
	figs = append(figs, &plot.Figure{
		Title: "residual (sim − real, normalised)", XLabel: "wavelength (Å)", YLabel: "Δ", Width: w, Height: h * 2 / 3,
		Series: []plot.Series{{Name: "sim − real", X: x, Y: masked(res, p.Use), Color: "#1f77b4"}},
	})
	if ratio := p.Metrics.Shape.Ratio; ratio != nil {
		figs = append(figs, &plot.Figure{
			Title:  fmt.Sprintf("continuum shape: smoothed sim/real, scaled to median 1 (rms of ln %.3f, max |ln| %.3f)", p.Metrics.Shape.RMS, p.Metrics.Shape.MaxAbs),
			XLabel: "wavelength (Å)", YLabel: "ratio", Width: w, Height: h * 2 / 3,
			Series: []plot.Series{{Name: "sim/real", X: x, Y: masked(ratio, p.Use), Color: "#2ca02c"}},
		})
	}
	return figs
}
