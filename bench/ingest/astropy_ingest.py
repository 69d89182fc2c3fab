#!/usr/bin/env python3
"""Peer for the ingest benchmark: the same work as `astroone ingest`, done
the way a Python user would with astropy + numpy (Debian python3-astropy).

For every .fits/.fit/.fits.gz file under IN_DIR (sorted):
  read the bytes and their sha256; skip duplicates by checksum;
  open with astropy.io.fits; take flux, ivar, wavelength and and-mask from
  the LAMOST DR8+ COADD table, the DR<=7 image rows, or the SDSS COADD
  table (one row per pixel, 10**loglam);
  resample onto the LAMOST log-lambda grid (3908 px from 10**3.5682, step
  1e-4) by flux-conserving overlap averaging with inverse-variance
  propagation, the algorithm of prep.Resample (vectorised with numpy),
  with the same shortcut as prep.Resample: input already on the grid to
  float32 precision (relative 3e-7) is copied, bad pixels zeroed;
  append a catalog row (sqlite3) and the resampled arrays to a shard of
  1000 spectra (numpy .npz, one file per shard; rows committed per shard).
Prints one JSON line: {"files":..., "ingested":..., "seconds":...}.
"""
import hashlib
import io
import json
import os
import sqlite3
import sys
import time

import numpy as np
from astropy.io import fits

GRID_START, GRID_STEP, GRID_N = 3.5682, 1e-4, 3908
SHARD = 1000


def grid_edges():
    k = np.arange(GRID_N + 1) - 0.5
    return 10 ** (GRID_START + GRID_STEP * k)


def input_edges(w):
    """Pixel edges at geometric midpoints (log-uniform sampling)."""
    mid = np.sqrt(w[1:] * w[:-1])
    first = w[0] * w[0] / mid[0]
    last = w[-1] * w[-1] / mid[-1]
    return np.concatenate(([first], mid, [last]))


def resample(wave, flux, ivar, out_edges, centres):
    if len(wave) == len(centres) and np.all(np.abs(wave / centres - 1) <= 3e-7):
        good = (ivar > 0) & np.isfinite(flux) & np.isfinite(ivar)
        return np.where(good, flux, 0.0), np.where(good, ivar, 0.0)
    e = input_edges(wave)
    lo, hi = max(e[0], out_edges[0]), min(e[-1], out_edges[-1])
    u = np.union1d(e, out_edges)
    u = u[(u >= lo) & (u <= hi)]
    seg_lo, seg_hi = u[:-1], u[1:]
    length = seg_hi - seg_lo
    mid = 0.5 * (seg_lo + seg_hi)
    i = np.searchsorted(e, mid) - 1
    j = np.searchsorted(out_edges, mid) - 1
    good = (ivar[i] > 0) & np.isfinite(flux[i]) & (length > 0)
    i, j, length = i[good], j[good], length[good]
    n = len(out_edges) - 1
    wsum = np.bincount(j, weights=length, minlength=n)
    fsum = np.bincount(j, weights=flux[i] * length, minlength=n)
    vsum = np.bincount(j, weights=length * length / ivar[i], minlength=n)
    out_flux = np.zeros(n)
    out_ivar = np.zeros(n)
    ok = wsum > 0
    out_flux[ok] = fsum[ok] / wsum[ok]
    out_ivar[ok] = wsum[ok] ** 2 / vsum[ok]
    return out_flux, out_ivar


def read_spectrum(data):
    with fits.open(io.BytesIO(data)) as hdul:
        hdr = hdul[0].header
        if len(hdul) > 2 and hdul[1].data is not None and "loglam" in hdul[1].columns.names:
            d, sp = hdul[1].data, hdul[2].data[0]
            flux, ivar = d["flux"].astype(np.float64), d["ivar"].astype(np.float64)
            wave = 10.0 ** d["loglam"].astype(np.float64)
            mask = d["and_mask"].astype(np.int64)
            meta = {"OBSID": "%04d-%05d-%04d" % (sp["PLATE"], sp["MJD"], sp["FIBERID"]), "DESIG": "",
                    "RA": float(sp["PLUG_RA"]), "DEC": float(sp["PLUG_DEC"]), "CLASS": sp["CLASS"].strip(),
                    "SUBCLASS": sp["SUBCLASS"].strip(), "Z": float(sp["Z"]), "Z_ERR": float(sp["Z_ERR"]),
                    "SNRG": float(sp["SN_MEDIAN"][1])}
            return wave, flux, ivar, mask, meta
        if len(hdul) > 1 and hdul[1].data is not None and "WAVELENGTH" in hdul[1].columns.names:
            row = hdul[1].data[0]
            flux, ivar, wave = (np.asarray(row[c], dtype=np.float64) for c in ("FLUX", "IVAR", "WAVELENGTH"))
            mask = np.asarray(row["ANDMASK"], dtype=np.int64)
        else:
            img = hdul[0].data.astype(np.float64)
            flux, ivar, wave, mask = img[0], img[1], img[2], img[3].astype(np.int64)
        meta = {k: hdr.get(k) for k in ("OBSID", "DESIG", "RA", "DEC", "CLASS", "SUBCLASS", "Z", "Z_ERR", "SNRG")}
    return wave, flux, ivar, mask, meta


def main():
    in_dir, out_dir = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    paths = []
    for root, _, files in os.walk(in_dir):
        for f in files:
            if f.endswith((".fits", ".fit", ".fits.gz", ".fit.gz")):
                paths.append(os.path.join(root, f))
    paths.sort()
    t0 = time.perf_counter()
    db = sqlite3.connect(os.path.join(out_dir, "catalog.sqlite"))
    db.execute("create table if not exists spectra (id text, sha256 text unique, path text, class text, subclass text,"
               " ra real, dec real, z real, z_err real, snr_g real, shard text, shard_row int)")
    edges = grid_edges()
    centres = 10 ** (GRID_START + GRID_STEP * np.arange(GRID_N))
    seen, rows, fl, iv, mk = set(), [], [], [], []
    nshard = ingested = 0

    def flush():
        nonlocal nshard, rows, fl, iv, mk
        if not rows:
            return
        name = "shard-%06d.npz" % nshard
        tmp = os.path.join(out_dir, name + ".tmp.npz")
        np.savez(tmp, flux=np.array(fl, dtype=np.float32), ivar=np.array(iv, dtype=np.float32), mask=np.array(mk, dtype=np.int32))
        os.replace(tmp, os.path.join(out_dir, name))
        db.executemany("insert into spectra values (?,?,?,?,?,?,?,?,?,?,?,?)", [r + (name, k) for k, r in enumerate(rows)])
        db.commit()
        nshard += 1
        rows, fl, iv, mk = [], [], [], []

    for p in paths:
        with open(p, "rb") as fh:
            data = fh.read()
        digest = hashlib.sha256(data).hexdigest()
        if digest in seen:
            continue
        seen.add(digest)
        wave, flux, ivar, mask, meta = read_spectrum(data)
        f, v = resample(wave, flux, ivar, edges, centres)
        rows.append((str(meta["OBSID"]), digest, p, meta["CLASS"], meta["SUBCLASS"], meta["RA"], meta["DEC"], meta["Z"], meta["Z_ERR"], meta["SNRG"]))
        fl.append(f)
        iv.append(v)
        mk.append(np.where(v > 0, 0, 1 << 30).astype(np.int32))
        ingested += 1
        if len(rows) == SHARD:
            flush()
    flush()
    db.close()
    print(json.dumps({"files": len(paths), "ingested": ingested, "seconds": time.perf_counter() - t0}))


if __name__ == "__main__":
    main()
