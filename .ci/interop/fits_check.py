#!/usr/bin/env python3
"""Astropy cross-check for the Go package fits (used by fits/astropy_interop_test.go).

  fits_check.py read FILE...   open each file with astropy.io.fits and print a JSON report
  fits_check.py write DIR      write reference files with astropy into DIR, then report them

Files are opened with every warning turned into an error and verified with
hdul.verify('exception'): any VerifyWarning makes the file's "error" non-null.

Report (one per file): {"path", "error", "hdus": [{"kind", "cards", "image", "table"}]}
  cards: [{"k": keyword, "t": str|int|float|bool|complex|undef|text, "v": value, "c": comment}]
         floats as float.hex(), commentary text (COMMENT, HISTORY, blank) as "text".
  image: {"bitpix", "shape" (NAXIS1 first), "raw", "phys"}: raw = stored values in file order
         (integers in decimal, float32/float64 as their IEEE bit patterns in decimal), phys =
         astropy's scaled values as float64 bit patterns; space-separated.
  table: {"nrows", "columns": [{"name", "format", "unit", "dim", "scale", "zero", "null",
         "raw", "phys", "str", "bool"}]}: per-row lists, encoded like images.
"""
import json
import sys
import warnings

import astropy
import numpy as np
from astropy.io import fits


def card_report(card):
    k, v, c = card.keyword, card.value, card.comment
    if k in ("COMMENT", "HISTORY", ""):
        return {"k": k, "t": "text", "v": str(v), "c": ""}
    if isinstance(v, fits.card.Undefined) or v is None:
        return {"k": k, "t": "undef", "v": "", "c": c}
    if isinstance(v, (bool, np.bool_)):
        return {"k": k, "t": "bool", "v": "T" if v else "F", "c": c}
    if isinstance(v, (int, np.integer)):
        return {"k": k, "t": "int", "v": str(int(v)), "c": c}
    if isinstance(v, (float, np.floating)):
        return {"k": k, "t": "float", "v": float(v).hex(), "c": c}
    if isinstance(v, (complex, np.complexfloating)):
        return {"k": k, "t": "complex", "v": complex(v).real.hex() + "," + complex(v).imag.hex(), "c": c}
    return {"k": k, "t": "str", "v": str(v), "c": c}


def encode(values):
    """Stored values: integers in decimal, floats as their bit patterns."""
    a = np.asarray(values).ravel()
    if a.dtype.kind == "f":
        a = a.astype(a.dtype.newbyteorder("="))
        a = a.view(np.uint32 if a.dtype.itemsize == 4 else np.uint64)
    return " ".join(str(int(x)) for x in a)


def encode_phys(values):
    a = np.asarray(values, dtype=np.float64).ravel()
    return " ".join(str(int(x)) for x in a.view(np.uint64))


def type_code(tform):
    s = tform.strip().lstrip("0123456789")
    if s[:1] in ("P", "Q"):
        return s[:1], s[1:2]
    return s[:1], ""


def image_report(hdu, raw_hdu):
    if hdu.data is None:
        return None
    return {
        "bitpix": raw_hdu.header["BITPIX"],
        "shape": list(reversed(raw_hdu.data.shape)),
        "raw": encode(raw_hdu.data),
        "phys": encode_phys(hdu.data),
    }


def table_report(hdu):
    h, d = hdu.header, hdu.data
    raw = np.ndarray.view(d, np.ndarray)
    cols = []
    for i, col in enumerate(hdu.columns, start=1):
        tform = h["TFORM%d" % i]
        code, elem = type_code(tform)
        opt = lambda key: h.get("%s%d" % (key, i))
        rep = {
            "name": col.name, "format": tform.strip(), "unit": opt("TUNIT") or "",
            "dim": (opt("TDIM") or "").replace(" ", ""),
            "scale": float(opt("TSCAL")).hex() if opt("TSCAL") is not None else None,
            "zero": float(opt("TZERO")).hex() if opt("TZERO") is not None else None,
            "null": str(opt("TNULL")) if opt("TNULL") is not None and code in "BIJK" else None,
            "raw": [], "phys": [], "str": [], "bool": [],
        }
        for r in range(len(d)):
            if code == "A":
                rep["str"].append(str(d[col.name][r]))
            elif code == "L":
                rep["bool"].append(" ".join("T" if b else "F" for b in np.atleast_1d(d[col.name][r])))
            elif code in ("P", "Q"):
                rep["raw"].append(encode(np.asarray(d[col.name][r])))
                rep["phys"].append(encode_phys(d[col.name][r]))
            else:
                rep["raw"].append(encode(raw[col.name][r]))
                rep["phys"].append(encode_phys(d[col.name][r]))
        cols.append(rep)
    return {"nrows": len(d), "columns": cols}


def report(path):
    out = {"path": path, "error": None, "hdus": []}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with fits.open(path) as hdul, fits.open(path, do_not_scale_image_data=True) as raw:
                hdul.verify("exception")
                for hdu, rhdu in zip(hdul, raw):
                    rep = {"kind": type(hdu).__name__, "cards": [card_report(c) for c in hdu.header.cards],
                           "image": None, "table": None}
                    if isinstance(hdu, fits.BinTableHDU):
                        rep["table"] = table_report(hdu)
                    else:
                        rep["image"] = image_report(hdu, rhdu)
                    out["hdus"].append(rep)
    except Exception as e:  # report, do not hide: the Go test prints it
        out["error"] = "%s: %s" % (type(e).__name__, e)
    return out


