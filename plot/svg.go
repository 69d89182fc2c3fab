// Package plot draws simple, dependency-free SVG line plots: spectra
// (flux against wavelength), loss curves and the like. The output is a
// standalone SVG 1.1 document with axes, "nice" tick marks, labels and an
// optional legend.
package plot

import (
	"errors"
	"fmt"
	"html"
	"io"
	"math"
	"sort"
	"strings"
)

// Series is one line of a plot. Points whose X or Y is not finite break
// the line (a gap) instead of being drawn.
type Series struct {
	Name  string    // legend label (a legend is drawn for several series)
	X, Y  []float64 // coordinates, in data units
	Color string    // CSS colour; a default palette is used when empty
}

// Figure describes a plot.
type Figure struct {
	Title          string   // drawn above the plot
	XLabel, YLabel string   // axis titles
	Width, Height  int      // pixels; 900x360 when zero
	Series         []Series // drawn in order, later ones on top
	// YRange fixes the y axis; when both are zero the range is chosen from
	// the data, ignoring the most extreme 0.5% at each end so that a few
	// bad pixels do not flatten the spectrum.
	YMin, YMax float64
}

var palette = []string{"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"}

// WriteSVG renders the figure.
func (f *Figure) WriteSVG(w io.Writer) error {
	width, height := f.Width, f.Height
	if width == 0 {
		width = 900
	}
	if height == 0 {
		height = 360
	}
	xmin, xmax, ymin, ymax, err := f.ranges()
	if err != nil {
		return err
	}
	const left, right, top, bottom = 70.0, 20.0, 30.0, 45.0
	pw, ph := float64(width)-left-right, float64(height)-top-bottom
	sx := func(x float64) float64 { return left + (x-xmin)/(xmax-xmin)*pw }
	sy := func(y float64) float64 { return top + (ymax-math.Max(ymin, math.Min(ymax, y)))/(ymax-ymin)*ph }

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	if f.Title != "" {
		fmt.Fprintf(&b, `<text x="%.1f" y="18" text-anchor="middle" font-size="14">%s</text>`+"\n", left+pw/2, html.EscapeString(f.Title))
	}
	fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="none" stroke="black"/>`+"\n", left, top, pw, ph)
	for _, t := range Ticks(xmin, xmax, 8) {
		x := sx(t)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="black"/><text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n",
			x, top+ph, x, top+ph+5, x, top+ph+18, formatTick(t))
	}
	for _, t := range Ticks(ymin, ymax, 6) {
		y := sy(t)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="black"/><text x="%.1f" y="%.1f" text-anchor="end" dominant-baseline="middle">%s</text>`+"\n",
			left-5, y, left, y, left-8, y, formatTick(t))
	}
	if f.XLabel != "" {
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n", left+pw/2, float64(height)-8, html.EscapeString(f.XLabel))
	}
	if f.YLabel != "" {
		fmt.Fprintf(&b, `<text x="16" y="%.1f" text-anchor="middle" transform="rotate(-90 16 %.1f)">%s</text>`+"\n", top+ph/2, top+ph/2, html.EscapeString(f.YLabel))
	}
	for i, s := range f.Series {
		color := s.Color
		if color == "" {
			color = palette[i%len(palette)]
		}
		for _, seg := range segments(s) {
			var pts strings.Builder
			for _, j := range seg {
				fmt.Fprintf(&pts, "%.2f,%.2f ", sx(s.X[j]), sy(s.Y[j]))
			}
			fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="1" points="%s"/>`+"\n", html.EscapeString(color), strings.TrimSpace(pts.String()))
		}
		if s.Name != "" && len(f.Series) > 1 {
			ly := top + 14 + 16*float64(i)
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="2"/><text x="%.1f" y="%.1f" dominant-baseline="middle">%s</text>`+"\n",
				left+pw-150, ly, left+pw-130, ly, html.EscapeString(color), left+pw-125, ly, html.EscapeString(s.Name))
		}
	}
	b.WriteString("</svg>\n")
	_, err = io.WriteString(w, b.String())
	return err
}

// segments splits a series into runs of consecutive finite points.
func segments(s Series) [][]int {
	var out [][]int
	var cur []int
	n := min(len(s.X), len(s.Y))
	for i := range n {
		if isFinite(s.X[i]) && isFinite(s.Y[i]) {
			cur = append(cur, i)
			continue
		}
		if len(cur) > 0 {
			out = append(out, cur)
			cur = nil
		}
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// ranges returns the data limits, with robust y limits unless fixed.
func (f *Figure) ranges() (xmin, xmax, ymin, ymax float64, err error) {
	xmin, xmax = math.Inf(1), math.Inf(-1)
	var ys []float64
	for _, s := range f.Series {
		for i := range min(len(s.X), len(s.Y)) {
			if !isFinite(s.X[i]) || !isFinite(s.Y[i]) {
				continue
			}
			xmin, xmax = math.Min(xmin, s.X[i]), math.Max(xmax, s.X[i])
			ys = append(ys, s.Y[i])
		}
	}
	if len(ys) == 0 {
		return 0, 0, 0, 0, errors.New("plot: no finite points to draw")
	}
	if f.YMin != 0 || f.YMax != 0 {
		ymin, ymax = f.YMin, f.YMax
	} else {
		ymin, ymax = quantile(ys, 0.005), quantile(ys, 0.995)
		pad := 0.05 * (ymax - ymin)
		ymin, ymax = ymin-pad, ymax+pad
	}
	if xmax == xmin {
		xmin, xmax = xmin-1, xmax+1
	}
	if ymax <= ymin {
		ymin, ymax = ymin-1, ymax+1
	}
	return xmin, xmax, ymin, ymax, nil
}

// quantile returns the q-quantile of v.
func quantile(v []float64, q float64) float64 {
	c := append([]float64(nil), v...)
	// Sorting is fine for the sizes plotted (a few 10^4 points).
	sort.Float64s(c)
	i := int(q * float64(len(c)-1))
	return c[i]
}

// Ticks returns about n "nice" tick values (1, 2, 5 × 10^k steps) covering
// [lo, hi]; at most 100, and none when the range is too narrow for its
// magnitude (below 1e-9 of it) to label.
func Ticks(lo, hi float64, n int) []float64 {
	if !(hi > lo) || n < 1 || math.IsInf(lo, 0) || math.IsInf(hi, 0) ||
		hi-lo < 1e-9*math.Max(math.Abs(lo), math.Abs(hi)) {
		return nil
	}
	raw := (hi - lo) / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 5, 10} {
		step = m * mag
		if step >= raw {
			break
		}
	}
	// Count in integer multiples of step: adding step to a large value
	// can leave it unchanged.
	first, last := math.Ceil(lo/step-1e-9), math.Floor(hi/step+1e-9)
	if !(last >= first) || last-first > 100 {
		return nil
	}
	var out []float64
	for i := 0; i <= int(last-first); i++ {
		out = append(out, (first+float64(i))*step)
	}
	return out
}

func formatTick(t float64) string {
	if t == 0 {
		return "0"
	}
	a := math.Abs(t)
	if a >= 1e5 || a < 1e-3 {
		return fmt.Sprintf("%.3g", t)
	}
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.4f", t), "0"), ".")
}
