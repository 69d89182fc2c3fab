#!/usr/bin/python3
"""PyTorch (CPU) replica of AstroOne's `small` spectrum model, for the
side-by-side speed benchmark of bench/torch/run.sh.

The architecture, inputs, losses and optimiser follow model/ and train/ of
the Go project (model.ConfigByName("small"): 64-pixel patches at stride 64,
d = 64, 3 blocks, FlatHead, PixelHead = 128, ClassFromParams,
ContinuumChannel, ZBins = 256, StarBins = 256, NLLBeta = 0.5, WZ = 2,
WStarBins = 1, RestFrameShift = 6, WShift = 1, ZTemplates = 4,
ZTemplateBin = 16; 1,082,034 parameters, of which 4 x 711 = 2,844 are the
redshift templates: 1,079,190 without them, Z_TEMPLATES = 0 or
--z-templates 0, as a Go config with ZTemplates = 0):

* input preparation (model.Prepare, in float64 as the Go code): per
  spectrum, pixels with a finite flux and ivar > 0 are good; median m and
  robust scale s = 1.4826 MAD of the good fluxes (the standard deviation
  when the MAD is 0, else 1); z = (f - m)/s clipped to +-20 (0 at bad
  pixels); noise channel ln(1 + s sqrt(ivar))/4; continuum channel
  10 (f - c)/max(|c|, s/2) clipped to +-20 (0 at bad pixels), c the
  pseudo-continuum of model/continuum.go (blocks of 96 pixels with at
  least a quarter of them good: a least-squares line through the good
  pixels, refitted through those on or above its median residual, the
  level at the refitted pixels' mean position; a running median of three
  blocks; linear interpolation between block centres, constant beyond;
  the median m without any usable block); 3908 pixels padded to 62
  non-overlapping patches of 64, each token = 64 z values, 64 noise
  values, 64 continuum values (192); summary features asinh(m/s),
  log10(s)/3, log10(1 + median |f| sqrt(ivar)), good fraction;
  reconstruction target z and weight 1/(1/(s^2 ivar) + 0.01);
* embedding: Linear(192->64) per patch, Linear(4->64) for the feature
  token at position 0 (63 tokens), masked tokens replaced by a learned
  vector, learned positions (63x64, N(0, 0.02^2));
* 3 pre-LN blocks (LayerNorm eps 1e-3, 2 heads of 32, one 1/sqrt(32)
  scaling, MLP 64->128->64 with tanh-GELU), final LayerNorm; embedding =
  mean over all 63 tokens;
* head input (FlatHead): [embedding, Linear(63*64->64) of the flattened
  token states] (128 values);
* rest-frame shift head (RestFrameShift, built with the pixel head and
  before it, model/restframe.go's shiftHead): Linear(128->64) of the head
  input, GELU, Linear(64->1): the Doppler shift of a star's lines in
  pixels, [B];
* pixel head (PixelHead, parameter head only): the continuum-relative
  channel of x (values 128..191 of each token) flattened to 62*64 = 3968
  values, resampled to the rest frame of the predicted shift
  (model/restframe.go's restFrame: zero-padded by 6 pixels on both sides,
  the shift detached and clipped to +-6, out[i] = sum over j = -6..6 of
  max(0, 1 - |s - j|) v[i + j], linear interpolation v(i + s)), then
  Linear(3968->128) and GELU, appended to the head input:
  [embedding, flat, pixel] (256 values);
* heads, in model.Build's order: parameters 256->64 GELU -> mean (5) and
  log sigma = 7 tanh(raw/7) (5); binned stellar heads (StarBins, after
  the parameter head and before the redshift head; model/zbins.go) on
  the parameter head's input, 256->128 GELU ->768 logits reshaped to
  [B, 3, 256]: Teff, log g and [Fe/H] (model.StarBinParams), each over 256
  equal bins of log10 Teff in [3.35, 4.75], log g in [-0.5, 6] and
  [Fe/H] in [-4.5, 1] (model.Config.StarBinnings); redshift 128->64
  GELU ->256 logits over equal bins of ln(1+z) in [0, ln 5.5], plus
  (ZTemplates) the learned-template correlation of model/ztemplate.go;
  class (ClassFromParams) reading
  [head input, parameter means without gradient (detach, GoMLX's
  StopGradient)], 133->64 GELU ->11, so the class loss does not train the
  parameter head; reconstruction Linear(64->64) per token;
* redshift templates (ZTemplates = 4, ZTemplateBin = 16; model.Build's
  zTemplateScores, its variable created right after z_out in scope
  z_template): the observed-frame continuum channel (the 3968 values the
  pixel head reads, before the rest-frame shift), zero-padded to M Q
  pixels and averaged over each Q = 16 of them (M = ceil(3968/16) = 248
  coarse pixels), correlated with K = 4 learned templates [4, 711],
  N(0, 0.01^2), at L = ceil(ln 5.5 / du) + 1 = 464 lags of
  du = 16 x 69.03 km/s / c in ln(1+z) (template length M + L - 1 = 711):
  score_k(l) = sum_m x(m) T_k(m - l + L - 1), a matmul with the Toeplitz
  matrix gathered from the flat templates (indices precomputed); the
  templates combined by a log-sum-exp over k with the maximum detached
  (none for K = 1); the lags mapped to the 256 bins by the constant
  [L, 256] overlap matrix (model.lagsToZBins: each bin averages the lags
  whose cells [l - 1/2, l + 1/2] du overlap it, weighted by overlap / bin
  width); the result [B, 256] added to the redshift logits;
* losses (train.lossGraph, fine-tuning): CE + beta-NLL (beta 0.5: the
  Gaussian NLL of each target weighted by sigma^(2 beta), the weight held
  constant for the gradients) + 0.1 x masked, weighted reconstruction MSE
  (10% of the tokens masked in spans of 2) + 2 x redshift-bin CE against a
  Gaussian of 1 bin around ln(1+z) (model.ZTarget), on spectra with a z
  + 1 x binned stellar CE (model.StarBinLoss: the cross-entropy of each
  (spectrum, parameter) pair against model.Binning.Target, a Gaussian of
  1 bin around the parameter's bin-scale value clamped to the range, cut
  at 6 sigma and normalised, averaged over the pairs whose parameter has
  a weight and a defined value, as train.prepareBatch)
  + 1 x shift loss (model.ShiftLoss: Huber with delta 1 pixel, 1/2 a^2 up
  to a = 1 and a - 1/2 beyond, against RV / 69.03 km/s (c ln10 1e-4, one
  pixel of the log10 grid; model.Config.ShiftTarget), on spectra with an
  RV within +-6 pixels, as train.prepareBatch);
* AdamW (lr 2e-3, betas 0.9/0.999, eps 1e-7, weight decay 0.01 on every
  parameter, as GoMLX's Adam.WeightDecay), global-norm clipping at 1;
* batch 32, float32; weights N(0, 1/fan_in), biases 0.

Inference follows model.Predictor: preparation, the model in chunks of 64
(class, parameter, redshift and binned stellar heads), softmaxes (the
stellar bins' too, as Predictor's graph), the redshift and Teff, log g,
[Fe/H] decoded from their bins (model.DecodeZ, model.Binning.Decode),
results to numpy.

Prints one JSON object on standard output (progress on standard error).
"""