def reference_hdus():
    """HDUs written by astropy for the Go reader: every BITPIX, scaling, BLANK,
    every TFORM type, TSCAL/TZERO/TNULL/TDIM, strings, long strings, HISTORY."""
    i16 = fits.ImageHDU(np.array([[-1.5, 0.0, 2.25], [100.0, -50.75, 3.5]], dtype=np.float32), name="I16SCALED")
    i16.scale("int16", bscale=0.25, bzero=-3.0)
    blank = fits.ImageHDU(np.array([[1, -999, 3], [2147483647, -2147483648, 0]], dtype=np.int32), name="I32BLANK")
    blank.header["BLANK"] = -999
    images = [
        fits.ImageHDU(np.array([[0, 1, 2], [127, 128, 255]], dtype=np.uint8), name="U8"),
        i16,
        fits.ImageHDU(np.array([0, 1, 32767, 32768, 65535], dtype=np.uint16), name="U16"),
        blank,
        fits.ImageHDU(np.array([np.iinfo(np.int64).min, -1, 0, np.iinfo(np.int64).max], dtype=np.int64), name="I64"),
        fits.ImageHDU(np.array([0, 1, 2**63, 2**64 - 1], dtype=np.uint64), name="U64"),
        fits.ImageHDU(np.array([[np.nan, np.inf, -0.0], [1e-40, 3.4e38, -1.5]], dtype=np.float32), name="F32"),
        fits.ImageHDU(np.array([np.pi, -np.inf, 5e-324, 1.7976931348623157e308], dtype=np.float64), name="F64"),
    ]
    n = 3
    cols = [
        fits.Column(name="L", format="L", array=np.array([True, False, True])),
        fits.Column(name="B", format="B", array=np.array([0, 128, 255], dtype=np.uint8)),
        fits.Column(name="I", format="I", array=np.array([-32768, 0, 32767], dtype=np.int16)),
        fits.Column(name="J", format="J", null=-1, array=np.array([-1, 0, 2147483647], dtype=np.int32)),
        fits.Column(name="K", format="K", array=np.array([-2**63, 1, 2**63 - 1], dtype=np.int64)),
        fits.Column(name="E", format="E", unit="Angstrom", array=np.array([1.5, np.nan, -np.inf], dtype=np.float32)),
        fits.Column(name="D", format="D", array=np.array([np.pi, 5e-324, -1e300])),
        fits.Column(name="A", format="6A", array=np.array(["STAR", "", "GALAXY"])),
        fits.Column(name="FLUX", format="6E", dim="(3,2)", bscale=2.0, bzero=1.0,
                    array=np.arange(n * 6, dtype=np.float32).reshape(n, 2, 3)),
        fits.Column(name="UI", format="2I", bzero=32768, array=np.array([[0, 65535], [1, 2], [32768, 7]], dtype=np.uint16)),
        fits.Column(name="SJ", format="2J", array=np.array([[0, 4], [-2, 6], [8, 10]], dtype=np.int32)),
        fits.Column(name="VL", format="2L", array=np.array([[True, False], [False, False], [True, True]])),
        fits.Column(name="VD", format="2D", array=np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])),
        fits.Column(name="VAR", format="PJ()", array=np.array([np.array([1, 2, 3], dtype=np.int32),
                    np.array([], dtype=np.int32), np.array([-7], dtype=np.int32)], dtype=object)),
    ]
    table = fits.BinTableHDU.from_columns(cols, name="COADD")
    # astropy 5.2 cannot scale integer columns given physical values: add the
    # TSCAL/TZERO of column SJ to the stored integers through the header.
    table.header.insert("TFORM11", ("TSCAL11", 0.5), after=True)
    table.header.insert("TSCAL11", ("TZERO11", 10.0), after=True)
    primary = fits.PrimaryHDU()
    h = primary.header
    h["OBJECT"] = ("O'HARA  x", "a quote inside")
    h["LONGSTR"] = ("a long string value 'quoted' " * 5 + "end", "its comment")
    h["LONGCOM"] = ("v" * 70, "a comment far too long for one card " * 3)
    h["EXPTIME"] = (1.25e-5, "[s]")
    h["COUNT"] = (3908, "pixels")
    h["FLAG"] = (False, "")
    h["CPLX"] = (complex(1.5, -2.0), "complex")
    h["UNDEF"] = (None, "undefined value")
    h["HIERARCH ESO DET CHIP NAME"] = ("CCD1", "a HIERARCH card")
    h["HISTORY"] = "written by fits_check.py"
    h["COMMENT"] = "  a comment with leading blanks"
    return [primary] + images + [table]


def write(directory):
    warnings.simplefilter("error")  # astropy must write the references cleanly
    hdus = reference_hdus()
    paths = []
    for name in ("astropy_multi.fits", "astropy_multi.fits.gz"):
        path = directory.rstrip("/") + "/" + name
        fits.HDUList(hdus).writeto(path, overwrite=True)
        paths.append(path)
    path = directory.rstrip("/") + "/astropy_primary_image.fits"
    fits.PrimaryHDU(np.arange(12, dtype=np.int16).reshape(3, 4) - 6).writeto(path, overwrite=True)
    paths.append(path)
    return paths


def main(argv):
    if len(argv) >= 2 and argv[0] == "read":
        paths = argv[1:]
    elif len(argv) == 2 and argv[0] == "write":
        paths = write(argv[1])
    else:
        sys.exit(__doc__)
    json.dump({"astropy": astropy.__version__,
               "files": [report(p) for p in paths]}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1:])
