package fits

import (
	"bytes"
	"compress/gzip"
	"math"
	"testing"
)

// lamostHeader is a primary header shaped like a LAMOST one (about 120
// cards of metadata).
func lamostHeader() *Header {
	h := &Header{}
	h.Set("OBSID", 101001, "Unique number ID of this spectrum")
	h.Set("DESIG", "LAMOST J220848.54-020324.3", "Designation of LAMOST target")
	h.Set("CLASS", "STAR", "Class of object")
	h.Set("SUBCLASS", "G7", "Subclass of object")
	h.Set("Z", -0.0001387, "Redshift of object")
	h.Set("COEFF0", 3.5682, "Central wavelength (log10) of first pixel")
	h.Set("COEFF1", 1e-4, "Log10 dispersion per pixel")
	for i := range 110 {
		h.Set("KEY"+pad20(i)[15:], float64(i)*1.25, "filler card like the survey's metadata")
	}
	return h
}

// lamostSpectrum is 3908 pixels of smooth positive data.
func lamostSpectrum(k int) []float32 {
	v := make([]float32, 3908)
	for i := range v {
		v[i] = float32(100 + 50*math.Sin(float64(i*(k+1))/300))
	}
	return v
}

// lamostTableFile is a DR8-style file: empty primary (stale NAXISn are
// irrelevant here) and a COADD table of one row with six 3908E columns.
func lamostTableFile(b *testing.B) []byte {
	names := []string{"FLUX", "IVAR", "WAVELENGTH", "ANDMASK", "ORMASK", "NORMALIZATION"}
	cols := make([]ColumnData, len(names))
	for i, n := range names {
		cols[i] = ColumnData{Name: n, Data: [][]float32{lamostSpectrum(i)}}
	}
	th := &Header{}
	th.Set("EXTNAME", "COADD", "")
	return encodeHDUs(b, &HDU{Header: lamostHeader()}, &HDU{Header: th, Table: mustTable(b, cols...)})
}

// lamostImageFile is a DR7-style file: a 3908x5 float32 primary image.
func lamostImageFile(b *testing.B) []byte {
	data := make([]float32, 0, 5*3908)
	for k := range 5 {
		data = append(data, lamostSpectrum(k)...)
	}
	return encodeHDUs(b, &HDU{Header: lamostHeader(), Image: mustImage(b, data, 3908, 5)})
}

func gzipBytes(b []byte) []byte {
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(b)
	zw.Close()
	return z.Bytes()
}

// benchDecode decodes file b.N times and reads every column or row, as a
// spectrum reader would.
func benchDecode(b *testing.B, file []byte, plainSize int) {
	b.SetBytes(int64(plainSize))
	b.ReportAllocs()
	for b.Loop() {
		f, err := Decode(bytes.NewReader(file), "bench.fits")
		if err != nil {
			b.Fatal(err)
		}
		last := f.HDUs[len(f.HDUs)-1]
		if last.Table != nil {
			for c := range last.Table.Columns {
				if _, err := last.Table.Float64s(c, 0); err != nil {
					b.Fatal(err)
				}
			}
		} else if len(last.Image.Float64s()) != 5*3908 {
			b.Fatal("short image")
		}
	}
}

// BenchmarkDecodeLAMOSTTable decodes a 1-row table of six 3908E columns.
func BenchmarkDecodeLAMOSTTable(b *testing.B) {
	f := lamostTableFile(b)
	benchDecode(b, f, len(f))
}

// BenchmarkDecodeLAMOSTTableGzip is the same file gzipped, as distributed.
func BenchmarkDecodeLAMOSTTableGzip(b *testing.B) {
	f := lamostTableFile(b)
	benchDecode(b, gzipBytes(f), len(f))
}

// BenchmarkDecodeLAMOSTImage decodes a 3908x5 float32 primary image.
func BenchmarkDecodeLAMOSTImage(b *testing.B) {
	f := lamostImageFile(b)
	benchDecode(b, f, len(f))
}

// BenchmarkDecodeLAMOSTImageGzip is the same image gzipped.
func BenchmarkDecodeLAMOSTImageGzip(b *testing.B) {
	f := lamostImageFile(b)
	benchDecode(b, gzipBytes(f), len(f))
}

// BenchmarkEncodeLAMOSTTable writes the DR8-style table file.
func BenchmarkEncodeLAMOSTTable(b *testing.B) {
	f := decodeBytes(b, lamostTableFile(b))
	b.ReportAllocs()
	for b.Loop() {
		var buf bytes.Buffer
		if err := Write(&buf, f.HDUs...); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(buf.Len()))
	}
}