import argparse
import decimal
import json
import math
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

PIXELS, PATCH, DIM, LAYERS, HEADS, MLP_RATIO = 3908, 64, 64, 3, 2, 2
CHANNELS = 3  # z-scored flux, noise, continuum-relative flux (Config.Channels)
TOKEN_WIDTH = CHANNELS * PATCH  # Config.TokenWidth(): 192
NUM_FEATURES, NUM_CLASSES, NUM_PARAMS = 4, 11, 5
PARAM_TEFF, PARAM_LOGG, PARAM_FEH, PARAM_RV, PARAM_Z = 0, 1, 2, 3, 4  # dataset.Param*
REDSHIFT_CLASSES = (9, 10)  # QSO, GALAXY: the classes whose spectra carry a z
TOKENS = (PIXELS - PATCH + PATCH - 1) // PATCH + 1  # model.Config.Tokens(): 62
FLAT_HEAD = True
PIXEL_HEAD = 128  # Config.PixelHead: width of the parameter head's pixel layer (0 = none)
Z_BINS, Z_MAX, Z_TARGET_SIGMA_BINS = 256, 4.5, 1.0
# Config.StarBins and Config.WStarBins: binned Teff, log g and [Fe/H]
# heads (0 = none), in model.StarBinParams order, with the layouts of
# model.Config.StarBinnings: (Lo, Hi, transform) of u = T(p).
STAR_BINS, W_STAR_BINS = 256, 1.0
STAR_BIN_PARAMS = (PARAM_TEFF, PARAM_LOGG, PARAM_FEH)
STAR_BINNINGS = ((3.35, 4.75, "log10"), (-0.5, 6.0, "linear"), (-4.5, 1.0, "linear"))
BIN_TARGET_SIGMA = 1.0  # model.binTargetSigma, in bins
LN_EPS = 1e-3
LR, WEIGHT_DECAY, CLIP, ADAM_EPS = 2e-3, 0.01, 1.0, 1e-7
W_CLASS, W_REG, W_RECON, W_Z, NLL_BETA = 1.0, 1.0, 0.1, 2.0, 0.5
# Config.RestFrameShift (largest shift in pixels; 0 = no shift head) and
# Config.WShift; Config.Bin.
REST_FRAME_SHIFT, W_SHIFT, BIN = 6, 1.0, 1


def _pixel_kms():
    """model.LAMOSTPixelKmS, c ln10 1e-4 km/s, rounded once to float64 as
    Go's constant arithmetic does (a float product would be 1 ulp off)."""
    with decimal.localcontext() as ctx:
        ctx.prec = 60
        return float(decimal.Decimal("299792.458") * decimal.Decimal(10).ln() / 10000)


PIXEL_KMS = _pixel_kms()  # Config.PixelKmS: 69.0297644782843...
SPEED_OF_LIGHT_KMS = 299792.458  # model.SpeedOfLightKmS
# Config.ZTemplates (learned rest-frame redshift templates; 0 = none) and
# Config.ZTemplateBin (binned pixels averaged into one coarse pixel of the
# correlation): model/ztemplate.go.
Z_TEMPLATES, Z_TEMPLATE_BIN = 4, 16
CLASS_FROM_PARAMS = True  # Config.ClassFromParams: the class head also reads the parameter means
MASK_RATIO, MASK_SPAN = 0.1, 2
# model/continuum.go: block width in pixels, gain, denominator floor (× s).
CONT_BLOCK, CONT_GAIN, CONT_FLOOR_FRAC, Z_CLIP = 96, 10.0, 0.5, 20.0


