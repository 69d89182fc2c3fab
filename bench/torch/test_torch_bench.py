#!/usr/bin/python3
"""Checks of torch_bench.py against hand-computed values and a literal
transcription of model/continuum.go:
/usr/bin/python3 -m unittest discover -s bench/torch (skipped without torch)."""

import math
import os
import random
import struct
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
try:
    import torch
    import torch_bench as tb
except ImportError:  # pragma: no cover
    torch = None


def _fit_line_ref(f, w, lo, hi, cut, c0, c1):
    """model.fitLine, line by line."""
    sw = sj = sf = sjj = sjf = 0.0
    for j in range(lo, hi):
        x = float(j)
        if w[j] > 0 and f[j] - c0 - c1 * x >= cut:
            sw += 1
            sj += x
            sf += f[j]
            sjj += x * x
            sjf += x * f[j]
    jc, a = sj / sw, sf / sw
    b = 0.0
    v = sjj / sw - jc * jc
    if v > 1e-9:
        b = (sjf / sw - jc * a) / v
    return jc, a, b


def pseudo_continuum_ref(f, w, block, fallback):
    """model.pseudoContinuum, line by line (lists of floats)."""
    n = len(f)
    centres, levels = [], []
    for b in range((n + block - 1) // block):
        lo, hi = b * block, min((b + 1) * block, n)
        good = sum(1 for j in range(lo, hi) if w[j] > 0)
        if good < max(2, (hi - lo) // 4):
            continue
        jc, level, slope = _fit_line_ref(f, w, lo, hi, -math.inf, 0, 0)
        v = sorted(f[j] - level - slope * (float(j) - jc) for j in range(lo, hi) if w[j] > 0)
        jc, level, _ = _fit_line_ref(f, w, lo, hi, v[len(v) // 2], level - slope * jc, slope)
        levels.append(level)
        centres.append(jc)
    if not levels:
        return [fallback] * n
    sm = list(levels)
    for i in range(1, len(levels) - 1):
        a, b, d = levels[i - 1], levels[i], levels[i + 1]
        sm[i] = max(min(a, b), min(max(a, b), d))
    c, k = [], 0
    for j in range(n):
        x = float(j)
        while k + 1 < len(centres) and centres[k + 1] <= x:
            k += 1
        if x <= centres[0]:
            c.append(sm[0])
        elif k + 1 >= len(centres):
            c.append(sm[-1])
        else:
            t = (x - centres[k]) / (centres[k + 1] - centres[k])
            c.append(sm[k] + t * (sm[k + 1] - sm[k]))
    return c


@unittest.skipIf(torch is None, "torch not installed")
class TorchBenchTest(unittest.TestCase):
    def test_masked_median(self):
        v = torch.tensor([[4.0, 1.0, 3.0, 2.0, 9.0], [5.0, 1.0, 3.0, 7.0, 7.0], [1.0, 2.0, 3.0, 4.0, 5.0]])
        good = torch.tensor([[1, 1, 1, 1, 0], [1, 1, 1, 0, 0], [0, 0, 0, 0, 0]], dtype=torch.bool)
        got = tb.masked_median(v, good, good.sum(1))[:, 0].tolist()
        self.assertEqual(got, [2.5, 3.0, 0.0])

    def test_prepare_two_level_spectrum(self):
        # Fluxes alternate 52, 50 with ivar 4: median 51, MAD 1, s = 1.4826.
        f = torch.full((1, tb.PIXELS), 50.0)
        f[0, ::2] = 52.0
        iv = torch.full((1, tb.PIXELS), 4.0)
        iv[0, -2:] = 0  # two bad pixels (a 52 and a 50): median and MAD unchanged
        x, feats, target, pw = tb.prepare(f, iv)
        s = 1.4826
        self.assertEqual(tuple(x.shape), (1, 62, 192))
        self.assertEqual(tuple(target.shape), (1, 63, 64))
        self.assertAlmostEqual(x[0, 0, 0].item(), 1 / s, places=5)
        self.assertAlmostEqual(x[0, 0, 1].item(), -1 / s, places=5)
        self.assertAlmostEqual(x[0, 0, 64].item(), math.log1p(2 * s) / 4, places=5)
        # The continuum sits on the upper level (the refit takes the pixels
        # on or above the median residual): 52 reads 0, 50 reads 10·(−2/52).
        self.assertAlmostEqual(x[0, 10, 128].item(), 0, places=4)
        self.assertAlmostEqual(x[0, 10, 129].item(), -20 / 52, places=3)
        self.assertEqual(x[0, 61, 3906 - 61 * 64].item(), 0)  # a bad pixel
        self.assertEqual(x[0, 61, 64 + 3907 - 61 * 64].item(), 0)  # its noise channel
        self.assertEqual(x[0, 61, 128 + 3907 - 61 * 64].item(), 0)  # its continuum channel
        for c in range(3):
            self.assertEqual(x[0, 61, 64 * c + 63].item(), 0)  # padding
        self.assertAlmostEqual(feats[0, 0].item(), math.asinh(51 / s), places=4)
        self.assertAlmostEqual(feats[0, 1].item(), math.log10(s) / 3, places=5)
        self.assertAlmostEqual(feats[0, 2].item(), math.log10(1 + 102), places=4)
        self.assertAlmostEqual(feats[0, 3].item(), 3906 / 3908, places=6)
        self.assertEqual(target[0, 0].abs().sum().item(), 0)  # feature token
        self.assertAlmostEqual(target[0, 1, 0].item(), 1 / s, places=5)
        self.assertAlmostEqual(pw[0, 1, 0].item(), 1 / (1 / (4 * s * s) + 0.01), places=3)

    def test_prepare_continuum_channel_reads_line_depth(self):
        # A line-free slope is its own continuum; a pixel 30% below it
        # reads 10·(−0.3) = −3 and its neighbours 0.
        j = torch.arange(tb.PIXELS, dtype=torch.float64)
        f = 100 + 0.01 * j
        f[2000] *= 0.7
        x, _, _, _ = tb.prepare(f[None].float(), torch.ones(1, tb.PIXELS))
        rel = x[0, :, 128:].reshape(-1)[:tb.PIXELS]
        self.assertAlmostEqual(rel[2000].item(), -3, places=3)
        self.assertLess(torch.cat([rel[100:2000], rel[2001:3800]]).abs().max().item(), 1e-3)

    def test_pseudo_continuum_matches_go_transcription(self):
        rng = random.Random(7)
        n = 1000
        rows, ws = [], []
        for r in range(4):
            f = [50 + 20 * math.sin(j / 150 + r) + 0.02 * j + rng.gauss(0, 2) for j in range(n)]
            for _ in range(15):  # absorption lines
                c, d, s = rng.randrange(n), rng.uniform(0.05, 0.4), rng.uniform(1, 3)
                for j in range(max(0, c - 10), min(n, c + 10)):
                    f[j] *= 1 - d * math.exp(-0.5 * ((j - c) / s) ** 2)
            w = [1.0] * n
            rows.append(f)
            ws.append(w)
        for j in range(100, 300):  # a gap: two blocks skipped
            ws[1][j] = 0
        for j in range(0, n, 3):
            ws[2][j] = 0
        for j in range(960, 1000):  # the short last block (40 pixels) with 9 good < 10
            ws[2][j] = 1 if j < 969 else 0
        ws[3] = [0.0] * n  # no usable block: the fallback
        ws[3][5] = 1
        # Fluxes are float32 values, as Prepare's inputs: the block sums
        # are then exact in float64 in any order, and the selection of the
        # pixels on or above the median residual (which can hinge on the
        # last bit at the cut) is the same as that of the sequential sums.
        f = torch.tensor(rows, dtype=torch.float32).double()
        w = torch.tensor(ws, dtype=torch.float64)
        f = torch.where(w > 0, f, torch.zeros_like(f))
        got = tb.pseudo_continuum(f, w, torch.tensor([1.0, 2.0, 3.0, 4.0]), block=96)
        for r in range(4):
            want = pseudo_continuum_ref(f[r].tolist(), ws[r], 96, float(r + 1))
            err = max(abs(a - b) for a, b in zip(got[r].tolist(), want))
            self.assertLess(err, 1e-9, f"row {r}")
        self.assertEqual(got[3].tolist(), [4.0] * n)

    def test_pseudo_continuum_is_exact_for_a_line_free_slope(self):
        # As model.TestPseudoContinuumIsExactForALineFreeSlope, with a
        # slope exact in binary: every residual is 0, every pixel is on the
        # refitted line and the block centres are the blocks' middles.
        f = torch.tensor([[3 - j / 1024 for j in range(1000)]], dtype=torch.float64)
        c = tb.pseudo_continuum(f, torch.ones_like(f), torch.tensor([-1.0]), block=96)
        self.assertLess((c - f)[0, 48:-20].abs().max().item(), 1e-12)  # last centre 979.5

    def test_z_target(self):
        # u = ln(1+z)/w = 10.5 bins: a Gaussian centred on bin 10, cut at
        # bins 4 and 16 (6σ).
        z = math.expm1(10.5 * tb.z_bin_width())
        t, wt = tb.z_target(torch.tensor([z, float("nan"), 100.0]))
        norm = sum(math.exp(-0.5 * d * d) for d in range(-6, 7))
        self.assertAlmostEqual(t[0, 10].item(), 1 / norm, places=6)
        self.assertAlmostEqual(t[0, 4].item(), math.exp(-18) / norm, places=9)
        self.assertEqual(t[0, 3].item(), 0)
        self.assertEqual(t[0, 17].item(), 0)
        self.assertAlmostEqual(t[0].sum().item(), 1, places=6)
        self.assertEqual(t[1].abs().sum().item(), 0)
        self.assertEqual(wt.tolist(), [1.0, 0.0, 1.0])
        self.assertEqual(t[2].argmax().item(), tb.Z_BINS - 1)  # clamped to Z_MAX

    def test_decode_z(self):
        z = math.expm1(10.5 * tb.z_bin_width())
        t, _ = tb.z_target(torch.tensor([z]))
        got, sigma, mass = tb.decode_z(t)
        w = tb.z_bin_width()
        self.assertAlmostEqual(got.item(), z, places=5)
        norm = sum(math.exp(-0.5 * d * d) for d in range(-6, 7))
        self.assertAlmostEqual(mass.item(), sum(math.exp(-0.5 * d * d) for d in range(-2, 3)) / norm, places=5)
        var = sum(math.exp(-0.5 * d * d) * d * d for d in range(-6, 7)) / norm
        self.assertAlmostEqual(sigma.item(), (1 + z) * w * math.sqrt(var + 1 / 12), places=6)

    def test_star_targets(self):
        # model.Binning.Target in model.Config.StarBinnings' layouts: a
        # value at the centre of bin k (x = k + 0.5) gives a Gaussian of 1
        # bin symmetric about k, cut at bins k - 6 and k + 6, summing to 1.
        norm = sum(math.exp(-0.5 * d * d) for d in range(-6, 7))
        width = [(hi - lo) / 256 for lo, hi, _ in tb.STAR_BINNINGS]
        self.assertEqual(width, [1.4 / 256, 6.5 / 256, 5.5 / 256])
        teff = 10 ** (3.35 + 100.5 * width[0])  # bin 100 of log10 Teff: 5,600 K
        logg = -0.5 + 40.5 * width[1]  # bin 40
        feh = -4.5 + 200.5 * width[2]  # bin 200
        y = torch.zeros(5, tb.NUM_PARAMS, dtype=torch.float64)
        w = torch.ones(5, tb.NUM_PARAMS)
        y[0, :3] = torch.tensor([teff, logg, feh], dtype=torch.float64)
        y[1, :3] = torch.tensor([1e6, -3.0, float("nan")], dtype=torch.float64)  # beyond both ends; NaN
        y[2, :3] = torch.tensor([-5.0, 2.0, 0.0], dtype=torch.float64)  # Teff <= 0: undefined log10
        y[3, :3] = torch.tensor([teff, logg, feh], dtype=torch.float64)
        w[3, 1] = 0  # log g without a weight
        y[4, :3] = torch.tensor([0.0, float("inf"), 1.0], dtype=torch.float64)  # Teff 0; infinite log g; [Fe/H] = Hi
        bt, bw = tb.star_targets(y, w)
        self.assertEqual(tuple(bt.shape), (5, 3, 256))
        self.assertEqual(bt.dtype, torch.float32)
        self.assertEqual(bw.tolist(), [[1.0, 1.0, 1.0], [1.0, 1.0, 0.0], [0.0, 1.0, 1.0], [1.0, 0.0, 1.0],
                                       [0.0, 0.0, 1.0]])
        for j, k in enumerate((100, 40, 200)):
            t = bt[0, j]
            self.assertEqual(t.argmax().item(), k)
            self.assertAlmostEqual(t.sum().item(), 1, places=6)
            self.assertAlmostEqual(t[k].item(), 1 / norm, places=5)
            for d in range(1, 7):
                self.assertAlmostEqual(t[k - d].item(), t[k + d].item(), places=6)
                self.assertAlmostEqual(t[k + d].item(), math.exp(-0.5 * d * d) / norm, places=6)
            self.assertEqual(t[k - 7].item(), 0)
            self.assertEqual(t[k + 7].item(), 0)
            self.assertEqual(bt[3, j].tolist(), ([0.0] * 256 if j == 1 else t.tolist()))
        # Beyond the range: clamped to the end bins. x = 256: bins
        # int(250) = 250 … 255; x = 0: bins 0 … int(6) = 6 (one more, at
        # 6.5 σ, as Go's int(x + 6)).
        top = sum(math.exp(-0.5 * (d + 0.5) ** 2) for d in range(6))
        bottom = sum(math.exp(-0.5 * (d + 0.5) ** 2) for d in range(7))
        self.assertEqual(bt[1, 0].argmax().item(), 255)
        self.assertEqual(bt[1, 0, :250].abs().sum().item(), 0)
        self.assertAlmostEqual(bt[1, 0, 255].item(), math.exp(-0.125) / top, places=6)
        self.assertAlmostEqual(bt[1, 0, 250].item(), math.exp(-0.5 * 5.5 ** 2) / top, places=9)
        self.assertEqual(bt[1, 1].argmax().item(), 0)
        self.assertAlmostEqual(bt[1, 1, 0].item(), math.exp(-0.125) / bottom, places=6)
        self.assertAlmostEqual(bt[1, 1, 6].item(), math.exp(-0.5 * 6.5 ** 2) / bottom, places=12)
        self.assertEqual(bt[1, 1, 7:].abs().sum().item(), 0)
        self.assertEqual(bt[4, 2].tolist(), bt[1, 0].tolist())  # [Fe/H] = Hi: the last bins too
        # Undefined or unweighted: target 0, weight 0.
        for r, j in ((1, 2), (2, 0), (3, 1), (4, 0), (4, 1)):
            self.assertEqual(bt[r, j].abs().sum().item(), 0, (r, j))
        # log g 2 and [Fe/H] 0: x = 2.5/w and 4.5/w bins.
        for j, v in ((1, 2.0), (2, 0.0)):
            lo = tb.STAR_BINNINGS[j][0]
            x = (v - lo) / width[j]
            ks = range(max(0, int(x - 6)), min(255, int(x + 6)) + 1)
            e = {k: math.exp(-0.5 * (k + 0.5 - x) ** 2) for k in ks}
            total = sum(e.values())
            want = [e.get(k, 0.0) / total for k in range(256)]
            got = bt[2, j].tolist()
            self.assertLess(max(abs(a - b) for a, b in zip(got, want)), 1e-7, j)

    def test_star_bin_loss(self):
        # Two spectra × 3 parameters over 4 bins. Uniform logits give
        # CE = ln 4 whatever the (normalised) target; logits
        # (0, ln 3, -1e9, -1e9) give the softmax (1/4, 3/4, 0, 0), and a
        # one-hot target on bin 1 the CE ln(4/3). The pairs with weight 0
        # are left out: the mean is over the 4 weighted pairs.
        logits = torch.zeros(2, 3, 4)
        target = torch.zeros(2, 3, 4)
        target[0, 0] = torch.tensor([0.1, 0.2, 0.3, 0.4])
        target[0, 1, 2] = 1
        target[0, 2, 3] = 1  # weight 0
        target[1, 0] = torch.tensor([0.5, 0.5, 0.0, 0.0])
        logits[1, 1] = torch.tensor([5.0, 0.0, 0.0, 0.0])  # weight 0
        logits[1, 2] = torch.tensor([0.0, math.log(3), -1e9, -1e9])
        target[1, 2, 1] = 1
        weight = torch.tensor([[1.0, 1.0, 0.0], [1.0, 0.0, 1.0]])
        want = (3 * math.log(4) + math.log(4 / 3)) / 4
        self.assertAlmostEqual(tb.star_bin_loss(logits, target, weight).item(), want, places=6)
        # No weighted pair: 0 (the denominator is max(Σ w, 1)).
        self.assertEqual(tb.star_bin_loss(logits, target, torch.zeros(2, 3)).item(), 0)

    def test_decode_stars(self):
        # A target at a bin centre decodes (model.Binning.Decode) to that
        # value, with σ = |dp/du|·w·sqrt(var + 1/12) in bins.
        teff, logg, feh = 10 ** (3.35 + 100.5 * 1.4 / 256), -0.5 + 40.5 * 6.5 / 256, -4.5 + 200.5 * 5.5 / 256
        y = torch.zeros(1, tb.NUM_PARAMS, dtype=torch.float64)
        y[0, :3] = torch.tensor([teff, logg, feh], dtype=torch.float64)
        bt, _ = tb.star_targets(y, torch.ones(1, tb.NUM_PARAMS))
        val, sigma = tb.decode_stars(bt)
        self.assertEqual(tuple(val.shape), (1, 3))
        norm = sum(math.exp(-0.5 * d * d) for d in range(-6, 7))
        sd = math.sqrt(sum(math.exp(-0.5 * d * d) * d * d for d in range(-6, 7)) / norm + 1 / 12)
        self.assertAlmostEqual(val[0, 0].item() / teff, 1, places=6)
        self.assertAlmostEqual(val[0, 1].item(), logg, places=5)
        self.assertAlmostEqual(val[0, 2].item(), feh, places=5)
        self.assertAlmostEqual(sigma[0, 0].item() / (teff * math.log(10) * 1.4 / 256 * sd), 1, places=5)
        self.assertAlmostEqual(sigma[0, 1].item(), 6.5 / 256 * sd, places=6)
        self.assertAlmostEqual(sigma[0, 2].item(), 5.5 / 256 * sd, places=6)

    def test_beta_nll(self):
        # β = 0.5: the loss is NLL·σ and the mean's gradient (μ − y)/σ.
        mean = torch.tensor([[1.0, 0.0]], requires_grad=True)
        log_sigma = torch.tensor([[math.log(2.0), 0.0]])
        y, w = torch.tensor([[0.0, float("nan")]]), torch.tensor([[1.0, 0.0]])
        loss = tb.beta_nll(mean, log_sigma, y, w, 0.5)
        nll = 0.5 * 0.25 + math.log(2) + 0.5 * math.log(2 * math.pi)
        self.assertAlmostEqual(loss.item(), 2 * nll, places=5)
        loss.backward()
        self.assertAlmostEqual(mean.grad[0, 0].item(), 0.5, places=6)
        self.assertEqual(mean.grad[0, 1].item(), 0)
        plain = tb.beta_nll(mean, log_sigma, y, w, 0)
        self.assertAlmostEqual(plain.item(), nll, places=5)

    def test_param_count(self):
        # Same hand count as bench/torch/gobench's TestCountParamsSmall.
        d, inp, toks, mlp, hin, pix = 64, 192, 63, 128, 128, 128
        embed = (inp * d + d) + (4 * d + d) + d + toks * d
        block = 2 * 2 * d + 4 * (d * d + d) + (d * mlp + mlp) + (mlp * d + d)
        pixel = 62 * 64 * pix + pix  # PixelHead: Dense(62·64 continuum values → 128)
        # The rest-frame shift head: 2d -> d GELU -> 1 on the head input.
        shift = (hin * d + d) + (d * 1 + 1)
        # The binned stellar heads (StarBins = 256): the parameter head's
        # input (2d + 128) -> 2d GELU -> 3·256 logits.
        star = ((hin + pix) * 2 * d + 2 * d) + (2 * d * 3 * 256 + 3 * 256)
        self.assertEqual(star, 131968)
        # ClassFromParams: the class head reads [head input, 5 parameter means].
        heads = (2 * d + (toks * d * d + d) + shift + pixel
                 + ((hin + pix) * d + d) + 2 * (d * 5 + 5) + star
                 + (hin * d + d) + (d * 256 + 256)
                 + ((hin + 5) * d + d) + (d * 11 + 11) + (d * 64 + 64))
        # 947222 without the binned stellar heads, 938901 without those and the shift head.
        self.assertEqual(embed + 3 * block + heads, 1079190)
        self.assertEqual(tb.count_params(tb.SpecModel("math", z_templates=0)), 1079190)
        # The redshift templates (ZTemplates = 4, ZTemplateBin = 16):
        # 4 × (M + L − 1) = 4 × 711, as gobench's TestCountParamsSmall.
        self.assertEqual((tb.Z_TEMPLATES, tb.Z_TEMPLATE_BIN), (4, 16))
        self.assertEqual(embed + 3 * block + heads + 4 * 711, 1082034)
        model = tb.SpecModel("math")
        self.assertEqual(tb.count_params(model), 1082034)
        self.assertEqual(tuple(model.z_template.shape), (4, 711))
        self.assertEqual((tb.STAR_BINS, tb.W_STAR_BINS), (256, 1.0))

    def test_z_template_layout(self):
        # gobench's TestZTemplateGeometrySmall: M = ⌈3968/16⌉ = 248 coarse
        # pixels, du = 16·69.03/c, L = ⌈ln 5.5/du⌉ + 1 = 464 lags, length 711.
        m, lags, du, length = tb.z_template_layout(tb.TOKENS * tb.PATCH)
        self.assertEqual((m, lags, length), (248, 464, 711))
        self.assertEqual(du, 16 * tb.PIXEL_KMS / 299792.458)
        self.assertLess((lags - 2) * du, math.log1p(tb.Z_MAX))
        self.assertGreaterEqual((lags - 1) * du, math.log1p(tb.Z_MAX))
        # model/ztemplate_test.go's configuration: 100 pixels binned by 4,
        # coarse pixels of 2 (du = 8·69.03/c).
        m, lags, du, length = tb.z_template_layout(100, q=2, bin_=4)
        self.assertEqual(m, 50)
        self.assertAlmostEqual(du, 8 * tb.PIXEL_KMS / 299792.458, places=15)
        self.assertEqual(length, m + lags - 1)
        # Padding: 101 pixels need 51 coarse pixels.
        self.assertEqual(tb.z_template_layout(101, q=2, bin_=4)[0], 51)

    def test_lags_to_z_bins_columns_sum_to_one(self):
        # model.TestLagsToZBinsAverages: every bin averages the lags it
        # covers (the lag cells tile ln(1+z) from −du/2 beyond ln(1+z_max)).
        for n, q, bin_, z_bins in ((tb.TOKENS * tb.PATCH, 16, 1, 256), (100, 2, 4, 64)):
            _, lags, du, _ = tb.z_template_layout(n, q=q, bin_=bin_)
            p = tb.lags_to_z_bins(lags, du, z_bins=z_bins)
            self.assertEqual(tuple(p.shape), (lags, z_bins))
            self.assertEqual(p.dtype, torch.float32)
            self.assertLess((p.double().sum(0) - 1).abs().max().item(), 1e-5, (n, q))
            self.assertGreaterEqual(p.min().item(), 0)
            # Each bin's lags are contiguous and each lag's cell overlaps
            # at most the bins it straddles (du < bin width here).
            w = math.log1p(tb.Z_MAX) / z_bins
            self.assertLess(du, w)
            self.assertLessEqual(int((p > 0).sum(1).max()), 2)
        # The precomputed buffers of the model.
        model = tb.SpecModel("math")
        m, lags, du, length = tb.z_template_layout(tb.TOKENS * tb.PATCH)
        self.assertTrue(torch.equal(model.z_template_bins, tb.lags_to_z_bins(lags, du)))
        self.assertEqual(tuple(model.z_template_index.shape), (248, 4 * 464))
        # Row m, column t·L + l: template t at m − l + L − 1.
        self.assertEqual(model.z_template_index[0, 0].item(), lags - 1)
        self.assertEqual(model.z_template_index[247, 3 * lags + 5].item(), 3 * 711 + 247 - 5 + lags - 1)
        self.assertEqual(model.z_template_index.min().item(), 0)
        self.assertEqual(model.z_template_index.max().item(), 4 * 711 - 1)

    def test_template_correlation_finds_the_redshift(self):
        # model.TestTemplateCorrelationFindsTheRedshift: a spectrum with
        # one emission line and a template with that line at its rest
        # position score highest in the redshift bin that moves the one
        # onto the other; the bin averages the lags it covers, so the
        # single matching lag gives 5·du/w when its cell lies inside it.
        n, q, z_bins = 100, 2, 64
        m, lags, du, length = tb.z_template_layout(n, q=q, bin_=4)
        index = tb.toeplitz_index(m, 1, lags, length)
        p = tb.lags_to_z_bins(lags, du, z_bins=z_bins)
        w = math.log1p(tb.Z_MAX) / z_bins
        for lag in (0, 137, 300, lags - 2):
            m0 = 20  # observed coarse pixel of the line
            cont = torch.zeros(1, n)
            cont[0, 2 * m0], cont[0, 2 * m0 + 1] = 5, 5  # coarse pixel m0 has mean 5
            tmpl = torch.zeros(1, length)
            tmpl[0, m0 - lag + lags - 1] = 1  # the line's rest position
            s = tb.template_lag_scores(cont, tmpl, q, index)
            self.assertEqual(s[0].argmax().item(), lag)
            self.assertAlmostEqual(s[0, lag].item(), 5, places=5)
            out = (s @ p)[0]
            want = min(z_bins - 1, int(lag * du / w))
            best = out.argmax().item()
            self.assertTrue(best == want or (lag == 0 and best == 0), (lag, best, want))
            self.assertGreater(out[best].item(), 0)
            self.assertLessEqual(out[best].item(), 5 * du / w * 1.0001)

    def test_template_log_sum_exp(self):
        # model.TestTemplateCorrelationLogSumExp: with two templates, one
        # of them zero, the score of every lag is ln(e^s + e^0), s the
        # other template's (the K = 1 score), before the lag-to-bin map.
        n, q = 100, 2
        m, lags, du, length = tb.z_template_layout(n, q=q, bin_=4)
        cont = torch.zeros(1, n)
        cont[0, 40], cont[0, 41] = 3, 3
        lag = 250
        tmpl = torch.zeros(2, length)  # template 1 all zero
        tmpl[0, 20 - lag + lags - 1] = 1
        one = tb.template_lag_scores(cont, tmpl[:1], q, tb.toeplitz_index(m, 1, lags, length))
        self.assertEqual(one[0, lag].item(), 3)
        self.assertEqual(one[0].abs().sum().item(), 3)
        two = tb.template_lag_scores(cont, tmpl, q, tb.toeplitz_index(m, 2, lags, length))
        want = torch.log(torch.exp(one.double()) + 1)
        self.assertLess((two.double() - want).abs().max().item(), 1e-6)
        # Random scores too, and the binned result as the Go test's.
        torch.manual_seed(6)
        cont = torch.randn(3, n)
        tmpl = torch.zeros(2, length)
        tmpl[0] = torch.randn(length)
        one = tb.template_lag_scores(cont, tmpl[:1], q, tb.toeplitz_index(m, 1, lags, length))
        two = tb.template_lag_scores(cont, tmpl, q, tb.toeplitz_index(m, 2, lags, length))
        self.assertLess((two.double() - torch.log(torch.exp(one.double()) + 1)).abs().max().item(), 1e-5)
        p = tb.lags_to_z_bins(lags, du, z_bins=64)
        self.assertLess(((two @ p).double() - torch.log(torch.exp(one.double()) + 1) @ p.double()).abs().max().item(), 1e-4)

    def test_template_log_sum_exp_gradient(self):
        # The maximum is detached (StopGradient): the gradient of the
        # log-sum-exp over the templates is their softmax, which sums to
        # 1 over k at every lag.
        m, lags, du, length = tb.z_template_layout(100, q=2, bin_=4)
        torch.manual_seed(8)
        cont = torch.randn(2, 100)
        tmpl = torch.randn(3, length, requires_grad=True)
        index = tb.toeplitz_index(m, 3, lags, length)
        tb.template_lag_scores(cont, tmpl, 2, index).sum().backward()
        x = cont.reshape(2, m, 2).mean(-1)
        score = (x @ tmpl.detach().reshape(-1)[index]).reshape(2, 3, lags)
        sm = torch.softmax(score.double(), 1)
        want = torch.zeros(3 * length, dtype=torch.float64)
        g = (x.double()[:, :, None, None] * sm[:, None]).sum(0)  # [M, K, L]
        want.index_add_(0, index.reshape(-1), g.reshape(-1))
        self.assertLess((tmpl.grad.double().reshape(-1) - want).abs().max().item(), 1e-4)

    def test_templates_learn_from_the_redshift_loss(self):
        # model.TestTemplateHeadLearns: the templates get a gradient from
        # the redshift loss (through the gather), and from nothing else.
        torch.manual_seed(5)
        gen = torch.Generator().manual_seed(5)
        model = tb.SpecModel("math")
        flux, ivar, onehot, cw, y, w, zt, zw, bt, bw, st, sw = tb.bench_batch(gen, 12)
        x, feats, _, _ = tb.prepare(flux, ivar)
        out = model(x, feats, recon=False)
        tb.soft_ce(out[3], zt, zw).backward()
        self.assertGreater(model.z_template.grad.abs().sum().item(), 0)
        self.assertGreater(model.z_out.weight.grad.abs().sum().item(), 0)
        for name in ("param_mean", "class_out", "pixel_head", "shift_out", "star_bins_out"):
            self.assertIsNone(getattr(model, name).weight.grad, name)
        model.zero_grad(set_to_none=True)
        out = model(x, feats, recon=False)
        (out[0].square().sum() + out[1].square().sum() + out[6].square().sum() + out[7].square().sum()).backward()
        self.assertIsNone(model.z_template.grad)
        # Without templates: no such parameter, the logits are z_out's.
        plain = tb.SpecModel("math", z_templates=0)
        self.assertFalse(hasattr(plain, "z_template"))
        self.assertEqual(tuple(plain(x, feats, recon=False)[3].shape), (12, 256))

    def test_z_template_scores_match_go(self):
        # gobench's TestZTemplateScoresGolden: the redshift logits of
        # small with 4 templates of 16-pixel bins, z_out zeroed, for fixed
        # continuum channels and templates (the numbers GoMLX computes).
        # The scores read the observed-frame continuum channel: the shift
        # head's (random, nonzero) output must not move them.
        bins = (0, 1, 57, 128, 200, 255)
        golden = ((236.03387, 238.77048, 22.473822, 4.420857, 230.48224, 20.097412, 21405.263),
                  (14.977872, 15.520796, 4.6362834, 4.0107841, 14.655688, 5.0593023, 1884.3555))
        torch.manual_seed(7)
        model = tb.SpecModel("math").eval()
        x = torch.zeros(2, 62, 192)
        for b in range(2):
            cont = torch.tensor([4 * math.sin(0.013 * (p * (b + 1)) + 0.5 * b) for p in range(62 * 64)])
            x[b, :, 128:] = cont.float().reshape(62, 64)
        x[:, :, :64] = (torch.arange(2 * 62 * 64) % 7 - 3).float().reshape(2, 62, 64)
        length = model.z_template.shape[1]
        with torch.no_grad():
            model.z_template.copy_(torch.tensor([[0.5 * math.cos(0.07 * (j * (k + 1)) + k) for j in range(length)]
                                                 for k in range(4)]).float())
            model.z_out.weight.zero_()
            model.z_out.bias.zero_()
            out = model(x, torch.zeros(2, 4), recon=False)
        self.assertGreater(out[6].abs().min().item(), 1e-3)  # a shift
        z = out[3]
        for b in range(2):
            got = [z[b, k].item() for k in bins] + [z[b].double().sum().item()]
            for i, (g, want) in enumerate(zip(got, golden[b])):
                self.assertLess(abs(g - want), 1e-4 * max(1, abs(want)), (b, i, g, want))

    def test_pixel_head_feeds_only_the_parameter_head(self):
        # As model.Build: the pixel head reads the continuum channel and
        # is concatenated to the parameter head's input only (the class
        # head sees it through the parameter means alone).
        torch.manual_seed(2)
        model = tb.SpecModel("math").eval()
        self.assertEqual(tuple(model.pixel_head.weight.shape), (128, 62 * 64))
        self.assertEqual(tuple(model.param_hidden.weight.shape), (64, 2 * 64 + 128))
        self.assertEqual(tuple(model.class_hidden.weight.shape), (64, 2 * 64 + 5))
        self.assertEqual(tuple(model.z_hidden.weight.shape), (64, 2 * 64))
        self.assertEqual(tuple(model.shift_hidden.weight.shape), (64, 2 * 64))
        self.assertEqual(tuple(model.shift_out.weight.shape), (1, 64))
        self.assertEqual(tuple(model.star_bins_hidden.weight.shape), (128, 2 * 64 + 128))
        self.assertEqual(tuple(model.star_bins_out.weight.shape), (3 * 256, 128))
        x, feats = torch.randn(3, 62, 192), torch.randn(3, 4)
        with torch.no_grad():
            before = model(x, feats, recon=False)
            model.pixel_head.weight.add_(1)
            after = model(x, feats, recon=False)
        for i in (3, 5, 6):  # redshift logits, embedding, shift
            self.assertTrue(torch.equal(before[i], after[i]), i)
        self.assertFalse(torch.allclose(before[1], after[1]))  # parameter means
        self.assertFalse(torch.allclose(before[0], after[0]))  # class logits, through the means
        self.assertFalse(torch.allclose(before[7], after[7]))  # binned stellar logits

    def test_class_loss_does_not_reach_the_parameter_head(self):
        # ClassFromParams: the class head reads the parameter means
        # detached (model.Build's StopGradient), so the class logits give
        # no gradient to the parameter and pixel heads, only to the class
        # head and what the heads share.
        self.assertTrue(tb.CLASS_FROM_PARAMS)
        torch.manual_seed(3)
        model = tb.SpecModel("math")
        x, feats = torch.randn(4, 62, 192), torch.randn(4, 4)
        logits, mean = model(x, feats, recon=False)[:2]
        self.assertTrue(mean.requires_grad)
        logits.square().sum().backward()
        for name, p in model.named_parameters():
            head = name.split(".")[0]
            if head in ("param_hidden", "param_mean", "param_logsigma", "pixel_head", "shift_hidden", "shift_out",
                        "star_bins_hidden", "star_bins_out", "z_hidden", "z_out", "z_template", "recon"):
                self.assertIsNone(p.grad, name)
            elif head in ("class_hidden", "class_out", "head_flat", "patch_embed"):
                self.assertTrue(p.grad is not None and p.grad.abs().sum() > 0, name)
        # The means do reach the class logits in the forward pass.
        with torch.no_grad():
            model.param_mean.bias.add_(1)
            self.assertFalse(torch.allclose(logits, model(x, feats, recon=False)[0]))

    def test_training_step(self):
        torch.manual_seed(1)
        gen = torch.Generator().manual_seed(1)
        model = tb.SpecModel("math")
        flux, ivar, onehot, cw, y, w, zt, zw, bt, bw, st, sw = tb.bench_batch(gen, 12)
        self.assertEqual(zw.tolist(), [1.0 if i in (9, 10) else 0.0 for i in range(12)])
        # Every spectrum has an RV, N(0, 1) km/s: RV / 69.03 pixels.
        self.assertEqual(sw.tolist(), [1.0] * 12)
        self.assertEqual(st.tolist(), (y[:, tb.PARAM_RV].double() / tb.PIXEL_KMS).float().tolist())
        # Binned stellar targets: log g and [Fe/H] (N(0, 1)) always, Teff
        # (N(0, 1) K) only where positive, clamped to the first bin.
        self.assertEqual(tuple(bt.shape), (12, 3, 256))
        self.assertEqual(bw[:, 0].tolist(), (y[:, 0] > 0).float().tolist())
        self.assertEqual(bw[:, 1:].tolist(), [[1.0, 1.0]] * 12)
        self.assertTrue(torch.all(bt[bw[:, 0] > 0, 0].argmax(-1) == 0))
        self.assertTrue(torch.allclose(bt.sum(-1), bw, atol=1e-5))
        x, feats, target, pw = tb.prepare(flux, ivar)
        mask = tb.mask_tokens(gen, 12)
        out = model(x, feats, mask)
        self.assertEqual([tuple(o.shape) for o in out],
                         [(12, 11), (12, 5), (12, 5), (12, 256), (12, 63, 64), (12, 64), (12,), (12, 3, 256)])
        loss = tb.losses(out, onehot, cw, y, w, zt, zw, bt, bw, target, pw, mask, st, sw)
        # train.lossGraph's weights for small: 1·CE + 1·β-NLL + 0.1·recon + 2·zCE + 1·star-bin CE + 1·shift.
        self.assertEqual((tb.W_CLASS, tb.W_REG, tb.W_RECON, tb.W_Z, tb.W_STAR_BINS, tb.W_SHIFT),
                         (1.0, 1.0, 0.1, 2.0, 1.0, 1.0))
        mw = pw * mask[..., None]
        star = tb.star_bin_loss(out[7], bt, bw)
        self.assertGreater(star.item(), 1)  # about ln 256 at initialisation
        want = (tb.soft_ce(out[0], onehot, cw) + tb.beta_nll(out[1], out[2], y, w, 0.5)
                + 0.1 * (mw * (out[4] - target) ** 2).sum() / mw.sum() + 2 * tb.soft_ce(out[3], zt, zw)
                + star + tb.shift_loss(out[6], st, sw))
        self.assertAlmostEqual(loss.item(), want.item(), places=4)
        loss.backward()
        self.assertTrue(math.isfinite(loss.item()))
        for name, p in model.named_parameters():
            self.assertTrue(p.grad is not None and torch.isfinite(p.grad).all(), name)

    def test_pixel_kms_is_gos_constant(self):
        # model.LAMOSTPixelKmS = c·ln 10·10⁻⁴, rounded once to float64 by
        # Go's constant arithmetic (gobench's TestCountParamsSmall checks
        # the same bits); the float product c * log(10) * 1e-4 is 1 ulp off.
        self.assertEqual(struct.pack(">d", tb.PIXEL_KMS).hex(), "405141e7a9453415")
        self.assertAlmostEqual(tb.PIXEL_KMS, 299792.458 * math.log(10) * 1e-4, places=10)

    def test_rest_frame_reproduces_a_ramp(self):
        # v[i] = i resampled by s reads i + s away from the edges (linear
        # interpolation is exact for a line); a shift beyond 6 is clipped
        # to 6, and outside the spectrum the signal is 0.
        n = 40
        v = torch.arange(n, dtype=torch.float64).expand(5, n)
        s = torch.tensor([0.0, 2.3, -1.75, 9.0, -20.0], dtype=torch.float64)
        out = tb.rest_frame(v, s, 6)
        i = torch.arange(6, n - 6, dtype=torch.float64)
        for r, want in enumerate([0.0, 2.3, -1.75, 6.0, -6.0]):
            err = (out[r, 6:n - 6] - (i + want)).abs().max().item()
            self.assertLess(err, 1e-12, f"shift {s[r].item()}")
        self.assertEqual(out[0].tolist(), v[0].tolist())
        self.assertEqual(out[3, n - 6:].tolist(), [0.0] * 6)  # v(i + 6) beyond the end
        self.assertEqual(out[4, :6].tolist(), [0.0] * 6)  # v(i − 6) before the start
        self.assertAlmostEqual(out[1, n - 3].item(), 0.7 * (n - 1), places=12)  # 0.7 v[n−1] + 0.3·0 past the end

    def test_rest_frame_has_no_gradient_through_the_shift(self):
        # The shift is detached (model/restframe.go's StopGradient): the
        # parameter loss trains the pixel head but not the shift head,
        # which only the shift loss trains.
        s = torch.tensor([1.5], requires_grad=True)
        v = torch.randn(1, 20, requires_grad=True)
        tb.rest_frame(v, s, 6).sum().backward()
        self.assertIsNone(s.grad)
        self.assertIsNotNone(v.grad)
        torch.manual_seed(4)
        model = tb.SpecModel("math")
        x, feats = torch.randn(4, 62, 192), torch.randn(4, 4)
        out = model(x, feats, recon=False)
        out[1].square().sum().backward()  # parameter means
        self.assertIsNone(model.shift_hidden.weight.grad)
        self.assertIsNone(model.shift_out.weight.grad)
        self.assertGreater(model.pixel_head.weight.grad.abs().sum().item(), 0)
        model.zero_grad(set_to_none=True)
        out = model(x, feats, recon=False)
        tb.shift_loss(out[6], torch.ones(4), torch.ones(4)).backward()
        self.assertGreater(model.shift_out.weight.grad.abs().sum().item(), 0)
        self.assertIsNone(model.pixel_head.weight.grad)

    def test_shift_targets(self):
        # model.Config.ShiftTarget of the decoded RV (mean 0, std 1):
        # RV / PIXEL_KMS pixels, weight 1 within ±6 pixels (of the float32 RV) where the RV has
        # a weight; else target 0 and weight 0.
        k = tb.PIXEL_KMS
        rv = [2.5 * k, -5.99 * k, 6.01 * k, float("nan"), 10.0, -100.0]
        y = torch.zeros(len(rv), tb.NUM_PARAMS)
        y[:, tb.PARAM_RV] = torch.tensor(rv)
        w = torch.zeros(len(rv), tb.NUM_PARAMS)
        w[:, tb.PARAM_RV] = torch.tensor([1.0, 1.0, 1.0, 0.0, 0.0, 1.0])
        st, sw = tb.shift_targets(y, w)
        self.assertEqual(sw.tolist(), [1.0, 1.0, 0.0, 0.0, 0.0, 1.0])
        self.assertAlmostEqual(st[0].item(), 2.5, places=5)
        self.assertAlmostEqual(st[1].item(), -5.99, places=5)
        self.assertEqual(st[2:5].tolist(), [0.0, 0.0, 0.0])
        self.assertEqual(st[5].item(), torch.tensor(-100.0 / k, dtype=torch.float32).item())

    def test_shift_loss(self):
        # Huber, δ = 1 pixel: ½a² within a pixel, a − ½ beyond; the target
        # of a weight-0 spectrum (NaN here) is ignored.
        pred = torch.tensor([0.5, 3.0, -1.0, 7.0])
        target = torch.tensor([0.0, 0.0, 0.0, float("nan")])
        weight = torch.tensor([1.0, 1.0, 1.0, 0.0])
        self.assertAlmostEqual(tb.shift_loss(pred, target, weight).item(), (0.125 + 2.5 + 0.5) / 3, places=6)
        self.assertEqual(tb.shift_loss(pred, target, torch.zeros(4)).item(), 0)

    def test_mask_tokens(self):
        m = tb.mask_tokens(torch.Generator().manual_seed(3), 4)
        self.assertEqual(m[:, 0].sum().item(), 0)
        self.assertEqual(m.sum(1).tolist(), [6.0] * 4)  # round(0.1 × 62)


if __name__ == "__main__":
    unittest.main()
