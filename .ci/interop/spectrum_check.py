#!/usr/bin/env python3
"""Astropy cross-check of the survey layouts (used by spectrum/astropy_interop_test.go).

  spectrum_check.py read FILE...   read each spectrum file with astropy the way a user of
                                   that survey would, print a JSON list of what it holds
  spectrum_check.py write DIR      write one file per layout with astropy into DIR and print
                                   a JSON list of what was written

Each entry: {"path", "layout", "wave", "flux", "ivar", "andmask", "ormask", "meta"}, arrays as
lists of float64 (float32 data widened exactly), meta a dict of header/table values. Files are
opened with warnings as errors and verify('exception'); a problem is reported in "error".
"""
import json
import os
import sys
import warnings

import numpy as np
from astropy.io import fits

LAMOST_KEYS = ("OBSID", "DESIG", "RA", "DEC", "CLASS", "SUBCLASS", "Z", "Z_ERR", "SNRG", "DATA_V", "VACUUM")


def plain(v):
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, str):
        return v.rstrip()
    return v


def arr(a):
    return [float(x) for x in np.asarray(a, dtype=np.float64).ravel()]


def read_one(path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with fits.open(path) as hdul:
            hdul.verify("exception")
            h0 = hdul[0].header
            names = [h.name for h in hdul]
            if "COADD" in names and "loglam" in [c.lower() for c in hdul["COADD"].columns.names]:
                d = hdul["COADD"].data
                sp = hdul["SPALL"].data[0]
                meta = {k: plain(sp[k]) for k in ("CLASS", "SUBCLASS", "Z", "PLATE", "MJD", "FIBERID", "PLUG_RA")}
                meta["SN_MEDIAN"] = arr(sp["SN_MEDIAN"])
                return {"layout": "sdss-coadd", "wave": arr(10.0 ** d["loglam"].astype(np.float64)), "flux": arr(d["flux"]),
                        "ivar": arr(d["ivar"]), "andmask": arr(d["and_mask"]), "ormask": arr(d["or_mask"]), "meta": meta}
            if "COADD" in names:
                row = hdul["COADD"].data[0]
                return {"layout": "lamost-table", "wave": arr(row["WAVELENGTH"]), "flux": arr(row["FLUX"]), "ivar": arr(row["IVAR"]),
                        "andmask": arr(row["ANDMASK"]), "ormask": arr(row["ORMASK"]),
                        "meta": {k: plain(h0[k]) for k in LAMOST_KEYS if k in h0}}
            data = hdul[0].data
            if data is not None and data.ndim == 2 and data.shape[0] == 5:
                return {"layout": "lamost-image", "flux": arr(data[0]), "ivar": arr(data[1]), "wave": arr(data[2]),
                        "andmask": arr(data[3]), "ormask": arr(data[4]),
                        "meta": {k: plain(h0[k]) for k in LAMOST_KEYS + ("COEFF0", "COEFF1") if k in h0}}
            # Generic 1-D: the IRAF/WCS solution a user would evaluate.
            flux = data if data.ndim == 1 else data[0]
            n = flux.shape[-1]
            p = np.arange(1, n + 1, dtype=np.float64)
            x = h0["CRVAL1"] + h0["CDELT1"] * (p - h0.get("CRPIX1", 1.0))
            wave = 10.0 ** x if h0.get("DC-FLAG", 0) == 1 else x
            out = {"layout": "generic-1d", "wave": arr(wave), "flux": arr(flux),
                   "meta": {k: plain(h0[k]) for k in ("OBJECT", "AIRORVAC", "CLASS") if k in h0}}
            if data.ndim == 2:
                sig = data[1].astype(np.float64)
                out["ivar"] = arr(np.where(sig > 0, 1.0 / np.where(sig > 0, sig, 1.0) ** 2, 0.0))
            return out


def cmd_read(paths):
    out = []
    for p in paths:
        try:
            e = read_one(p)
            e["path"], e["error"] = p, None
        except Exception as exc:  # reported, not raised: the Go test shows it
            e = {"path": p, "error": "%s: %s" % (type(exc).__name__, exc)}
        out.append(e)
    json.dump(out, sys.stdout)


def reference_arrays(n):
    i = np.arange(n)
    wave = (10.0 ** (3.5682 + 1e-4 * i)).astype(np.float32)
    flux = (100 + 10 * np.sin(i / 7.0)).astype(np.float32)
    ivar = (0.5 + (i % 7) / 10.0).astype(np.float32)
    andm = np.where(i % 11 == 0, 4, 0).astype(np.float32)
    orm = np.where(i % 5 == 0, 6, 0).astype(np.float32)
    return wave, flux, ivar, andm, orm


def cmd_write(d):
    n = 500
    wave, flux, ivar, andm, orm = reference_arrays(n)
    out = []
    meta = {"OBSID": 424242, "DESIG": "J010203.04+050607.8", "RA": 15.5125, "DEC": 5.10217, "CLASS": "QSO",
            "SUBCLASS": "", "Z": 1.25, "Z_ERR": 0.001, "SNRG": 17.5, "DATA_V": "LAMOST DR9", "VACUUM": True}

    # LAMOST DR8+: NAXIS=0 primary (with the stale NAXIS1/NAXIS2 cards real files carry) + COADD.
    p = os.path.join(d, "astropy-lamost-table.fits")
    ph = fits.Header()
    for k, v in meta.items():
        ph[k] = v
    cols = [fits.Column(name=c, format="%dE" % n, array=a.reshape(1, n))
            for c, a in (("FLUX", flux), ("IVAR", ivar), ("WAVELENGTH", wave), ("ANDMASK", andm), ("ORMASK", orm),
                         ("NORMALIZATION", np.full(n, -9999, np.float32)))]
    ph["NORM"] = 0
    ph["STALEAX1"], ph["STALEAX2"] = n, 5  # renamed below: astropy refuses to write stale NAXISn
    hdul = fits.HDUList([fits.PrimaryHDU(header=ph), fits.BinTableHDU.from_columns(cols, name="COADD")])
    hdul.writeto(p, overwrite=True)
    with open(p, "r+b") as fh:  # the cards keep their 80 bytes: only the keywords change
        raw = fh.read()
        raw = raw.replace(b"STALEAX1", b"NAXIS1  ", 1).replace(b"STALEAX2", b"NAXIS2  ", 1)
        fh.seek(0)
        fh.write(raw)
    out.append({"path": p, "layout": "lamost-table", "wave": arr(wave), "flux": arr(flux), "ivar": arr(ivar),
                "andmask": arr(andm), "ormask": arr(orm), "meta": meta})

    # LAMOST DR<=7: one float32 image of 5 rows.
    p = os.path.join(d, "astropy-lamost-image.fits.gz")
    ih = fits.Header()
    for k, v in meta.items():
        ih[k] = v
    ih["COEFF0"], ih["COEFF1"] = 3.5682, 1e-4
    fits.PrimaryHDU(data=np.vstack([flux, ivar, wave, andm, orm]), header=ih).writeto(p, overwrite=True)
    out.append({"path": p, "layout": "lamost-image", "wave": arr(wave), "flux": arr(flux), "ivar": arr(ivar),
                "andmask": arr(andm), "ormask": arr(orm), "meta": meta})

    # SDSS/BOSS spec file: COADD one row per pixel, SPALL one row.
    p = os.path.join(d, "astropy-spec-1234-56789-0042.fits")
    loglam = (3.5682 + 1e-4 * np.arange(n)).astype(np.float32)
    coadd = fits.BinTableHDU.from_columns([
        fits.Column(name="flux", format="E", array=flux), fits.Column(name="loglam", format="E", array=loglam),
        fits.Column(name="ivar", format="E", array=ivar), fits.Column(name="and_mask", format="J", array=andm.astype(np.int32)),
        fits.Column(name="or_mask", format="J", array=orm.astype(np.int32)), fits.Column(name="wdisp", format="E", array=np.ones(n, np.float32)),
        fits.Column(name="sky", format="E", array=np.zeros(n, np.float32)), fits.Column(name="model", format="E", array=flux)], name="COADD")
    spall = fits.BinTableHDU.from_columns([
        fits.Column(name="CLASS", format="6A", array=["GALAXY"]), fits.Column(name="SUBCLASS", format="21A", array=["STARFORMING"]),
        fits.Column(name="Z", format="E", array=np.array([0.125], np.float32)), fits.Column(name="Z_ERR", format="E", array=np.array([1e-4], np.float32)),
        fits.Column(name="PLATE", format="J", array=[1234]), fits.Column(name="MJD", format="J", array=[56789]),
        fits.Column(name="FIBERID", format="J", array=[42]), fits.Column(name="PLUG_RA", format="D", array=[150.25]),
        fits.Column(name="PLUG_DEC", format="D", array=[2.5]), fits.Column(name="SN_MEDIAN", format="5E", array=np.array([[1, 9.5, 12, 13, 8]], np.float32))],
        name="SPALL")
    fits.HDUList([fits.PrimaryHDU(), coadd, spall]).writeto(p, overwrite=True)
    out.append({"path": p, "layout": "sdss-coadd", "wave": arr(10.0 ** loglam.astype(np.float64)), "flux": arr(flux), "ivar": arr(ivar),
                "andmask": arr(andm), "ormask": arr(orm),
                "meta": {"CLASS": "GALAXY", "SUBCLASS": "STARFORMING", "Z": float(np.float32(0.125)), "ID": "1234-56789-0042",
                         "PLUG_RA": 150.25, "SN_MEDIAN": arr(np.array([1, 9.5, 12, 13, 8], np.float32))}})

    # Generic 1-D with a linear WCS in air.
    p = os.path.join(d, "astropy-generic.fits")
    gh = fits.Header()
    gh["CRVAL1"], gh["CDELT1"], gh["CRPIX1"], gh["CTYPE1"], gh["OBJECT"], gh["AIRORVAC"] = 4000.0, 1.5, 1.0, "LINEAR", "HD 12345", "air"
    fits.PrimaryHDU(data=flux, header=gh).writeto(p, overwrite=True)
    out.append({"path": p, "layout": "generic-1d", "wave": arr(4000.0 + 1.5 * np.arange(n)), "flux": arr(flux),
                "meta": {"OBJECT": "HD 12345", "AIRORVAC": "air"}})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "read":
        cmd_read(sys.argv[2:])
    elif len(sys.argv) == 3 and sys.argv[1] == "write":
        cmd_write(sys.argv[2])
    else:
        sys.exit(__doc__)