def masked_median(v, good, ngood):
    """Median over the good values of each row (the mean of the middle
    two for an even count, as model.Prepare), [B, 1]; 0 without any."""
    s, _ = torch.sort(torch.where(good, v, torch.full_like(v, float("inf"))), dim=1)
    n = ngood.clamp(min=1)[:, None]
    lo = torch.gather(s, 1, (n - 1) // 2)
    hi = torch.gather(s, 1, n // 2)
    return torch.where(ngood[:, None] > 0, (lo + hi) / 2, torch.zeros_like(lo))


def _fit_lines(f, x, sel):
    """model.fitLine for every block at once: least-squares lines
    f = a + b (x - jc) through the selected pixels of each block (f, x, sel
    [..., block]); returns jc, a, b [...] (NaN where nothing is selected;
    b = 0 when the positions have no spread)."""
    s = sel.to(f.dtype)
    sw = s.sum(-1)
    sj, sf = (s * x).sum(-1), (s * f).sum(-1)
    sjj, sjf = (s * x * x).sum(-1), (s * x * f).sum(-1)
    jc, a = sj / sw, sf / sw
    v = sjj / sw - jc * jc
    b = torch.where(v > 1e-9, (sjf / sw - jc * a) / v, torch.zeros_like(v))
    return jc, a, b


def pseudo_continuum(f, w, fallback, block=CONT_BLOCK):
    """model.pseudoContinuum for a batch: f, w [B, n] float64 (w <= 0 marks
    bad pixels, whose f must be finite), fallback [B]; returns c [B, n]."""
    b, n = f.shape
    nb = (n + block - 1) // block
    pad = nb * block - n
    fb = F.pad(f, (0, pad)).view(b, nb, block)
    g = F.pad((w > 0).to(f.dtype), (0, pad)).view(b, nb, block) > 0
    x = torch.arange(nb * block, dtype=f.dtype).view(nb, block)
    length = (n - torch.arange(nb) * block).clamp(max=block)
    need = torch.clamp(length // 4, min=2)
    cnt = g.sum(-1)
    valid = cnt >= need  # [B, nb]
    # A line through all good pixels, then one through those on or above
    # the median residual (rank cnt/2 of the good residuals, as
    # fastmath.Select), with the residuals computed in Go's order.
    jc, a, slope = _fit_lines(fb, x, g)
    r1 = fb - a[..., None] - slope[..., None] * (x - jc[..., None])
    r1 = torch.where(g, r1, torch.full_like(r1, float("inf")))
    cut = torch.gather(torch.sort(r1, -1)[0], -1, (cnt // 2).clamp(max=block - 1)[..., None])
    c0 = a - slope * jc
    r2 = fb - c0[..., None] - slope[..., None] * x
    jc, level, _ = _fit_lines(fb, x, g & (r2 >= cut))
    # The usable blocks of each spectrum, in order, at its front.
    idx = torch.arange(nb).expand(b, nb)
    order = torch.argsort(torch.where(valid, idx, idx + nb), dim=1)
    nvalid = valid.sum(1)
    front = idx < nvalid[:, None]
    lv = torch.where(front, torch.gather(level, 1, order), torch.zeros(()).to(f.dtype))
    cv = torch.where(front, torch.gather(jc, 1, order), torch.full((), float("inf"), dtype=f.dtype))
    # Running median of three between the first and the last block.
    prev = F.pad(lv[:, :-1], (1, 0))
    nxt = F.pad(lv[:, 1:], (0, 1))
    med3 = torch.maximum(torch.minimum(prev, lv), torch.minimum(torch.maximum(prev, lv), nxt))
    sm = torch.where((idx >= 1) & (idx + 1 < nvalid[:, None]), med3, lv)
    # Linear interpolation between centres, constant beyond.
    xs = torch.arange(n, dtype=f.dtype).expand(b, n).contiguous()
    k = torch.searchsorted(cv.contiguous(), xs, right=True) - 1
    k0, k1 = k.clamp(0, nb - 1), (k + 1).clamp(0, nb - 1)
    c_k0, c_k1 = torch.gather(cv, 1, k0), torch.gather(cv, 1, k1)
    s_k0, s_k1 = torch.gather(sm, 1, k0), torch.gather(sm, 1, k1)
    t = (xs - c_k0) / (c_k1 - c_k0)
    last = torch.gather(sm, 1, (nvalid - 1).clamp(min=0)[:, None])
    c = torch.where(k + 1 >= nvalid[:, None], last, s_k0 + t * (s_k1 - s_k0))
    c = torch.where(xs <= cv[:, :1], sm[:, :1], c)
    return torch.where(nvalid[:, None] > 0, c, fallback[:, None].to(f.dtype).expand(b, n))


def prepare(flux, ivar):
    """model.Prepare for Bin = 1 with the continuum channel: returns x
    [B, T, 3P], feats [B, 4], target and pixel weights [B, T+1, P], all
    float32 (computed in float64, as the Go code)."""
    flux, ivar = flux.double(), ivar.double()
    b = flux.shape[0]
    good = torch.isfinite(flux) & torch.isfinite(ivar) & (ivar > 0)
    ivar = torch.where(good, ivar, torch.zeros_like(ivar))
    flux = torch.where(good, flux, torch.zeros_like(flux))  # binSpectrum: 0 at bad pixels
    ngood = good.sum(1)
    fl = torch.where(good, flux, torch.full_like(flux, float("nan")))
    med = masked_median(flux, good, ngood)
    mad = masked_median((flux - med).abs(), good, ngood)
    scale = 1.4826 * mad
    std = torch.sqrt(torch.clamp(torch.nanmean(fl * fl, 1, keepdim=True) - torch.nanmean(fl, 1, keepdim=True) ** 2, min=0))
    scale = torch.where(scale > 1e-30, scale, std)
    scale = torch.where(scale > 1e-30, scale, torch.ones_like(scale))
    snr = masked_median(flux.abs() * ivar.sqrt(), good, ngood)[:, 0]
    z = torch.where(good, ((flux - med) / scale).clamp(-Z_CLIP, Z_CLIP), torch.zeros_like(flux))
    snr_pix = scale * ivar.sqrt()
    noise = torch.log1p(snr_pix) / 4
    cont = pseudo_continuum(flux, ivar, med[:, 0])
    rel = CONT_GAIN * (flux - cont) / torch.maximum(cont.abs(), CONT_FLOOR_FRAC * scale)
    rel = torch.where(good, rel.clamp(-Z_CLIP, Z_CLIP), torch.zeros_like(flux))
    pw = torch.where(good, 1 / (1 / (snr_pix * snr_pix) + 0.01), torch.zeros_like(flux))
    pad = TOKENS * PATCH - PIXELS
    z = F.pad(z, (0, pad)).view(b, TOKENS, PATCH)
    noise = F.pad(noise, (0, pad)).view(b, TOKENS, PATCH)
    rel = F.pad(rel, (0, pad)).view(b, TOKENS, PATCH)
    pw = F.pad(pw, (PATCH, pad)).view(b, TOKENS + 1, PATCH)
    target = F.pad(z, (0, 0, 1, 0))
    x = torch.cat([z, noise, rel], dim=2)
    feats = torch.stack([torch.asinh(med[:, 0] / scale[:, 0]), torch.log10(scale[:, 0]) / 3,
                         torch.log10(1 + snr), ngood.double() / PIXELS], dim=1)
    feats = torch.where((ngood > 0)[:, None], feats, torch.zeros_like(feats))
    return x.float(), feats.float(), target.float(), pw.float()


def z_bin_width():
    return math.log1p(Z_MAX) / Z_BINS


def z_target(z):
    """model.ZTarget for a batch of redshifts [B] (NaN = none): targets
    [B, Z_BINS] (a Gaussian of 1 bin in ln(1+z) around z clamped to
    [0, Z_MAX], cut at 6 sigma, summing to 1; 0 for NaN) and weights [B]."""
    z = z.double()
    ok = torch.isfinite(z)
    u = torch.log1p(torch.where(ok, z, torch.zeros_like(z)).clamp(0, Z_MAX)) / z_bin_width()
    lo = torch.clamp((u - 6 * Z_TARGET_SIGMA_BINS).trunc(), min=0)
    hi = torch.clamp((u + 6 * Z_TARGET_SIGMA_BINS).trunc(), max=Z_BINS - 1)
    k = torch.arange(Z_BINS, dtype=torch.float64)
    d = (k + 0.5 - u[:, None]) / Z_TARGET_SIGMA_BINS
    e = torch.where((k >= lo[:, None]) & (k <= hi[:, None]), torch.exp(-0.5 * d * d), torch.zeros_like(d))
    t = e / e.sum(1, keepdim=True)
    return torch.where(ok[:, None], t, torch.zeros_like(t)).float(), ok.float()


def bin_forward(p, transform):
    """model.Transform.forward: the bin scale u = T(p) of values p (float64),
    NaN where undefined (log10 of p <= 0)."""
    if transform == "log10":
        return torch.where(p > 0, torch.log10(p), torch.full_like(p, float("nan")))
    if transform == "log1p":
        return torch.log1p(p)
    return p


def bin_inverse(u, transform):
    """model.Transform.inverse: p = T^-1(u) and dp/du."""
    if transform == "log10":
        p = torch.pow(10.0, u)
        return p, p * math.log(10)
    if transform == "log1p":
        p = torch.expm1(u)
        return p, 1 + p
    return u, torch.ones_like(u)


def bin_target(u, lo, hi, n):
    """model.Binning.Target on the bin scale, for values u [...] (float64;
    NaN or infinite = undefined): targets [..., n], a Gaussian of
    BIN_TARGET_SIGMA bins centred on u clamped to [lo, hi], over the bins
    int(x - 6 sigma) .. int(x + 6 sigma) (x = (u - lo)/width, clipped to
    0 .. n - 1), normalised to sum 1 (0 where undefined), and whether
    each is defined [...] (bool)."""
    ok = torch.isfinite(u)
    width = (hi - lo) / n
    x = (torch.where(ok, u, torch.full_like(u, lo)).clamp(lo, hi) - lo) / width
    klo = torch.clamp((x - 6 * BIN_TARGET_SIGMA).trunc(), min=0)
    khi = torch.clamp((x + 6 * BIN_TARGET_SIGMA).trunc(), max=n - 1)
    k = torch.arange(n, dtype=torch.float64)
    d = (k + 0.5 - x[..., None]) / BIN_TARGET_SIGMA
    e = torch.where((k >= klo[..., None]) & (k <= khi[..., None]), torch.exp(-0.5 * d * d), torch.zeros_like(d))
    t = e / e.sum(-1, keepdim=True)
    return torch.where(ok[..., None], t, torch.zeros_like(t)), ok


def star_targets(y, w):
    """train.prepareBatch's targets of the binned stellar heads for
    standardised targets y and weights w [B, NUM_PARAMS] decoded with
    mean 0 and std 1 (the benchmark's Normalizer, so a parameter is y
    itself): for Teff, log g and [Fe/H] (STAR_BIN_PARAMS) with a weight
    > 0, model.Binning.Target of the value in STAR_BINNINGS' layout;
    returns targets [B, 3, STAR_BINS] (float32, 0 where undefined) and
    weights [B, 3] (1 where the parameter has a weight and a defined
    bin-scale value)."""
    ts, ws = [], []
    for k, (lo, hi, transform) in zip(STAR_BIN_PARAMS, STAR_BINNINGS):
        has = w[:, k] > 0
        p = torch.where(has, y[:, k], torch.zeros_like(y[:, k])).double()
        t, ok = bin_target(bin_forward(p, transform), lo, hi, STAR_BINS)
        ok = ok & has
        ts.append(torch.where(ok[:, None], t, torch.zeros_like(t)))
        ws.append(ok)
    return torch.stack(ts, 1).float(), torch.stack(ws, 1).float()


def decode_bins(p, lo, hi, transform):
    """model.Binning.Decode along the last axis of bin probabilities
    p [..., N]: the value at the probability-weighted mean of u over the
    most probable bin and its two neighbours on each side, its sigma
    (|dp/du| times the spread of u about it plus a bin's quantisation
    variance) and the mass of those five bins (NaN, NaN, 0 without
    probability there)."""
    p = p.double()
    n = p.shape[-1]
    w = (hi - lo) / n
    best = p.argmax(-1, keepdim=True)
    k = torch.arange(n)
    win = (k >= best - 2) & (k <= best + 2)
    uk = (k.double() + 0.5) * w
    sp = torch.where(win, p, torch.zeros_like(p)).sum(-1)
    x = torch.where(win, p * uk, torch.zeros_like(p)).sum(-1) / sp
    total = p.sum(-1)
    su = torch.sqrt((p * (uk - x[..., None]) ** 2).sum(-1) / total + w * w / 12)
    value, dpdu = bin_inverse(lo + x, transform)
    good = sp > 0
    nan = torch.full_like(value, float("nan"))
    return (torch.where(good, value, nan), torch.where(good, dpdu.abs() * su, nan),
            torch.where(good, sp / total, torch.zeros_like(sp)))


def decode_z(p):
    """model.DecodeZ for a batch of bin probabilities [B, Z_BINS]: z,
    sigma and the mass of the five bins around the most probable one."""
    return decode_bins(p, 0.0, math.log1p(Z_MAX), "log1p")


def decode_stars(p):
    """model.Predictor.fill's decoding of the binned stellar heads'
    probabilities [B, 3, STAR_BINS]: Teff, log g and [Fe/H] [B, 3], their
    sigma [B, 3] (model.Binning.Decode in STAR_BINNINGS' layouts)."""
    vals, sigmas = [], []
    for j, (lo, hi, transform) in enumerate(STAR_BINNINGS):
        v, s, _ = decode_bins(p[:, j], lo, hi, transform)
        vals.append(v)
        sigmas.append(s)
    return torch.stack(vals, 1), torch.stack(sigmas, 1)


def gelu(x):
    return F.gelu(x, approximate="tanh")


def rest_frame(v, s, max_shift):
    """model/restframe.go's restFrame: v [B, N] resampled to the rest
    frame of a shift of s [B] pixels, out[i] = v(i + s) by linear
    interpolation between whole-pixel shifts (0 outside the spectrum), s
    detached (no gradient, as GoMLX's StopGradient) and clipped to
    +-max_shift."""
    n = v.shape[1]
    k = max_shift
    padded = F.pad(v, (k, k))  # [B, N + 2k], zeros on both sides
    s = s.detach().clamp(-k, k)[:, None]
    out = None
    for j in range(-k, k + 1):
        # Weight of the whole-pixel shift j: the triangle max(0, 1 - |s - j|).
        w = torch.clamp(1 - (s - j).abs(), min=0)
        term = w * padded[:, k + j:k + j + n]
        out = term if out is None else out + term
    return out


def shift_targets(y, w):
    """train.prepareBatch's shift targets for standardised targets y and
    weights w [B, NUM_PARAMS] decoded with mean 0 and std 1 (the
    benchmark's Normalizer, so the RV is y itself, km/s): RV / (PIXEL_KMS
    BIN) pixels (model.Config.ShiftTarget, in float64 and then float32)
    with weight 1 where the RV has a weight and is within
    +-REST_FRAME_SHIFT pixels, else target 0 and weight 0."""
    rv = torch.where(w[:, PARAM_RV] > 0, y[:, PARAM_RV], torch.zeros_like(y[:, PARAM_RV])).double()
    s = rv / (PIXEL_KMS * BIN)
    ok = (w[:, PARAM_RV] > 0) & torch.isfinite(s) & (s.abs() <= REST_FRAME_SHIFT)
    return torch.where(ok, s, torch.zeros_like(s)).float(), ok.float()


def shift_loss(pred, target, weight):
    """model.ShiftLoss: the weighted mean Huber loss (delta 1 pixel),
    computed as Go: q = min(a, 1), 1/2 q^2 + (a - q)."""
    target = torch.where(weight > 0, target, torch.zeros_like(target))
    a = (pred - target).abs()
    q = torch.clamp(a, max=1)
    huber = 0.5 * q * q + a - q
    return (huber * weight).sum() / weight.sum().clamp(min=1)


def z_template_layout(n, q=Z_TEMPLATE_BIN, bin_=BIN, pixel_kms=PIXEL_KMS, z_max=Z_MAX):
    """model.Config.zTemplateLayout for spectra of n binned pixels:
    (coarse pixels M = ceil(n/q), lags L, the ln(1+z) step du of one lag,
    template length M + L - 1), du = q BIN PIXEL_KMS / c in Go's order of
    operations. small: (248, 464, 0.00368..., 711)."""
    m = (n + q - 1) // q
    du = float(q) * (pixel_kms * float(bin_)) / SPEED_OF_LIGHT_KMS
    lags = int(math.ceil(math.log1p(z_max) / du)) + 1
    return m, lags, du, m + lags - 1


def lags_to_z_bins(lags, du, z_bins=Z_BINS, z_max=Z_MAX):
    """model.lagsToZBins: the [L, z_bins] float32 map from the lags to the
    redshift bins (equal bins of ln(1+z) from 0 to ln(1+z_max)): each bin
    averages the lags whose cells [l - 1/2, l + 1/2] du overlap it, weighted
    by the overlap over the bin width (computed in float64, as Go)."""
    p = torch.zeros(lags, z_bins, dtype=torch.float64)
    w = math.log1p(z_max) / z_bins  # model.Config.zBinWidth
    for b in range(z_bins):
        lo, hi = b * w, (b + 1) * w
        l = max(0, int(math.floor(lo / du - 0.5)))
        while l < lags and (l - 0.5) * du < hi:
            overlap = min(hi, (l + 0.5) * du) - max(lo, (l - 0.5) * du)
            if overlap > 0:
                p[l, b] = overlap / w
            l += 1
    return p.float()


def toeplitz_index(m, k, lags, length):
    """The gather indices of model.templateCorrelation's Toeplitz matrix,
    [M, K L] into the flat [K length] templates: row m, column t L + l
    reads template t at m - l + L - 1."""
    mm = torch.arange(m)[:, None, None]
    t = torch.arange(k)[None, :, None]
    l = torch.arange(lags)[None, None, :]
    return (t * length + mm - l + lags - 1).reshape(m, k * lags)


def template_lag_scores(cont, templates, q, index):
    """model.templateCorrelation up to the lag-to-bin map: cont [B, N]
    zero-padded to M q pixels and averaged over each q of them (x [B, M]),
    correlated with the K templates [K, length] through the Toeplitz matrix
    gathered by index (toeplitz_index) -- score_k(l) = sum_m x(m)
    T_k(m - l + L - 1) -- and the templates combined by a log-sum-exp over
    k with the maximum detached (GoMLX's StopGradient; K = 1: the score
    itself): [B, L]."""
    b, n = cont.shape
    k = templates.shape[0]
    m = index.shape[0]
    lags = index.shape[1] // k
    if m * q > n:
        cont = F.pad(cont, (0, m * q - n))
    x = cont.reshape(b, m, q).mean(-1)
    toeplitz = templates.reshape(-1)[index]  # [M, K L]
    score = (x @ toeplitz).reshape(b, k, lags)
    if k == 1:
        return score.reshape(b, lags)
    top = score.max(1).values.detach()  # [B, L]
    return torch.log(torch.exp(score - top[:, None]).sum(1)) + top


class Block(nn.Module):
    def __init__(self, attn):
        super().__init__()
        self.ln_attn = nn.LayerNorm(DIM, eps=LN_EPS)
        self.qkv = nn.Linear(DIM, 3 * DIM)  # query, key, value: 3 x (64x64 + 64), as three Dense layers
        self.out = nn.Linear(DIM, DIM)
        self.ln_mlp = nn.LayerNorm(DIM, eps=LN_EPS)
        self.mlp_in = nn.Linear(DIM, MLP_RATIO * DIM)
        self.mlp_out = nn.Linear(MLP_RATIO * DIM, DIM)
        self.attn = attn

    def forward(self, h):
        b, t, d = h.shape
        hd = d // HEADS
        q, k, v = self.qkv(self.ln_attn(h)).view(b, t, 3, HEADS, hd).permute(2, 0, 3, 1, 4)
        if self.attn == "sdpa" and hasattr(F, "scaled_dot_product_attention"):
            o = F.scaled_dot_product_attention(q, k, v)
        else:
            o = torch.softmax((q / math.sqrt(hd)) @ k.transpose(-1, -2), -1) @ v
        h = h + self.out(o.transpose(1, 2).reshape(b, t, d))
        return h + self.mlp_out(gelu(self.mlp_in(self.ln_mlp(h))))


class SpecModel(nn.Module):
    def __init__(self, attn, z_templates=None):
        """attn: "sdpa" or "math"; z_templates: Config.ZTemplates
        (None: Z_TEMPLATES; 0: no template correlation)."""
        super().__init__()
        self.patch_embed = nn.Linear(TOKEN_WIDTH, DIM)
        self.feat_embed = nn.Linear(NUM_FEATURES, DIM)
        self.mask_token = nn.Parameter(torch.randn(DIM) * 0.02)
        self.positions = nn.Parameter(torch.randn(TOKENS + 1, DIM) * 0.02)
        self.blocks = nn.ModuleList([Block(attn) for _ in range(LAYERS)])
        self.ln_final = nn.LayerNorm(DIM, eps=LN_EPS)
        head_in = DIM
        if FLAT_HEAD:
            self.head_flat = nn.Linear((TOKENS + 1) * DIM, DIM)
            head_in = 2 * DIM
        param_in = head_in
        self.rest_frame_shift = REST_FRAME_SHIFT if PIXEL_HEAD > 0 else 0
        if PIXEL_HEAD > 0:
            if self.rest_frame_shift > 0:
                # model.Build's scope order: shift_head/shift_hidden,
                # shift_head/shift_out, then pixel_head.
                self.shift_hidden = nn.Linear(head_in, DIM)
                self.shift_out = nn.Linear(DIM, 1)
            self.pixel_head = nn.Linear(TOKENS * PATCH, PIXEL_HEAD)
            param_in = head_in + PIXEL_HEAD
        # Heads in model.Build's order: parameters, binned stellar heads,
        # redshift, class.
        self.param_hidden = nn.Linear(param_in, DIM)
        self.param_mean = nn.Linear(DIM, NUM_PARAMS)
        self.param_logsigma = nn.Linear(DIM, NUM_PARAMS)
        if STAR_BINS > 0:
            # model.Build's star_bins_hidden, star_bins_out: from the
            # parameter head's input, 2d wide.
            self.star_bins_hidden = nn.Linear(param_in, 2 * DIM)
            self.star_bins_out = nn.Linear(2 * DIM, len(STAR_BIN_PARAMS) * STAR_BINS)
        self.z_hidden = nn.Linear(head_in, DIM)
        self.z_out = nn.Linear(DIM, Z_BINS)
        self.z_templates = Z_TEMPLATES if z_templates is None else z_templates
        if self.z_templates > 0:
            # model.zTemplateScores: the templates [K, length] (scope
            # z_template, created right after z_out), N(0, 0.01^2); the
            # gather indices and the lag-to-bin map are constants.
            m, lags, du, length = z_template_layout(TOKENS * PATCH)
            self.z_template = nn.Parameter(torch.randn(self.z_templates, length) * 0.01)
            self.register_buffer("z_template_index", toeplitz_index(m, self.z_templates, lags, length), persistent=False)
            self.register_buffer("z_template_bins", lags_to_z_bins(lags, du), persistent=False)
        self.class_hidden = nn.Linear(head_in + (NUM_PARAMS if CLASS_FROM_PARAMS else 0), DIM)
        self.class_out = nn.Linear(DIM, NUM_CLASSES)
        self.recon = nn.Linear(DIM, PATCH)
        for m in self.modules():  # model.fanInInitializer
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0, 1 / math.sqrt(m.in_features))
                nn.init.zeros_(m.bias)

    def forward(self, x, feats, mask=None, recon=True):
        """Returns class logits, parameter means, log sigma, redshift-bin
        logits, the reconstruction (None without recon), the embedding,
        the predicted rest-frame shift in pixels [B] (None without a shift
        head) and the binned stellar heads' logits [B, 3, STAR_BINS]
        (None without them)."""
        h = torch.cat([self.feat_embed(feats)[:, None], self.patch_embed(x)], 1)
        if mask is not None:
            m = mask[..., None]
            h = h * (1 - m) + m * self.mask_token
        h = h + self.positions
        for blk in self.blocks:
            h = blk(h)
        h = self.ln_final(h)
        emb = h.mean(1)
        head_in = emb
        if FLAT_HEAD:
            head_in = torch.cat([emb, self.head_flat(h.reshape(h.shape[0], -1))], -1)
        param_in = head_in
        shift = None
        # The continuum channel of every token, observed frame, [B, T P].
        obs = x[:, :, 2 * PATCH:3 * PATCH].reshape(x.shape[0], TOKENS * PATCH)
        if PIXEL_HEAD > 0:
            # model.Build's pixel head: the continuum channel in the rest
            # frame of the shift head's prediction.
            cont = obs
            if self.rest_frame_shift > 0:
                shift = self.shift_out(gelu(self.shift_hidden(head_in))).reshape(x.shape[0])
                cont = rest_frame(cont, shift, self.rest_frame_shift)
            param_in = torch.cat([head_in, gelu(self.pixel_head(cont))], -1)
        r = gelu(self.param_hidden(param_in))
        mean = self.param_mean(r)
        log_sigma = 7 * torch.tanh(self.param_logsigma(r) / 7)
        star_logits = None
        if STAR_BINS > 0:
            sl = self.star_bins_out(gelu(self.star_bins_hidden(param_in)))
            star_logits = sl.reshape(sl.shape[0], len(STAR_BIN_PARAMS), STAR_BINS)
        z_logits = self.z_out(gelu(self.z_hidden(head_in)))
        if self.z_templates > 0:
            # model.zTemplateScores of the observed-frame continuum channel,
            # added to the redshift logits.
            z_logits = z_logits + self.z_template_scores(obs)
        class_in = head_in
        if CLASS_FROM_PARAMS:
            # The parameter means without gradient (model.Build's
            # StopGradient): the class loss must not train the parameter head.
            class_in = torch.cat([head_in, mean.detach()], -1)
        logits = self.class_out(gelu(self.class_hidden(class_in)))
        rec = self.recon(h) if recon else None
        return logits, mean, log_sigma, z_logits, rec, emb, shift, star_logits

    def z_template_scores(self, cont):
        """model.zTemplateScores: [B, T P] -> [B, Z_BINS]."""
        s = template_lag_scores(cont, self.z_template, Z_TEMPLATE_BIN, self.z_template_index)
        return s @ self.z_template_bins


def soft_ce(logits, target, weight):
    """model.ClassLoss / ZBinLoss / StarBinLoss: Σ w CE / max(Σ w, 1), the
    cross-entropy over the last axis of logits and target, weight of the
    shape of the other axes ([B] or [B, 3])."""
    ce = -(target * torch.log_softmax(logits, -1)).sum(-1)
    return (ce * weight).sum() / weight.sum().clamp(min=1)


def star_bin_loss(logits, target, weight):
    """model.StarBinLoss: the mean cross-entropy of the binned stellar
    heads' logits [B, 3, N] against targets [B, 3, N] (star_targets) over
    the (spectrum, parameter) pairs with weight [B, 3] > 0."""
    return soft_ce(logits, target, weight)


def beta_nll(mean, log_sigma, y, w, beta):
    """model.BetaNLL (model.GaussianNLL for beta 0)."""
    y = torch.where(w > 0, y, torch.zeros_like(y))
    z = (y - mean) * torch.exp(-log_sigma)
    nll = 0.5 * z * z + log_sigma + 0.5 * math.log(2 * math.pi)
    if beta > 0:
        nll = nll * torch.exp(2 * beta * log_sigma).detach()
    return (nll * w).sum() / w.sum().clamp(min=1)


def losses(out, onehot, cw, y, w, zt, zw, bt, bw, target, pw, mask, st, sw):
    """train.lossGraph's fine-tuning total (its terms in lossGraph's
    order: class, parameters, reconstruction, redshift, binned stellar
    heads, shift)."""
    logits, mean, log_sigma, z_logits, rec, _, shift, star_logits = out
    ce = soft_ce(logits, onehot, cw)
    reg = beta_nll(mean, log_sigma, y, w, NLL_BETA)
    mw = pw * mask[..., None]
    rl = (mw * (rec - target) ** 2).sum() / mw.sum().clamp(min=1e-6)
    zce = soft_ce(z_logits, zt, zw)
    total = W_CLASS * ce + W_REG * reg + W_RECON * rl + W_Z * zce
    if star_logits is not None:
        total = total + W_STAR_BINS * star_bin_loss(star_logits, bt, bw)
    if shift is not None:
        total = total + W_SHIFT * shift_loss(shift, st, sw)
    return total


def mask_tokens(gen, size):
    """model.MaskTokens: round(ratio T) tokens per spectrum in spans."""
    m = torch.zeros(size, TOKENS + 1)
    want = round(MASK_RATIO * TOKENS)
    for b in range(size):
        got = 0
        while got < want:
            start = int(torch.randint(TOKENS - MASK_SPAN + 1, (1,), generator=gen))
            for k in range(start, start + MASK_SPAN):
                if got < want and m[b, k + 1] == 0:
                    m[b, k + 1] = 1
                    got += 1
    return m


def bench_batch(gen, n):
    """Random LAMOST-grid spectra labelled as bench/torch/gobench's
    benchBatch: every class in turn, the four stellar parameters for every
    spectrum, a redshift in [0.1, 3.6) for QSOs and galaxies (standardised
    targets with mean 0 and std 1, so y is z itself, and the RV, index 3,
    is N(0, 1) km/s). Returns flux, ivar, one-hot classes, class weights,
    y, w, redshift-bin targets and weights, binned stellar targets and
    weights (star_targets: Teff is N(0, 1) K, so a positive one clamps to
    the first bin and a negative one has no target, as in gobench), and
    rest-frame shift targets and weights (shift_targets)."""
    flux = (100 + 10 * torch.randn(n, PIXELS, generator=gen)).float()
    ivar = torch.full((n, PIXELS), 0.01)
    cls = torch.arange(n) % NUM_CLASSES
    y = torch.zeros(n, NUM_PARAMS)
    y[:, :4] = torch.randn(n, 4, generator=gen)
    w = torch.zeros(n, NUM_PARAMS)
    w[:, :4] = 1
    has_z = (cls == REDSHIFT_CLASSES[0]) | (cls == REDSHIFT_CLASSES[1])
    y[:, PARAM_Z] = torch.where(has_z, 0.1 + 3.5 * torch.rand(n, generator=gen), torch.zeros(n))
    w[:, PARAM_Z] = has_z.float()
    zt, zw = z_target(torch.where(has_z, y[:, PARAM_Z], torch.full((n,), float("nan"))))
    bt, bw = star_targets(y, w)
    st, sw = shift_targets(y, w)
    return flux, ivar, F.one_hot(cls, NUM_CLASSES).float(), torch.ones(n), y, w, zt, zw, bt, bw, st, sw


def count_params(model):
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=10, help="timed steps after 2 warm-up steps")
    ap.add_argument("--reps", type=int, default=3, help="timed inference calls after one warm-up")
    ap.add_argument("--n", type=int, default=512, help="spectra per inference call")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--attn", choices=["sdpa", "math"], default="sdpa",
                    help="sdpa: F.scaled_dot_product_attention where this torch has it (>= 2.0), else math")
    ap.add_argument("--z-templates", type=int, default=Z_TEMPLATES,
                    help="learned redshift templates (Config.ZTemplates; 0 = none, as a Go config without them)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    gen = torch.Generator().manual_seed(1)
    model = SpecModel(a.attn, a.z_templates)
    nparams = count_params(model)
    opt = torch.optim.AdamW(model.parameters(), lr=LR, betas=(0.9, 0.999), eps=ADAM_EPS, weight_decay=WEIGHT_DECAY)

    flux, ivar, onehot, cw, y, w, zt, zw, bt, bw, st, sw = bench_batch(gen, a.batch)
    x, feats, target, pw = prepare(flux, ivar)
    mask = mask_tokens(gen, a.batch)
    model.train()
    times = []
    for i in range(a.steps + 2):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = losses(model(x, feats, mask), onehot, cw, y, w, zt, zw, bt, bw, target, pw, mask, st, sw)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        opt.step()
        dt = time.perf_counter() - t0
        print(f"torch step {i}: {dt:.4f} s, loss {loss.item():.4f}", file=sys.stderr)
        if i >= 2:
            times.append(dt)

    # Inference as model.Predictor: preparation, the model in chunks of 64
    # (class, parameter, redshift and binned stellar heads), softmaxes, the
    # redshift and Teff, log g, [Fe/H] decoded from their bins, results to
    # numpy.
    model.eval()
    iflux = (100 + 10 * torch.randn(a.n, PIXELS, generator=gen)).float()
    iivar = torch.full((a.n, PIXELS), 0.01)

    def predict():
        outs = []
        with torch.inference_mode():
            for lo in range(0, a.n, 64):
                xi, fi, _, _ = prepare(iflux[lo:lo + 64], iivar[lo:lo + 64])
                logits, mean, log_sigma, z_logits, _, emb, _, star_logits = model(xi, fi, recon=False)
                z, z_sigma, z_mass = decode_z(torch.softmax(z_logits, -1))
                o = (torch.softmax(logits, -1).numpy(), mean.numpy(), torch.exp(log_sigma).numpy(),
                     z.numpy(), z_sigma.numpy(), z_mass.numpy(), emb.numpy())
                if star_logits is not None:
                    star, star_sigma = decode_stars(torch.softmax(star_logits, -1))
                    o += (star.numpy(), star_sigma.numpy())
                outs.append(o)
        return outs

    def model_only(xs):
        with torch.inference_mode():
            for xi, fi in xs:
                model(xi, fi, recon=False)

    predict()
    itimes = []
    for _ in range(a.reps):
        t0 = time.perf_counter()
        predict()
        itimes.append(time.perf_counter() - t0)
        print(f"torch predict {a.n} spectra: {itimes[-1]:.4f} s", file=sys.stderr)
    t0 = time.perf_counter()
    xs = [prepare(iflux[lo:lo + 64], iivar[lo:lo + 64])[:2] for lo in range(0, a.n, 64)]
    prep_rate = a.n / (time.perf_counter() - t0)
    mtimes = []
    for _ in range(a.reps):
        t0 = time.perf_counter()
        model_only(xs)
        mtimes.append(time.perf_counter() - t0)
    print(json.dumps({
        "framework": "torch", "version": torch.__version__, "threads": torch.get_num_threads(),
        "attn": a.attn if hasattr(F, "scaled_dot_product_attention") else "math", "params": nparams, "batch": a.batch,
        "tokens": TOKENS + 1, "token_width": TOKEN_WIDTH, "z_bins": Z_BINS, "star_bins": STAR_BINS,
        "z_templates": a.z_templates, "z_template_bin": Z_TEMPLATE_BIN if a.z_templates > 0 else 0,
        "step_seconds": times, "step_median_s": statistics.median(times),
        "infer_spectra": a.n, "infer_seconds": itimes, "infer_spectra_per_s": a.n / statistics.median(itimes),
        "model_only_spectra_per_s": a.n / statistics.median(mtimes), "prepare_spectra_per_s": prep_rate,
    }))


if __name__ == "__main__":
    main()
