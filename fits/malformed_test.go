package fits

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// primaryCards are the first cards of a 1-D float image of n pixels.
func primaryCards(n int) []string {
	return []string{"SIMPLE  =                    T", "BITPIX  =                  -32",
		"NAXIS   =                    1", "NAXIS1  = " + pad20(n)}
}

// emptyPrimary is a primary HDU without data.
var emptyPrimary = headerBytes("SIMPLE  =                    T", "BITPIX  =                    8", "NAXIS   =                    0")

// oneColTable returns the cards of a one-row table with one 1E column; extra
// cards are appended.
func oneColTable(extra ...string) []string {
	return append([]string{"XTENSION= 'BINTABLE'", "BITPIX  =                    8", "NAXIS   =                    2",
		"NAXIS1  =                    4", "NAXIS2  =                    1", "PCOUNT  =                    0",
		"GCOUNT  =                    1", "TFIELDS =                    1", "TTYPE1  = 'FLUX'"}, extra...)
}

type malformedCase struct {
	name      string
	file      []byte
	hdu, card int
	want      string
}

func malformedCases() []malformedCase {
	good := concat(headerBytes(primaryCards(1000)...), dataBytes(make([]byte, 4000)))
	noEnd := []byte(strings.Repeat(cardImage("COMMENT no END here"), 36))
	copy(noEnd, cardImage("SIMPLE  =                    T"))
	nonASCII := headerBytes(append(primaryCards(0), "OBJECT  = 'caf?'")...)
	nonASCII[4*CardSize+14] = 0xe9
	long := "LONGSTR = '" + strings.Repeat("x", 66) + "&'"
	return []malformedCase{
		{"empty file", nil, 0, 0, "empty file"},
		{"not FITS", headerBytes("HELLO   = 1"), 0, 1, "not a FITS file"},
		{"truncated header block", good[:1000], 0, 13, "header truncated after 12 cards"},
		{"missing END at end of file", noEnd, 0, 37, "no END card"},
		{"missing END before data", concat(noEnd, dataBytes([]byte{1})), 0, 37, "non-ASCII"},
		{"END with text", []byte(strings.Replace(string(headerBytes(primaryCards(0)...)), "END     ", "END     x", 1)), 0, 5, "END card has text"},
		{"truncated data", good[:2*BlockSize], 0, 4, "data truncated: header declares 4000 bytes, file has 2880"},
		{"truncated extension data", concat(emptyPrimary, headerBytes(oneColTable("TFORM1  = '1E'")...)), 1, 5, "data truncated"},
		{"lying size 10^12", headerBytes(primaryCards(1000000000000)...), 0, 4, "exceeds"},
		{"lying size 10^12 bytes", headerBytes(replaceCard(primaryCards(1000000000000), "BITPIX  =                    8")...), 0, 4, "declares 1000000000000 bytes"},
		{"lying size overflow", headerBytes("SIMPLE  =                    T", "BITPIX  =                  -64", "NAXIS   =                    2",
			"NAXIS1  =        1000000000000", "NAXIS2  =        1000000000000"), 0, 5, "exceeds"},
		{"NAXIS above range", headerBytes(primaryCards(1 << 41)...), 0, 4, "outside"},
		{"negative NAXIS1", headerBytes(primaryCards(-1)...), 0, 4, "outside"},
		{"random groups size overflow", headerBytes("SIMPLE  =                    T", "BITPIX  =                    8", "NAXIS   =                    4",
			"NAXIS1  =                    0", "NAXIS2  =        1000000000000", "NAXIS3  =        1000000000000", "NAXIS4  =        1000000000000",
			"GROUPS  =                    T", "PCOUNT  =                    0", "GCOUNT  =                    1"), 0, 7, "exceeds"},
		{"missing NAXIS2", headerBytes("SIMPLE  =                    T", "BITPIX  =                    8", "NAXIS   =                    2",
			"NAXIS1  =                    4"), 0, 3, "NAXIS2"},
		{"bad BITPIX", headerBytes("SIMPLE  =                    T", "BITPIX  =                   12", "NAXIS   =                    0"), 0, 2, "invalid value 12"},
		{"SIMPLE = F", headerBytes("SIMPLE  =                    F", "BITPIX  =                    8", "NAXIS   =                    0"), 0, 1, "SIMPLE must be T"},
		{"NaN in NAXIS1", headerBytes(append(primaryCards(0)[:3], "NAXIS1  =                  NaN")...), 0, 4, "bad number"},
		{"NaN in BSCALE", headerBytes(append(primaryCards(0), "BSCALE  =                  NaN")...), 0, 5, "bad number"},
		{"Inf in header", headerBytes(append(primaryCards(0), "EXPTIME =                 +Inf")...), 0, 5, "bad number"},
		{"non-ASCII byte", nonASCII, 0, 5, "non-ASCII"},
		{"lower-case keyword", headerBytes(append(primaryCards(0), "exptime =                  1.0")...), 0, 5, "lower-case"},
		{"card number counts CONTINUE", headerBytes("SIMPLE  =                    T", "BITPIX  =                    8",
			long, "CONTINUE  'tail'", "NAXIS   =                   -1"), 0, 5, "outside"},
		{"BSCALE not a number", concat(headerBytes(append(primaryCards(1), "BSCALE  = 'two'")...), dataBytes(make([]byte, 4))), 0, 5, "wrong value type"},
		{"BSCALE zero", concat(headerBytes(append(primaryCards(1), "BSCALE  =                  0.0")...), dataBytes(make([]byte, 4))), 0, 5, "BSCALE is 0"},
		{"BLANK not an integer", concat(headerBytes("SIMPLE  =                    T", "BITPIX  =                   16", "NAXIS   =                    1",
			"NAXIS1  =                    1", "BLANK   =                  1.5"), dataBytes(make([]byte, 2))), 0, 5, "want integer"},
		{"bad TFORM", concat(emptyPrimary, headerBytes(oneColTable("TFORM1  = '3Z'")...), dataBytes(make([]byte, 4))), 1, 10, "unknown data type"},
		{"TFORM missing", concat(emptyPrimary, headerBytes(oneColTable()...), dataBytes(make([]byte, 4))), 1, 8, "TFORM1 is missing"},
		{"row size mismatch", concat(emptyPrimary, headerBytes(oneColTable("TFORM1  = '2E'")...), dataBytes(make([]byte, 4))), 1, 4, "add up to 8 bytes"},
		{"TDIM beyond repeat", concat(emptyPrimary, headerBytes(oneColTable("TFORM1  = '1E'", "TDIM1   = '(2,2)'")...), dataBytes(make([]byte, 4))), 1, 11, "TDIM"},
		{"BINTABLE GCOUNT 0", concat(emptyPrimary, headerBytes(replaceCard(oneColTable("TFORM1  = '1E'"),
			"GCOUNT  =                    0")...)), 1, 7, "GCOUNT=1"},
		{"BINTABLE NAXIS 1", concat(emptyPrimary, headerBytes("XTENSION= 'BINTABLE'", "BITPIX  =                    8", "NAXIS   =                    1",
			"NAXIS1  =                    4", "PCOUNT  =                    0", "GCOUNT  =                    1")), 1, 3, "NAXIS=2"},
		{"IMAGE PCOUNT", concat(emptyPrimary, headerBytes("XTENSION= 'IMAGE'", "BITPIX  =                    8", "NAXIS   =                    0",
			"PCOUNT  =                    4", "GCOUNT  =                    1"), dataBytes(make([]byte, 4))), 1, 4, "PCOUNT=0"},
		{"THEAP outside", concat(emptyPrimary, headerBytes(oneColTable("TFORM1  = '1E'", "THEAP   =                  100")...), dataBytes(make([]byte, 4))), 1, 11, "THEAP"},
		{"junk after last HDU", concat(emptyPrimary, headerBytes("JUNK    = 1")), 1, 1, "not an XTENSION"},
		{"XTENSION not a string", concat(emptyPrimary, headerBytes("XTENSION=                    1", "BITPIX  =                    8")), 1, 1, "XTENSION"},
	}
}

