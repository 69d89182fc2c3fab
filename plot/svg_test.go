package plot

import (
	"encoding/xml"
	"math"
	"strings"
	"testing"
)

func TestTicks(t *testing.T) {
	cases := []struct {
		lo, hi float64
		n      int
		want   []float64
	}{
		{0, 10, 5, []float64{0, 2, 4, 6, 8, 10}},
		{3700, 9100, 6, []float64{4000, 5000, 6000, 7000, 8000, 9000}},
		{-0.3, 0.3, 3, []float64{-0.2, 0, 0.2}},
		{1e15, 1e15 + 0.2, 6, nil}, // below float64 resolution: no ticks, and no endless loop
	}
	for _, c := range cases {
		got := Ticks(c.lo, c.hi, c.n)
		if len(got) != len(c.want) {
			t.Fatalf("Ticks(%v,%v,%d) = %v, want %v", c.lo, c.hi, c.n, got, c.want)
		}
		for i := range got {
			if math.Abs(got[i]-c.want[i]) > 1e-12 {
				t.Fatalf("Ticks(%v,%v,%d) = %v, want %v", c.lo, c.hi, c.n, got, c.want)
			}
		}
	}
}

func TestWriteSVG(t *testing.T) {
	x := []float64{4000, 5000, 6000, math.NaN(), 8000, 9000}
	y := []float64{1, 2, 3, 4, 5, math.Inf(1)}
	f := &Figure{Title: "a <b>", XLabel: "Wavelength (Å)", Series: []Series{{Name: "flux", X: x, Y: y}, {Name: "model", X: x, Y: y}}}
	var b strings.Builder
	if err := f.WriteSVG(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	// Well-formed XML, title escaped.
	dec := xml.NewDecoder(strings.NewReader(out))
	for {
		if _, err := dec.Token(); err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("not well-formed XML: %v", err)
			}
			break
		}
	}
	if !strings.Contains(out, "a &lt;b&gt;") {
		t.Error("title not escaped")
	}
	// The NaN splits the first series into two polylines (3 points, then
	// 1 point: the Inf point is dropped), for each of the two series.
	if n := strings.Count(out, "<polyline"); n != 4 {
		t.Errorf("%d polylines, want 4", n)
	}
	if err := (&Figure{Series: []Series{{X: []float64{math.NaN()}, Y: []float64{1}}}}).WriteSVG(&b); err == nil {
		t.Error("no error for a figure without finite points")
	}
}
