// Command simrealism compares the survey simulator's spectra with real
// ones and regenerates the plots and tables of docs/SIMULATOR.md:
//
//	go run ./bench/simrealism -out docs/simulator
//
// It reads the CALSPEC standards and templates of Debian's
// python3-pysynphot (-pysynphot) and the two real LAMOST spectra of
// ../shared/fixtures/lamost (-lamost), writes one SVG per comparison into
// -out and prints the markdown tables on standard output. Missing inputs
// are reported and their sections skipped.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/astroone/astroone-go/plot"
	"github.com/astroone/astroone-go/sim/realism"
)

func main() {
	out := flag.String("out", "docs/simulator", "directory for the SVG plots")
	pysyn := flag.String("pysynphot", "/usr/lib/python3/dist-packages/pysynphot/data/generic", "pysynphot generic data directory (CALSPEC stars, QSO and galaxy templates)")
	lamost := flag.String("lamost", "../shared/fixtures/lamost", "directory with the real LAMOST fixture spectra")
	quick := flag.Bool("quick", false, "smaller fit grids (for a fast look)")
	flag.Parse()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	r := &report{out: *out, pysyn: *pysyn, lamost: *lamost, quick: *quick, w: os.Stdout}
	start := time.Now()
	for _, sec := range []struct {
		name string
		run  func() error
	}{
		{"CALSPEC stars", r.calspec},
		{"QSO composite", r.qso},
		{"galaxy templates", r.galaxies},
		{"LAMOST spectra", r.lamostSection},
	} {
		t0 := time.Now()
		if err := sec.run(); err != nil {
			log.Printf("%s: skipped: %v", sec.name, err)
			fmt.Fprintf(r.w, "\n(%s skipped: %v)\n", sec.name, err)
			continue
		}
		log.Printf("%s: done in %.1fs", sec.name, time.Since(t0).Seconds())
	}
	log.Printf("all done in %.1fs; plots in %s", time.Since(start).Seconds(), *out)
}

// report carries the settings and the output stream.
type report struct {
	out, pysyn, lamost string
	quick              bool
	w                  io.Writer
}

// plotPair writes the panels of a pair to out/name.svg.
func (r *report) plotPair(name string, p *realism.Pair, title, realName, simName string, raw bool) error {
	return r.writeSVG(name, realism.PairFigures(p, title, realName, simName, raw)...)
}

// writeSVG writes stacked figures to out/name.svg atomically.
func (r *report) writeSVG(name string, figs ...*plot.Figure) error {
	path := filepath.Join(r.out, name+".svg")
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if err := realism.WriteStacked(f, figs...); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}

// table prints a markdown table.
func (r *report) table(header []string, rows [][]string) {
	fmt.Fprintf(r.w, "| %s |\n", strings.Join(header, " | "))
	seps := make([]string, len(header))
	for i := range seps {
		seps[i] = "---"
	}
	fmt.Fprintf(r.w, "|%s|\n", strings.Join(seps, "|"))
	for _, row := range rows {
		fmt.Fprintf(r.w, "| %s |\n", strings.Join(row, " | "))
	}
	fmt.Fprintln(r.w)
}

func f3(v float64) string { return fmt.Sprintf("%.3f", v) }
func pct(v float64) string {
	if v != v {
		return "–"
	}
	return fmt.Sprintf("%.1f%%", 100*v)
}