// replaceCard returns cards with the card of the same keyword as card
// replaced by it.
func replaceCard(cards []string, card string) []string {
	out := append([]string(nil), cards...)
	for i, c := range out {
		if c[:8] == card[:8] {
			out[i] = card
		}
	}
	return out
}

func TestMalformed(t *testing.T) {
	for _, tc := range malformedCases() {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Decode(bytes.NewReader(tc.file), "bad.fits")
			if f != nil {
				t.Fatalf("Decode returned a file with the error %v", err)
			}
			checkFormatError(t, err, "bad.fits", tc.hdu, tc.card, tc.want)
		})
	}
}

// TestReadHeadersMalformed runs the same cases through the header-only
// path (seeking over data) on a file on disk.
func TestReadHeadersMalformed(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range malformedCases() {
		if strings.Contains(tc.name, "TFORM") || strings.Contains(tc.name, "TDIM") || strings.Contains(tc.name, "THEAP") ||
			strings.Contains(tc.name, "row size") || strings.Contains(tc.name, "BSCALE") || strings.Contains(tc.name, "BLANK") {
			continue // data-level checks: ReadHeaders does not decode data
		}
		path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".fits")
		if err := os.WriteFile(path, tc.file, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Run(tc.name, func(t *testing.T) {
			hs, err := ReadHeaders(path)
			if hs != nil {
				t.Fatalf("ReadHeaders returned headers with the error %v", err)
			}
			checkFormatError(t, err, path, tc.hdu, tc.card, tc.want)
		})
	}
}

// TestLyingSizeAllocation checks that a header declaring 10^12 bytes on a
// tiny file fails without allocating anything near that.
func TestLyingSizeAllocation(t *testing.T) {
	b := concat(headerBytes(primaryCards(250000000000)...), dataBytes(make([]byte, 100)))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Decode(bytes.NewReader(b), "lie.fits")
	runtime.ReadMemStats(&after)
	checkFormatError(t, err, "lie.fits", 0, 4, "declares 1000000000000 bytes, file has 2880")
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<20 {
		t.Fatalf("decoding allocated %d bytes", grew)
	}
}

// TestDamagedGzip checks that a cut or corrupted gzip stream is a
// FormatError, not an I/O error or a silent short file.
func TestDamagedGzip(t *testing.T) {
	plain := encodeHDUs(t, &HDU{Image: mustImage(t, make([]float32, 3000), 3000)},
		&HDU{Table: mustTable(t, ColumnData{Name: "X", Data: [][]float64{make([]float64, 500)}})})
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	zw.Write(plain)
	zw.Close()
	z := zb.Bytes()
	if _, err := Decode(bytes.NewReader(z), "ok.fits.gz"); err != nil {
		t.Fatalf("intact gzip: %v", err)
	}
	flipped := append([]byte(nil), z...)
	flipped[len(flipped)-6] ^= 0xff // inside the CRC-32/size trailer
	for name, b := range map[string][]byte{
		"cut in the middle":   z[:len(z)/2],
		"cut before trailer":  z[:len(z)-4],
		"cut at a block edge": z[:len(z)-1],
		"checksum damaged":    flipped,
	} {
		_, err := Decode(bytes.NewReader(b), "bad.fits.gz")
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		var fe *FormatError
		if !strings.Contains(err.Error(), "bad.fits.gz: HDU ") || !errors.As(err, &fe) {
			t.Errorf("%s: error %q (%T) is not a FormatError naming the file and HDU", name, err, err)
		}
	}
}
